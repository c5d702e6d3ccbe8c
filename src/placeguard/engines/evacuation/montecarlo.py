"""Monte Carlo over pre-movement times and occupancy: distributions, not single numbers.

Each run draws the number of occupants uniformly from a range (spread over the spaces in
proportion to the layout's loads), then for every person a start point in their space and a
pre-movement time from a shifted lognormal, ``t = minimum + exp(N(ln(median − minimum), σ))``.
The people then move through the hydraulic network (:mod:`.hydraulic`). A seed fixes every
draw, so the same seed gives the same distributions.

Why lognormal: pre-movement times measured in unannounced evacuations of offices, cinemas,
restaurants, department stores and night clubs are best fitted by lognormal (or log-logistic)
distributions — Forssberg, Kjellström, Frantzich, Mossberg & Nilsson, "The Variation of
Pre-movement Time in Building Evacuation", *Fire Technology* 55(6):2491–2513 (2019). The
*default values* below are our placeholders, not that paper's fits: they must be replaced by
values for the occupancy and alarm system assessed (see ``docs/evacuation-method.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from placeguard.core.errors import ValidationError
from placeguard.engines.evacuation import sfpe
from placeguard.engines.evacuation.hydraulic import (
    HydraulicParams,
    Mode,
    Network,
    build_network,
    element_k,
    run_network,
)
from placeguard.engines.evacuation.layout import Layout, apportion
from placeguard.engines.evacuation.results import Distribution, MonteCarloResult

__all__ = ["PreMovement", "monte_carlo"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PreMovement:
    """Shifted lognormal pre-movement time (s): nobody moves before ``minimum_s``."""

    minimum_s: float = 30.0
    median_s: float = 60.0
    sigma: float = 0.6

    def __post_init__(self) -> None:
        if not (0 <= self.minimum_s < self.median_s) or self.sigma <= 0:
            raise ValidationError.from_mapping(
                {"pre_movement": "need 0 ≤ minimum < median and sigma > 0"}
            )

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        mu = math.log(self.median_s - self.minimum_s)
        return self.minimum_s + rng.lognormal(mu, self.sigma, n)

    def quantile(self, q: float) -> float:
        from scipy.stats import norm

        z = float(norm.ppf(q))
        return self.minimum_s + (self.median_s - self.minimum_s) * math.exp(self.sigma * z)

    def describe(self) -> str:
        return (
            f"pre-movement: shifted lognormal, minimum {self.minimum_s:g} s, median "
            f"{self.median_s:g} s, σ = {self.sigma:g} (99th percentile "
            f"{self.quantile(0.99):.0f} s); form after Forssberg et al. 2019, values assumed"
        )


def _sampled_arrivals(
    net: Network,
    counts: Mapping[str, int],
    pre: PreMovement,
    rng: np.random.Generator,
) -> dict[int, tuple[FloatArray, FloatArray]]:
    per_crossing: dict[int, list[FloatArray]] = {}
    for sid, (options, pick, dist) in net.choices.items():
        n = int(counts.get(sid, 0))
        if n <= 0:
            continue
        space = net.layout.space(sid)
        v = max(sfpe.speed(n / space.area_m2, element_k(space)), 0.05)
        idx = rng.integers(0, len(pick), n)
        starts = (
            np.full(n, space.pre_movement_s)
            if space.pre_movement_s is not None
            else pre.sample(rng, n)
        )
        times = starts + dist[idx] / v
        chosen = pick[idx]
        for k, ci in enumerate(options):
            mine = times[chosen == k]
            if len(mine):
                per_crossing.setdefault(ci, []).append(mine)
    out: dict[int, tuple[FloatArray, FloatArray]] = {}
    for ci, parts in per_crossing.items():
        t = np.sort(np.concatenate(parts))
        out[ci] = (t, np.ones(len(t), dtype=np.float64))
    return out


def monte_carlo(
    layout: Layout,
    *,
    runs: int = 200,
    seed: int = 0,
    occupants: tuple[int, int] | None = None,
    pre_movement: PreMovement | None = None,
    mode: Mode | str = Mode.EVACUATION,
    target_time_s: float | None = None,
    params: HydraulicParams | None = None,
) -> MonteCarloResult:
    """Run the hydraulic model ``runs`` times with sampled occupancy and pre-movement times."""
    if runs < 1:
        raise ValidationError.from_mapping({"runs": "must be at least 1"})
    lo, hi = occupants or (layout.total_occupants, layout.total_occupants)
    if not 0 <= lo <= hi:
        raise ValidationError.from_mapping({"occupants": f"need 0 ≤ low ≤ high, got {lo}–{hi}"})
    layout.with_occupants(hi)  # capacity check at the top of the range, before anything runs
    pre = pre_movement or PreMovement()
    params = params or HydraulicParams()
    net = build_network(layout, mode, params)
    base = layout if layout.total_occupants > 0 else layout.with_occupants(max(hi, 1))
    weights = [float(s.occupants) for s in base.spaces]
    rng = np.random.default_rng(seed)
    samples = np.zeros((runs, 3), dtype=np.float64)
    per_dest: dict[str, list[float]] = {}
    for r in range(runs):
        n = int(rng.integers(lo, hi + 1))
        counts = dict(zip((s.id for s in layout.spaces), apportion(n, weights), strict=True))
        own = _sampled_arrivals(net, counts, pre, rng)
        res = run_network(
            net, own, {k: float(v) for k, v in counts.items()}, params=params,
            target_time_s=target_time_s,
        )  # fmt: skip
        samples[r] = (n, res.total_time_s, res.cleared_by_target or 0.0)
        for d in res.destinations:
            per_dest.setdefault(d.opening, [0.0] * runs)[r] = d.clear_s
    return MonteCarloResult(
        runs=runs,
        seed=seed,
        total_time_s=Distribution.of(samples[:, 1]),
        occupants=Distribution.of(samples[:, 0]),
        per_destination_clear_s={k: Distribution.of(v) for k, v in sorted(per_dest.items())},
        cleared_by_target=None if target_time_s is None else Distribution.of(samples[:, 2]),
        target_time_s=target_time_s,
        samples=samples,
        assumptions=(
            pre.describe(),
            f"occupants uniform on [{lo}, {hi}], spread in proportion to the layout's loads",
            f"{runs} runs, seed {seed}",
        ),
    )
