"""Result objects of the evacuation engines, each convertible to plain JSON-ready data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "Bottleneck",
    "DestinationFlow",
    "Distribution",
    "HydraulicResult",
    "MicroscopicResult",
    "MonteCarloResult",
]


@dataclass(frozen=True, slots=True)
class DestinationFlow:
    """Flow through one destination opening (an exit; or a door into a refuge / lockable room)."""

    opening: str
    name: str
    from_space: str
    occupants: float
    first_s: float
    clear_s: float
    mean_flow_pps: float
    capacity_pps: float
    effective_width_m: float


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A transition where a queue forms (arrivals exceed its flow capacity)."""

    opening: str
    from_space: str
    to_space: str
    capacity_pps: float
    max_queue: float
    max_queue_at_s: float
    queue_start_s: float
    queue_end_s: float

    @property
    def duration_s(self) -> float:
        return self.queue_end_s - self.queue_start_s


@dataclass(frozen=True, slots=True)
class HydraulicResult:
    """What the SFPE network model answers for one scenario."""

    mode: str
    total_time_s: float
    occupants: float
    already_safe: float
    destinations: tuple[DestinationFlow, ...]
    bottlenecks: tuple[Bottleneck, ...]
    target_time_s: float | None
    cleared_by_target: float | None
    unreachable: float
    times: npt.NDArray[np.float64] = field(repr=False, compare=False)
    cumulative: npt.NDArray[np.float64] = field(repr=False, compare=False)
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def cleared_within(self, seconds: float) -> float:
        """People safe (through a destination, or already there) within ``seconds``."""
        reached = float(np.interp(seconds, self.times, self.cumulative, left=0.0))
        return self.already_safe + reached

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "total_time_s": round(self.total_time_s, 2),
            "occupants": round(self.occupants, 2),
            "already_safe": round(self.already_safe, 2),
            "unreachable": round(self.unreachable, 2),
            "target_time_s": self.target_time_s,
            "cleared_by_target": None
            if self.cleared_by_target is None
            else round(self.cleared_by_target, 1),
            "destinations": [_rounded(asdict(d)) for d in self.destinations],
            "bottlenecks": [
                {**_rounded(asdict(b)), "duration_s": round(b.duration_s, 2)}
                for b in self.bottlenecks
            ],
            "assumptions": list(self.assumptions),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class Distribution:
    """Percentiles of one output over Monte Carlo runs."""

    mean: float
    p5: float
    p50: float
    p95: float
    p99: float

    @classmethod
    def of(cls, values: npt.ArrayLike) -> Distribution:
        v = np.asarray(values, dtype=np.float64)
        p5, p50, p95, p99 = np.percentile(v, [5, 50, 95, 99])
        return cls(float(v.mean()), float(p5), float(p50), float(p95), float(p99))

    def to_dict(self) -> dict[str, float]:
        return _rounded(asdict(self))


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Distributions over runs sampling pre-movement times and occupancy."""

    runs: int
    seed: int
    total_time_s: Distribution
    occupants: Distribution
    per_destination_clear_s: dict[str, Distribution]
    cleared_by_target: Distribution | None
    target_time_s: float | None
    samples: npt.NDArray[np.float64] = field(repr=False, compare=False)
    assumptions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "seed": self.seed,
            "total_time_s": self.total_time_s.to_dict(),
            "occupants": self.occupants.to_dict(),
            "per_destination_clear_s": {
                k: v.to_dict() for k, v in self.per_destination_clear_s.items()
            },
            "target_time_s": self.target_time_s,
            "cleared_by_target": None
            if self.cleared_by_target is None
            else self.cleared_by_target.to_dict(),
            "assumptions": list(self.assumptions),
        }


@dataclass(frozen=True, slots=True)
class MicroscopicResult:
    """A JuPedSim run, its PedPy flows at the exits and the sanity check against SFPE."""

    model: str
    dt_s: float
    agents: int
    evacuated: int
    total_time_s: float
    iterations: int
    wall_s: float
    us_per_agent_step: float
    exit_flows_pps: dict[str, float]
    hydraulic_total_time_s: float
    hydraulic_flows_pps: dict[str, float]
    suspect: bool
    reasons: tuple[str, ...]
    trajectories: npt.NDArray[np.float64] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = {
            k: getattr(self, k)
            for k in ("model", "dt_s", "agents", "evacuated", "iterations", "suspect")
        }
        out.update(
            total_time_s=round(self.total_time_s, 2),
            wall_s=round(self.wall_s, 3),
            us_per_agent_step=round(self.us_per_agent_step, 2),
            exit_flows_pps=_rounded(self.exit_flows_pps),
            hydraulic_total_time_s=round(self.hydraulic_total_time_s, 2),
            hydraulic_flows_pps=_rounded(self.hydraulic_flows_pps),
            reasons=list(self.reasons),
        )
        return out


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}
