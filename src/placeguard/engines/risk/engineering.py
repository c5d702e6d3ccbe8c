"""Site-engineering findings that change a scenario's consequence.

Two results of the site-engineering engines bear directly on how many people an attack can
harm, beyond what the question bank captures:

* **Hostile-vehicle impact speed** (``placeguard vda run``): the highest speed a vehicle can
  reach at the protected perimeter. The harm a vehicle does grows with its kinetic energy,
  ½mv², so the vehicle-as-a-weapon consequence is scaled by ``(v / v_ref)²`` where ``v_ref`` is
  the approach speed the pack's lethality figures assume (an urban 48 km/h, 30 mph).
* **Evacuation time** (``placeguard evac run``): how long the crowd needs to get out. For
  scenarios whose harm keeps accruing while people are still inside — fire and smoke, a
  released chemical, biological or radiological agent — the consequence is scaled by
  ``T / T_ref``, with ``T_ref`` the 150 s (2½ minutes) the pack's lethality figures assume
  for a place of assembly.

Both factors are clamped (vehicle 0.25–2, evacuation 0.5–2): they refine the pack's
scenario figures, they do not replace them, and a single engineering run should not move a
scenario's consequence by more than a factor of four. The factors multiply every corner of
the interval alike. These are modelling assumptions, stated in docs/risk-method.md; each
adjustment carries the sentence that explains it, shown with the scenario's drivers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.engines.risk.catalogue import RiskPack

__all__ = [
    "EVACUATION_REFERENCE_S",
    "EVACUATION_SCENARIOS",
    "VEHICLE_REFERENCE_KMH",
    "VEHICLE_SCENARIOS",
    "Adjustment",
    "EngineeringFindings",
    "adjustments",
    "consequence_factors",
]

#: Approach speed the pack's vehicle-as-a-weapon lethality assumes (km/h).
VEHICLE_REFERENCE_KMH = 48.0
#: Evacuation time the pack's fire and CBRN lethality assume for a place of assembly (s).
EVACUATION_REFERENCE_S = 150.0
VEHICLE_SCENARIOS = ("vehicle_ramming",)
EVACUATION_SCENARIOS = ("arson", "cbrn")
_VEHICLE_CLAMP = (0.25, 2.0)
_EVACUATION_CLAMP = (0.5, 2.0)


@dataclass(frozen=True, slots=True)
class EngineeringFindings:
    """Results of the site-engineering engines for one site (``None``: not assessed).

    Attributes
    ----------
    vehicle_impact_speed_kmh : highest attainable impact speed at the protected perimeter.
    evacuation_time_s : total evacuation time (a high percentile of the Monte Carlo runs is
        the prudent figure to use).
    source : where the figures come from, quoted in the explanations.
    """

    vehicle_impact_speed_kmh: float | None = None
    evacuation_time_s: float | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One scenario's consequence multiplier and its explanation."""

    scenario: str
    factor: float
    reason: str


def _clamped(value: float, bounds: tuple[float, float]) -> float:
    return float(min(max(value, bounds[0]), bounds[1]))


def adjustments(findings: EngineeringFindings | None) -> tuple[Adjustment, ...]:
    """The consequence adjustments the findings imply, with their explanations."""
    if findings is None:
        return ()
    out: list[Adjustment] = []
    source = f" ({findings.source})" if findings.source else ""
    speed = findings.vehicle_impact_speed_kmh
    if speed is not None:
        energy = (speed / VEHICLE_REFERENCE_KMH) ** 2
        factor = _clamped(energy, _VEHICLE_CLAMP)
        reason = (
            f"Site engineering{source}: a hostile vehicle can reach the protected perimeter at "
            f"{speed:.0f} km/h, {energy:.2f}× the impact energy of the "
            f"{VEHICLE_REFERENCE_KMH:.0f} km/h approach the scenario figures assume; "
            f"consequence ×{factor:.2f}."
        )
        out.extend(Adjustment(s, factor, reason) for s in VEHICLE_SCENARIOS)
    seconds = findings.evacuation_time_s
    if seconds is not None:
        ratio = seconds / EVACUATION_REFERENCE_S
        factor = _clamped(ratio, _EVACUATION_CLAMP)
        reason = (
            f"Site engineering{source}: evacuating the site takes {seconds:.0f} s, "
            f"{ratio:.2f}× the {EVACUATION_REFERENCE_S:.0f} s the scenario figures assume; "
            f"consequence ×{factor:.2f}."
        )
        out.extend(Adjustment(s, factor, reason) for s in EVACUATION_SCENARIOS)
    return tuple(out)


def consequence_factors(
    pack: RiskPack, findings: EngineeringFindings | None
) -> NDArray[np.float64] | None:
    """(K,) consequence multipliers in pack scenario order, or None when nothing applies."""
    found = [a for a in adjustments(findings) if a.scenario in pack.scenario_ids]
    if not found:
        return None
    factors = np.ones(len(pack.scenarios))
    for adjustment in found:
        factors[pack.scenario_ids.index(adjustment.scenario)] *= adjustment.factor
    return factors
