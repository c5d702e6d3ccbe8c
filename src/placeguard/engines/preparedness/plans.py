"""National action plans: structure, mandate crosswalk and GAO completeness check.

Structure: strategy → objectives → actions (with mandate references) → indicators.

*Crosswalk.* A provision is **covered** when at least one action that is not cancelled cites
its id in ``mandate_refs``. A reference to a whole instrument (``unscr2396``) covers no
provision and is reported separately; a reference matching nothing is reported as unknown.

*GAO completeness.* Each of GAO's six characteristics lists elements (``mandates.yaml``);
each element has a fixed test here (:data:`_CHECKS`). A characteristic is **met** when all its
elements pass, **partially met** when some do, **not met** when none does; every failing
element is listed with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from placeguard.engines.preparedness.catalogue import MandateCatalogue

__all__ = [
    "Crosswalk",
    "GaoResult",
    "Indicator",
    "NationalActionPlan",
    "PlanAction",
    "PlanObjective",
    "Strategy",
    "crosswalk",
    "gao_completeness",
]


@dataclass(frozen=True, slots=True)
class Indicator:
    """How progress on an action is measured."""

    definition: str
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    frequency: str = ""
    data_source: str = ""


@dataclass(frozen=True, slots=True)
class PlanAction:
    """One action; ``mandate_refs`` hold provision or instrument ids from ``mandates.yaml``."""

    id: str
    title: str
    lead_agency: str = ""
    supporting_agencies: tuple[str, ...] = ()
    mandate_refs: tuple[str, ...] = ()
    milestones: tuple[tuple[str, dt.date], ...] = ()
    end: dt.date | None = None
    budget: float | None = None
    currency: str = ""
    status: str = "planned"
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanObjective:
    """A strategic objective with its priority (1 = highest) and actions."""

    id: str
    title: str
    priority: int | None = None
    actions: tuple[PlanAction, ...] = ()


@dataclass(frozen=True, slots=True)
class Strategy:
    """The narrative parts of a plan that GAO's characteristics look for."""

    title: str
    purpose: str = ""
    scope: str = ""
    methodology: str = ""
    problem_definition: str = ""
    risk_assessment: str = ""
    risk_management: str = ""
    coordination: str = ""
    related_strategies: tuple[str, ...] = ()
    reporting_frequency: str = ""


@dataclass(frozen=True, slots=True)
class NationalActionPlan:
    """A national action plan."""

    strategy: Strategy
    objectives: tuple[PlanObjective, ...] = ()

    @property
    def actions(self) -> tuple[PlanAction, ...]:
        """Every action, objective by objective."""
        return tuple(a for o in self.objectives for a in o.actions)


# ------------------------------------------------------------------------------ crosswalk
@dataclass(frozen=True, slots=True)
class Crosswalk:
    """Which actions implement which provision, and the gaps."""

    covered: dict[str, tuple[str, ...]]
    gaps: tuple[str, ...]
    instrument_only: tuple[tuple[str, str], ...]
    unknown_refs: tuple[tuple[str, str], ...]


def crosswalk(plan: NationalActionPlan, catalogue: MandateCatalogue) -> Crosswalk:
    """Provision → actions, provisions without action (in catalogue order), and odd refs."""
    provision_ids = [p.id for p in catalogue.provisions]
    covered: dict[str, list[str]] = {pid: [] for pid in provision_ids}
    instrument_only: list[tuple[str, str]] = []
    unknown: list[tuple[str, str]] = []
    for action in plan.actions:
        for ref in action.mandate_refs:
            if ref in covered:
                if action.status != "cancelled":
                    covered[ref].append(action.id)
            elif ref in catalogue.instruments:
                instrument_only.append((action.id, ref))
            else:
                unknown.append((action.id, ref))
    return Crosswalk(
        covered={pid: tuple(ids) for pid, ids in covered.items()},
        gaps=tuple(pid for pid in provision_ids if not covered[pid]),
        instrument_only=tuple(instrument_only),
        unknown_refs=tuple(unknown),
    )


# ------------------------------------------------------------------------------ GAO check
def _text(field: str) -> Callable[[NationalActionPlan], str | None]:
    def check(plan: NationalActionPlan) -> str | None:
        return None if getattr(plan.strategy, field).strip() else f"strategy.{field} is empty"

    return check


def _every_action(
    test: Callable[[PlanAction], bool], what: str
) -> Callable[[NationalActionPlan], str | None]:
    def check(plan: NationalActionPlan) -> str | None:
        if not plan.actions:
            return "the plan has no actions"
        failing = [a.id for a in plan.actions if not test(a)]
        return f"actions without {what}: {', '.join(failing)}" if failing else None

    return check


def _objectives(plan: NationalActionPlan) -> str | None:
    return None if plan.objectives else "the plan has no objectives"


def _activities(plan: NationalActionPlan) -> str | None:
    if not plan.objectives:
        return "the plan has no objectives"
    empty = [o.id for o in plan.objectives if not o.actions]
    return f"objectives without actions: {', '.join(empty)}" if empty else None


def _priorities(plan: NationalActionPlan) -> str | None:
    if not plan.objectives:
        return "the plan has no objectives"
    missing = [o.id for o in plan.objectives if o.priority is None]
    return f"objectives without priority: {', '.join(missing)}" if missing else None


def _measured(action: PlanAction) -> bool:
    return any(i.baseline is not None and i.target is not None for i in action.indicators)


_CHECKS: dict[str, Callable[[NationalActionPlan], str | None]] = {
    "purpose": _text("purpose"),
    "scope": _text("scope"),
    "methodology": _text("methodology"),
    "problem_definition": _text("problem_definition"),
    "risk_assessment": _text("risk_assessment"),
    "objectives": _objectives,
    "activities": _activities,
    "priorities": _priorities,
    "milestones": _every_action(lambda a: bool(a.milestones) or a.end is not None, "milestones"),
    "performance_measures": _every_action(_measured, "an indicator with baseline and target"),
    "resources": _every_action(lambda a: a.budget is not None, "a budget"),
    "risk_management": _text("risk_management"),
    "lead_agencies": _every_action(lambda a: bool(a.lead_agency.strip()), "a lead agency"),
    "coordination": _text("coordination"),
    "integration": lambda p: (
        None if p.strategy.related_strategies else "no related strategies or plans named"
    ),
    "implementation": _text("reporting_frequency"),
}


@dataclass(frozen=True, slots=True)
class GaoResult:
    """The verdict on one characteristic; ``missing`` = (element id, reason) pairs."""

    characteristic: str
    name: str
    verdict: str
    missing: tuple[tuple[str, str], ...]


def gao_completeness(
    plan: NationalActionPlan, catalogue: MandateCatalogue
) -> tuple[GaoResult, ...]:
    """``met`` / ``partially met`` / ``not met`` per characteristic (rule in the module doc)."""
    results: list[GaoResult] = []
    for characteristic in catalogue.characteristics:
        missing: list[tuple[str, str]] = []
        for element in characteristic.elements:
            reason = _CHECKS[element.id](plan)
            if reason is not None:
                missing.append((element.id, reason))
        n = len(characteristic.elements)
        verdict = "met" if not missing else "not met" if len(missing) == n else "partially met"
        results.append(GaoResult(characteristic.id, characteristic.name, verdict, tuple(missing)))
    return tuple(results)
