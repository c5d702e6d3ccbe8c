"""A site security report's content, built from risk-engine objects only (no database).

:func:`build_site_report` runs the assessment, the optional budget-optimal plan with its
Pareto curve, and the compliance overlays, and keeps the engine's results with the few things
derived from them (matrix counts, data gaps, drivers across scenarios). Nothing here formats
or translates: the renderers (:mod:`.rendering`) and exports (:mod:`.exports`) do that, in
the language active when they run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from placeguard.core.errors import PlaceguardError
from placeguard.engines.risk.assessment import (
    ScenarioRisk,
    SiteAssessment,
    SiteProfile,
    assess,
)
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.compliance import RequirementStatus, evaluate_overlay, uk_tppa_tier
from placeguard.engines.risk.planning import (
    ParetoPoint,
    pareto_curve,
    problem_for_site,
    solve_plan,
)
from placeguard.engines.risk.scales import BANDS, Scales, band_of

__all__ = [
    "DataGap",
    "KeyAnswer",
    "MatrixCell",
    "OverlaySection",
    "PlanSection",
    "PlannedMeasure",
    "ResidualRow",
    "SiteReport",
    "build_site_report",
    "cell_band",
]

#: Drivers kept per scenario in the report.
DRIVERS_PER_SCENARIO = 3
#: Answers listed as the largest levers on the site's total risk.
KEY_ANSWERS = 5


def cell_band(likelihood: int, consequence: int) -> str:
    """Band of a matrix cell: the band its levels would score if V were as high as L and C.

    The 1–125 score multiplies three levels; a cell has two. Raising the product of the two
    to the power 3/2 puts it on the score's scale (same geometric-mean level), so a cell's
    colour agrees with the score bands: low up to 4, moderate up to 8, high up to 15.
    """
    return band_of(math.ceil(round((likelihood * consequence) ** 1.5, 9)))


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One cell of the 5×5 matrix and the scenarios that fall in it."""

    likelihood: int
    consequence: int
    scenarios: tuple[str, ...]  # scenario names

    @property
    def count(self) -> int:
        """Number of scenarios in the cell."""
        return len(self.scenarios)

    @property
    def band(self) -> str:
        """Band the cell is coloured by."""
        return cell_band(self.likelihood, self.consequence)


@dataclass(frozen=True, slots=True)
class DataGap:
    """An applicable question answered "unknown" or left unanswered (counted as the worst)."""

    question_id: str
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class KeyAnswer:
    """An answer whose improvement alone would cut the most risk over all scenarios."""

    question_id: str
    text: str
    answer: str
    best: str
    unknown: bool
    risk_reduction: float  # expected casualties per year, summed over scenarios
    share: float  # of the site's total risk
    scenarios: tuple[str, ...]  # names of the scenarios it acts on, largest effect first


@dataclass(frozen=True, slots=True)
class PlannedMeasure:
    """A measure the plan chooses, with its cost for this site (scaled by 1 − quality)."""

    id: str
    name: str
    category: str
    capex: float
    opex: float
    openness: int


@dataclass(frozen=True, slots=True)
class ResidualRow:
    """One scenario's risk before and after the plan."""

    scenario: str
    name: str
    before: float
    after: float

    @property
    def reduction(self) -> float:
        """Share of the scenario's risk the plan removes (0 when there was none)."""
        return 1.0 - self.after / self.before if self.before > 0 else 0.0


@dataclass(frozen=True, slots=True)
class PlanSection:
    """The budget-optimal plan, or why there is none."""

    capex_budget: float | None
    opex_budget: float | None
    openness_limit: float | None
    measures: tuple[PlannedMeasure, ...] = ()
    capex: float = 0.0
    opex: float = 0.0
    openness: float = 0.0
    risk_before: float = 0.0
    risk_after: float = 0.0
    residual: tuple[ResidualRow, ...] = ()
    pareto: tuple[ParetoPoint, ...] = ()
    error: str | None = None  # the solver's message when no verified plan was found

    @property
    def reduction(self) -> float:
        """Share of the site's total risk the plan removes."""
        return 1.0 - self.risk_after / self.risk_before if self.risk_before > 0 else 0.0


@dataclass(frozen=True, slots=True)
class OverlaySection:
    """One compliance overlay's requirements for this site."""

    id: str
    name: str
    source: str
    tier: str | None  # UK TPPA tier, None for overlays without tiers
    statuses: tuple[RequirementStatus, ...]

    def count(self, status: str) -> int:
        """Number of requirements with ``status`` ("met", "not met", "not applicable")."""
        return sum(1 for s in self.statuses if s.status == status)

    @property
    def common_reason(self) -> str | None:
        """The one reason shared by every requirement when none applies, else None."""
        reasons = {s.reason for s in self.statuses}
        if len(reasons) == 1 and self.count("not applicable") == len(self.statuses):
            return next(iter(reasons))
        return None


@dataclass(frozen=True)
class SiteReport:
    """Everything a site security report shows, as engine results and plain values."""

    site_name: str
    site_type: str
    profile: SiteProfile
    threat_level: int
    pack_version: str
    currency: str
    generated_at: datetime  # UTC
    marking: str | None  # None: the default TLP:AMBER marking, translated when rendered
    site_details: tuple[tuple[str, str], ...]
    assessment: SiteAssessment
    scales: Scales
    questions_asked: int
    answered: int  # applicable questions with an option or n/a
    gaps: tuple[DataGap, ...]
    key_answers: tuple[KeyAnswer, ...]
    matrix: tuple[MatrixCell, ...]  # 25 cells, likelihood 5 → 1, consequence 1 → 5
    plan: PlanSection | None
    overlays: tuple[OverlaySection, ...] = field(default=())

    @property
    def scenarios(self) -> tuple[ScenarioRisk, ...]:
        """Scenario results, largest risk first (ties in pack order)."""
        return tuple(sorted(self.assessment.scenarios, key=lambda s: -s.risk))

    @property
    def total_risk(self) -> float:
        """Expected casualties per year over all scenarios."""
        return self.assessment.total_risk

    @property
    def total_interval(self) -> tuple[float, float]:
        """Bounds of the total risk.

        Every scenario's bound sits at the same corner of the input box (risk rises with
        base rate, V0 and lethality and falls with effectiveness), so the sums of the
        per-scenario bounds are the exact bounds of the total.
        """
        s = self.assessment.scenarios
        return sum(x.risk_low for x in s), sum(x.risk_high for x in s)

    def band_counts(self) -> dict[str, int]:
        """Number of scenarios in each score band, in band order."""
        counts = {name: 0 for _, name in BANDS}
        for s in self.assessment.scenarios:
            counts[s.band] += 1
        return counts


def _matrix(scenarios: tuple[ScenarioRisk, ...]) -> tuple[MatrixCell, ...]:
    return tuple(
        MatrixCell(
            likelihood,
            consequence,
            tuple(
                s.name
                for s in scenarios
                if s.likelihood_level == likelihood and s.consequence_level == consequence
            ),
        )
        for likelihood in range(5, 0, -1)
        for consequence in range(1, 6)
    )


def _key_answers(result: SiteAssessment, limit: int) -> tuple[KeyAnswer, ...]:
    """The answers whose improvement alone removes the most risk summed over scenarios."""
    total = result.total_risk
    gains: dict[str, float] = {}
    first: dict[str, tuple[str, str, str, bool]] = {}
    acting: dict[str, list[tuple[float, str]]] = {}
    for s in result.scenarios:
        for d in s.drivers:
            gains[d.question_id] = gains.get(d.question_id, 0.0) + d.risk_reduction
            first.setdefault(d.question_id, (d.text, d.answer, d.best, d.unknown))
            acting.setdefault(d.question_id, []).append((d.risk_reduction, s.name))
    ranked = sorted(gains, key=lambda q: -gains[q])[:limit]
    out = []
    for qid in ranked:
        text, answer, best, unknown = first[qid]
        names = tuple(name for _, name in sorted(acting[qid], key=lambda t: -t[0]))
        out.append(
            KeyAnswer(
                question_id=qid,
                text=text,
                answer=answer,
                best=best,
                unknown=unknown,
                risk_reduction=gains[qid],
                share=gains[qid] / total if total > 0 else 0.0,
                scenarios=names,
            )
        )
    return tuple(out)


def _trim_drivers(result: SiteAssessment, keep: int) -> SiteAssessment:
    """The assessment with only the ``keep`` largest drivers per scenario."""
    return replace(
        result, scenarios=tuple(replace(s, drivers=s.drivers[:keep]) for s in result.scenarios)
    )


def _plan(
    pack: RiskPack,
    result: SiteAssessment,
    *,
    capex_budget: float | None,
    opex_budget: float | None,
    openness_limit: float | None,
    pareto_points: int,
) -> PlanSection:
    inf = float("inf")
    limits = {
        "opex_budget": inf if opex_budget is None else float(opex_budget),
        "openness_limit": inf if openness_limit is None else float(openness_limit),
    }
    risk = np.array([s.risk for s in result.scenarios])
    problem = problem_for_site(pack, result.site_type, result.quality, risk)
    capital = inf if capex_budget is None else float(capex_budget)
    if not problem.ids:  # every suitable measure is already fully in place: nothing to choose
        residual = tuple(ResidualRow(s.scenario, s.name, s.risk, s.risk) for s in result.scenarios)
        total = float(risk.sum())
        return PlanSection(
            capex_budget,
            opex_budget,
            openness_limit,
            risk_before=total,
            risk_after=total,
            residual=residual,
        )
    try:
        plan = solve_plan(problem, capex_budget=capital, **limits)
        curve = pareto_curve(problem, points=pareto_points, **limits) if pareto_points else []
    except PlaceguardError as exc:
        return PlanSection(capex_budget, opex_budget, openness_limit, error=exc.message)
    measures = []
    for mid in plan.chosen:
        j = problem.ids.index(mid)
        m = pack.measure(mid)
        measures.append(
            PlannedMeasure(
                id=m.id,
                name=m.name,
                category=m.category,
                capex=float(problem.capex[j]),
                opex=float(problem.opex[j]),
                openness=m.openness,
            )
        )
    residual = tuple(
        ResidualRow(s.scenario, s.name, float(before), float(after))
        for s, before, after in zip(
            result.scenarios, plan.risk_before, plan.risk_after, strict=True
        )
    )
    return PlanSection(
        capex_budget,
        opex_budget,
        openness_limit,
        measures=tuple(measures),
        capex=plan.capex,
        opex=plan.opex,
        openness=plan.openness,
        risk_before=plan.total_before,
        risk_after=plan.total_after,
        residual=residual,
        pareto=tuple(curve),
    )


def build_site_report(
    pack: RiskPack,
    *,
    site_name: str,
    site_type: str,
    profile: SiteProfile,
    answers: Mapping[str, int | str],
    threat_level: int,
    capex_budget: float | None = None,
    opex_budget: float | None = None,
    openness_limit: float | None = None,
    generated_at: datetime,
    site_details: Mapping[str, object] | None = None,
    marking: str | None = None,
    pareto_points: int = 8,
    scales: Scales | None = None,
) -> SiteReport:
    """Assess a site and gather everything its security report shows.

    Parameters
    ----------
    pack : RiskPack
        The risk content pack (``placeguard.content.load_risk_pack()``).
    site_name : str
        Shown as given (escaped when rendered).
    site_type : str
        Site type id; must be ``profile.site_type``.
    profile : SiteProfile
        Capacity, symbolic value, threats and time profile.
    answers : mapping
        Question id → option index, ``"unknown"`` or ``"n/a"``.
    threat_level : int
        National threat level 1–5.
    capex_budget, opex_budget : float, optional
        Capital and yearly running-cost budgets in the pack currency. A plan and its Pareto
        curve are computed when either is given; a missing one is unlimited.
    openness_limit : float, optional
        Most openness impact the plan may add (sum over measures).
    generated_at : datetime
        When the report was made; must be timezone-aware (shown in UTC).
    site_details : mapping, optional
        Extra label → value lines for the summary (address, operator …), shown as given.
    marking : str, optional
        Handling marking printed on every page; the translated TLP:AMBER default if None.
    pareto_points : int
        Budgets on the Pareto curve (0: no curve).
    scales : Scales, optional
        Level thresholds (the defaults if None).

    Returns
    -------
    SiteReport
        The engine results and what is derived from them, ready to render or export.
    """
    if site_type != profile.site_type:
        msg = f"site_type {site_type!r} differs from the profile's {profile.site_type!r}"
        raise ValueError(msg)
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        msg = "generated_at must be timezone-aware"
        raise ValueError(msg)
    scales = scales or Scales()
    every = len(pack.questions)  # keep every driver for the cross-scenario ranking
    full = assess(pack, profile, answers, threat_level=threat_level, scales=scales, top=every)
    result = _trim_drivers(full, DRIVERS_PER_SCENARIO)
    asked = pack.questions_for(site_type)
    unknown = set(result.unknown)
    gaps = tuple(DataGap(q.id, q.category, q.text) for q in asked if q.id in unknown)
    plan = None
    if capex_budget is not None or opex_budget is not None:
        plan = _plan(
            pack,
            result,
            capex_budget=capex_budget,
            opex_budget=opex_budget,
            openness_limit=openness_limit,
            pareto_points=pareto_points,
        )
    overlays = tuple(
        OverlaySection(
            id=o.id,
            name=o.name,
            source=o.source,
            tier=uk_tppa_tier(site_type, result.people) if o.tier_rule == "uk_tppa_2025" else None,
            statuses=tuple(evaluate_overlay(pack, o, site_type, result.people, answers)),
        )
        for o in pack.overlays
    )
    details = tuple((str(k), str(v)) for k, v in (site_details or {}).items())
    return SiteReport(
        site_name=site_name,
        site_type=site_type,
        profile=profile,
        threat_level=threat_level,
        pack_version=pack.version,
        currency=pack.currency,
        generated_at=generated_at.astimezone(UTC),
        marking=marking,
        site_details=details,
        assessment=result,
        scales=scales,
        questions_asked=len(asked),
        answered=len(asked) - len(gaps),
        gaps=gaps,
        key_answers=_key_answers(full, KEY_ANSWERS),
        matrix=_matrix(result.scenarios),
        plan=plan,
        overlays=overlays,
    )
