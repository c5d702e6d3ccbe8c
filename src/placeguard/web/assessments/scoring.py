"""Between the ORM and the risk engine: stored rows become engine inputs, results become JSON.

Nothing here writes. The engine (``placeguard.engines.risk``) is pure; this module is the only
place in the app that knows how a :class:`~placeguard.web.sites.models.Site` and an
:class:`~placeguard.web.assessments.models.Assessment` map onto its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from placeguard.content import load_risk_pack
from placeguard.core.errors import FieldError, ValidationError
from placeguard.core.timeprofile import TimeProfile
from placeguard.engines.risk.assessment import SiteAssessment, SiteProfile, assess
from placeguard.engines.risk.catalogue import Measure, RiskPack
from placeguard.engines.risk.compliance import evaluate_overlay
from placeguard.engines.risk.engineering import EngineeringFindings
from placeguard.engines.risk.inputs import SPECIAL, parse_assessment_input
from placeguard.engines.risk.planning import PlanProblem, problem_for_site, solve_plan
from placeguard.engines.risk.scales import BANDS
from placeguard.engines.risk.whatif import PlanComparison, compare_plans
from placeguard.web.assessments.choices import EDITABLE_STATUSES, RESULT_STATUSES
from placeguard.web.assessments.models import Assessment
from placeguard.web.sites.models import Site

__all__ = [
    "PlanChoice",
    "Summary",
    "WhatIf",
    "answer_label",
    "carry_over",
    "compare_for",
    "compliance",
    "compute",
    "current_pack",
    "plan_conflicts",
    "plan_problem",
    "planning_profile",
    "profile_for",
    "result_for",
    "result_of",
    "summarise",
    "validate_answers",
    "validate_context",
]

Answer = int | str
FloatArray = NDArray[np.float64]
#: Band names from least to most severe.
BAND_ORDER: tuple[str, ...] = tuple(name for _upper, name in BANDS)


def current_pack() -> RiskPack:
    """The risk content pack in use, in the request's language (cached by the loader).

    Translations change texts only: ids, numbers and therefore every score are the same in
    every language.
    """
    return load_risk_pack(language=translation.get_language())


def profile_for(assessment: Assessment, site: Site) -> SiteProfile:
    """The engine's view of a site, with the assessor's context from ``assessment`` and the
    findings of the site's latest engineering studies (vehicle impact speed, evacuation time)."""
    from placeguard.web.engineering.services import site_findings  # lazy: engineering → sites
    from placeguard.web.intel.threat import threat_for_site  # lazy: intel → orgs, sites

    threat = threat_for_site(site)  # data-derived threat of an active intel threat source
    return SiteProfile(
        site_type=site.site_type,
        capacity=site.capacity,
        symbolic=assessment.symbolic,
        threatened=assessment.threatened,
        impact=assessment.impact,
        time_profile=TimeProfile.from_json(site.time_profile or None),
        engineering=site_findings(site),
        intel=threat.likelihoods if threat is not None else (),
    )


def compute(assessment: Assessment, site: Site, *, top: int = 5) -> SiteAssessment:
    """Run the engine on the assessment's answers and context and the site's current facts."""
    return assess(
        current_pack(),
        profile_for(assessment, site),
        dict(assessment.answers),
        threat_level=assessment.threat_level,
        top=top,
    )


def result_of(assessment: Assessment, site: Site) -> dict[str, Any]:
    """:func:`compute` as JSON, with ``threat_source`` — where the data-derived threat came
    from (dataset, years, breaks, method and the likelihoods used) — when an intelligence
    threat source covers the site."""
    from placeguard.web.intel.threat import threat_for_site

    result = compute(assessment, site).as_dict()
    threat = threat_for_site(site)
    if threat is not None:
        result["threat_source"] = threat.record
    return result


def result_for(assessment: Assessment) -> tuple[dict[str, Any], bool]:
    """The result to show and whether it is live.

    A submitted, approved or superseded assessment shows the result stored at submission; one
    being edited (draft or returned) is scored afresh from its current answers.
    """
    if assessment.result is not None and assessment.status not in EDITABLE_STATUSES:
        return _relabelled(dict(assessment.result)), False
    return result_of(assessment, assessment.site), True


def _relabelled(result: dict[str, Any]) -> dict[str, Any]:
    """A stored result with scenario names in the reader's language.

    The numbers and the driver sentences stay exactly as stored at submission (the sentences
    in the language they were written in); only the names, looked up by scenario id, follow
    the reader.
    """
    names = {s.id: s.name for s in current_pack().scenarios}
    result["scenarios"] = [
        {**row, "name": names.get(row.get("scenario", ""), row.get("name", ""))}
        for row in result.get("scenarios", [])
    ]
    return result


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures lists and rankings need from one result."""

    total_risk: float
    worst_band: str
    top_scenario: str


def summarise(result: Mapping[str, Any]) -> Summary:
    """Total risk, the most severe band and the scenario with the largest risk."""
    scenarios = list(result.get("scenarios", []))
    worst = max(
        (s["band"] for s in scenarios if s.get("band") in BAND_ORDER),
        key=BAND_ORDER.index,
        default="",
    )
    top = max(scenarios, key=lambda s: s["risk"], default=None)
    return Summary(
        total_risk=float(result.get("total_risk", 0.0)),
        worst_band=worst,
        top_scenario=str(top["scenario"]) if top is not None else "",
    )


def answer_label(pack: RiskPack, question_id: str, value: object) -> str:
    """How an answer reads: the option's label, or Unknown / Not applicable / Not answered."""
    if value is None:
        return _("Not answered")
    if value == "unknown":
        return _("Unknown")
    if value == "n/a":
        return _("Not applicable")
    if question_id in pack.question_index and isinstance(value, int):
        options = pack.question(question_id).options
        if 0 <= value < len(options):
            return options[value].label
    return str(value)


def _engine_input(site: Site, answers: Mapping[str, Any], **context: Any) -> dict[str, Any]:
    return {
        "site": {"type": site.site_type, "capacity": site.capacity, **context},
        "answers": answers,
    }


def validate_answers(site: Site, answers: object) -> dict[str, Answer]:
    """Check answers against the pack for the site's type; raise listing every bad one.

    Unknown question ids, questions that do not apply to the site type and out-of-range
    options are all reported together (the engine's own input check), each as
    ``answers.<question id>``.
    """
    if not isinstance(answers, Mapping):
        raise ValidationError(
            _("Invalid answers."),
            errors=[FieldError("answers", _("expected a mapping of question id to answer"))],
        )
    try:
        parsed = parse_assessment_input(_engine_input(site, answers), current_pack())
    except ValidationError as exc:
        raise ValidationError(_("Invalid answers; nothing was saved."), errors=exc.errors) from exc
    return dict(parsed.answers)


def validate_context(
    site: Site, *, threat_level: int, symbolic: float, threatened: bool, impact: float
) -> None:
    """Check the assessor's context with the engine's own rules; raise listing every problem."""
    data = _engine_input(site, {}, symbolic=symbolic, threatened=threatened, impact=impact)
    data["threat_level"] = threat_level
    try:
        parse_assessment_input(data, current_pack())
    except ValidationError as exc:
        errors = [FieldError(e.field.removeprefix("site."), e.message, e.code) for e in exc.errors]
        raise ValidationError(_("Invalid assessment context."), errors=errors) from exc


def carry_over(answers: Mapping[str, Any], site_type: str) -> dict[str, Answer]:
    """The answers of an earlier assessment that are still valid for the pack and site type.

    Questions removed from the pack, no longer asked for the site type, or whose option no
    longer exists are dropped (they will be asked again).
    """
    pack = current_pack()
    kept: dict[str, Answer] = {}
    for qid, value in answers.items():
        if qid not in pack.question_index or not pack.question(qid).applies_to(site_type):
            continue
        if value in SPECIAL:
            kept[qid] = str(value)
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 <= value < len(pack.question(qid).options)
        ):
            kept[qid] = value
    return kept


def compliance(site_type: str, people: int, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every compliance overlay of the pack with the status of each requirement for the site."""
    pack = current_pack()
    clean = {k: v for k, v in answers.items() if k in pack.question_index}
    out = []
    for overlay in pack.overlays:
        statuses = evaluate_overlay(pack, overlay, site_type, people, clean)
        out.append(
            {
                "overlay": overlay.id,
                "name": overlay.name,
                "source": overlay.source,
                "met": sum(1 for s in statuses if s.status == "met"),
                "not_met": sum(1 for s in statuses if s.status == "not met"),
                "requirements": [
                    {
                        "requirement": s.requirement,
                        "text": s.text,
                        "status": s.status,
                        "reason": s.reason,
                    }
                    for s in statuses
                ],
            }
        )
    return out


def _stored_basis(assessment: Assessment, pack: RiskPack) -> tuple[SiteProfile, FloatArray] | None:
    """The site profile and risks stored at submission, when plans may start from them.

    That is for a submitted or approved assessment scored with the pack in use, whose stored
    result covers exactly the pack's scenarios; otherwise None (plan from a fresh computation).
    """
    from placeguard.web.intel.threat import likelihoods_from_record  # lazy: intel → sites

    stored = assessment.result
    if (
        assessment.status not in RESULT_STATUSES
        or stored is None
        or assessment.pack_version != pack.version
    ):
        return None
    by_id = {s["scenario"]: float(s["risk"]) for s in stored.get("scenarios", [])}
    if set(by_id) != set(pack.scenario_ids):
        return None
    # the engineering findings the stored consequences include (results stored before findings
    # were kept have none): plans then price measures on the same consequences
    findings = stored.get("engineering")
    profile = SiteProfile(
        site_type=str(stored["site_type"]),
        capacity=int(stored["people"]),
        symbolic=assessment.symbolic,
        threatened=assessment.threatened,
        impact=assessment.impact,
        engineering=EngineeringFindings(**findings) if findings else None,
        intel=likelihoods_from_record(stored.get("threat_source")),  # as used at submission
    )
    return profile, np.array([by_id[k] for k in pack.scenario_ids])


def planning_profile(assessment: Assessment) -> SiteProfile:
    """The site profile plans of ``assessment`` are made for (as :func:`plan_problem` does)."""
    basis = _stored_basis(assessment, current_pack())
    return basis[0] if basis is not None else profile_for(assessment, assessment.site)


def plan_problem(assessment: Assessment) -> PlanProblem:
    """The planning problem of an assessment: its risks per scenario and the candidate measures.

    A submitted or approved assessment plans from what was stored at submission (site type,
    people and risk per scenario), so the plan matches the result on screen, as long as the
    pack has not changed since; otherwise, and for an assessment being edited, from a fresh
    computation. Measure qualities always come from the answers: the stored result does not
    keep them.
    """
    pack = current_pack()
    basis = _stored_basis(assessment, pack)
    if basis is not None:
        profile, risk = basis
        quality = assess(
            pack, profile, dict(assessment.answers), threat_level=assessment.threat_level, top=0
        ).quality
        return problem_for_site(pack, profile.site_type, quality, risk)
    live = compute(assessment, assessment.site, top=0)
    risk = np.array([s.risk for s in live.scenarios])
    return problem_for_site(pack, live.site_type, live.quality, risk)


# ------------------------------------------------------------------ what-if
@dataclass(frozen=True, slots=True)
class PlanChoice:
    """How one plan of a what-if comparison is made.

    With a ``budget``, the budget-optimal plan for that one-off (capital) budget and the
    optional running-cost and openness limits, solved exactly as on the plan page; without one,
    exactly the listed ``measures`` (hand-picked).
    """

    budget: float | None = None
    opex_budget: float | None = None  # None: no limit
    openness_limit: float | None = None  # None: no limit
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class WhatIf:
    """Two plans compared by the engine, with what the page shows beside the engine's figures."""

    comparison: PlanComparison
    currency: str
    openness_a: int
    openness_b: int
    only_a: tuple[Measure, ...]
    only_b: tuple[Measure, ...]
    both: tuple[Measure, ...]


def plan_conflicts(
    pack: RiskPack, site_type: str, quality: Mapping[str, float], measures: Sequence[str]
) -> list[str]:
    """Why a hand-picked set of measures is not a plan the optimiser could choose; [] if it is.

    A measure must exist and suit the site type; its prerequisites must be in the plan or
    already fully in place; two measures that exclude each other cannot both be planned, nor
    can a measure that excludes one already fully in place.
    """
    chosen = set(measures)
    problems: list[str] = []
    reported: set[frozenset[str]] = set()
    for mid in dict.fromkeys(measures):
        if mid not in pack.measure_index:
            problems.append(_("“%(m)s” is not a measure of the catalogue.") % {"m": mid})
            continue
        measure = pack.measure(mid)
        if not measure.applies_to(site_type):
            problems.append(_("“%(m)s” does not suit this type of site.") % {"m": measure.name})
        for pid in measure.requires:
            if pid not in chosen and quality.get(pid, 0.0) < 1.0:
                problems.append(
                    _("“%(m)s” needs “%(p)s”: add it to the plan or remove “%(m)s”.")
                    % {"m": measure.name, "p": pack.measure(pid).name}
                )
        for xid in measure.excludes:
            pair = frozenset((mid, xid))
            if xid in chosen and pair not in reported:
                reported.add(pair)
                problems.append(
                    _("“%(a)s” and “%(b)s” exclude each other: keep only one of them.")
                    % {"a": measure.name, "b": pack.measure(xid).name}
                )
            elif xid not in chosen and quality.get(xid, 0.0) >= 1.0:
                problems.append(
                    _("“%(m)s” cannot be added: “%(x)s” is already in place and excludes it.")
                    % {"m": measure.name, "x": pack.measure(xid).name}
                )
    return problems


def _no_limit(value: float | None) -> float:
    return float("inf") if value is None else value


def compare_for(
    assessment: Assessment,
    plan_a: PlanChoice,
    plan_b: PlanChoice,
    *,
    problem: PlanProblem | None = None,
) -> WhatIf:
    """Residual risk per scenario and cost of two plans for an assessment (engine ``whatif``).

    Both plans are scored on the same site profile as :func:`plan_problem` (the one stored at
    submission, or the site's current facts while the assessment is edited). A hand-picked plan
    that breaks a prerequisite or an exclusion raises ``ValidationError`` with every problem,
    as ``plan_a`` or ``plan_b`` field errors; nothing is compared then.
    """
    pack = current_pack()
    profile = planning_profile(assessment)
    answers = dict(assessment.answers)
    quality: Mapping[str, float] | None = None  # measure qualities, for hand-picked plans
    plans: dict[str, tuple[str, ...]] = {}
    errors: list[FieldError] = []
    for key, choice in (("plan_a", plan_a), ("plan_b", plan_b)):
        if choice.budget is not None:
            if problem is None:
                problem = plan_problem(assessment)
            plans[key] = solve_plan(
                problem,
                capex_budget=choice.budget,
                opex_budget=_no_limit(choice.opex_budget),
                openness_limit=_no_limit(choice.openness_limit),
            ).chosen
            continue
        if quality is None:
            quality = assess(
                pack, profile, answers, threat_level=assessment.threat_level, top=0
            ).quality
        for message in plan_conflicts(pack, profile.site_type, quality, choice.measures):
            errors.append(FieldError(key, message))
        plans[key] = tuple(dict.fromkeys(choice.measures))
    if errors:
        raise ValidationError(_("These plans cannot be compared."), errors=errors)
    comparison = compare_plans(
        pack,
        profile,
        answers,
        plans["plan_a"],
        plans["plan_b"],
        threat_level=assessment.threat_level,
    )
    a, b = set(comparison.plan_a), set(comparison.plan_b)

    def measures(ids: set[str]) -> tuple[Measure, ...]:
        return tuple(m for m in pack.measures if m.id in ids)

    return WhatIf(
        comparison=comparison,
        currency=pack.currency,
        openness_a=sum(pack.measure(m).openness for m in comparison.plan_a),
        openness_b=sum(pack.measure(m).openness for m in comparison.plan_b),
        only_a=measures(a - b),
        only_b=measures(b - a),
        both=measures(a & b),
    )
