"""What-if: two plans for the same site side by side, scenario by scenario."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.catalogue import RiskPack

__all__ = ["PlanComparison", "compare_plans"]


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """Residual risk of plans A and B, per scenario and in total, with their costs."""

    plan_a: tuple[str, ...]
    plan_b: tuple[str, ...]
    current_total: float
    total_a: float
    total_b: float
    capex_a: float
    capex_b: float
    opex_a: float
    opex_b: float
    scenarios: tuple[dict[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "plan_a": {
                "measures": list(self.plan_a),
                "capex": self.capex_a,
                "opex": self.opex_a,
                "residual_risk": self.total_a,
            },
            "plan_b": {
                "measures": list(self.plan_b),
                "capex": self.capex_b,
                "opex": self.opex_b,
                "residual_risk": self.total_b,
            },
            "current_risk": self.current_total,
            "scenarios": list(self.scenarios),
        }


def compare_plans(
    pack: RiskPack,
    profile: SiteProfile,
    answers: Mapping[str, int | str],
    plan_a: Sequence[str],
    plan_b: Sequence[str],
    *,
    threat_level: int = 3,
) -> PlanComparison:
    """Score the site as it is, with plan A and with plan B (planned measures fully in place).

    Costs are the measures' central one-off and yearly costs, scaled by the share not yet in
    place (as in ``planning``). Unknown measure ids raise ``KeyError`` from the pack.
    """
    now = assess(pack, profile, answers, threat_level=threat_level, top=0)
    a = assess(pack, profile, answers, threat_level=threat_level, planned=list(plan_a), top=0)
    b = assess(pack, profile, answers, threat_level=threat_level, planned=list(plan_b), top=0)

    def cost(plan: Sequence[str], kind: str) -> float:
        total = 0.0
        for mid in dict.fromkeys(plan):
            measure = pack.measure(mid)
            price = measure.capex_central if kind == "capex" else measure.opex_central
            total += price * (1.0 - now.quality[mid])
        return total

    rows = tuple(
        {
            "scenario": s.scenario,
            "name": s.name,
            "current": s.risk,
            "plan_a": x.risk,
            "plan_b": y.risk,
            "difference_b_minus_a": y.risk - x.risk,
        }
        for s, x, y in zip(now.scenarios, a.scenarios, b.scenarios, strict=True)
    )
    return PlanComparison(
        plan_a=tuple(dict.fromkeys(plan_a)),
        plan_b=tuple(dict.fromkeys(plan_b)),
        current_total=now.total_risk,
        total_a=a.total_risk,
        total_b=b.total_risk,
        capex_a=cost(plan_a, "capex"),
        capex_b=cost(plan_b, "capex"),
        opex_a=cost(plan_a, "opex"),
        opex_b=cost(plan_b, "opex"),
        scenarios=rows,
    )
