"""Scoped reads of assessments, always starting from ``access`` visibility.

Comparison (:func:`diff_assessments`), the national or operator portfolio (:func:`portfolio`)
and costed plans (:func:`plan`) are reads too: they compute, they never store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import NotFoundError, ValidationError
from placeguard.engines.risk.catalogue import SITE_TYPES
from placeguard.engines.risk.planning import pareto_curve, solve_plan
from placeguard.web.assessments import access, scoring
from placeguard.web.assessments.choices import (
    CLOSED_ACTION_STATUSES,
    OPEN_STATUSES,
    AcceptanceStatus,
    AssessmentStatus,
)
from placeguard.web.assessments.models import ActionItem, Assessment, ReviewComment, RiskAcceptance
from placeguard.web.orgs.models import User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.choices import SiteStatus
from placeguard.web.sites.models import Site

__all__ = [
    "AnswerChange",
    "AssessmentDiff",
    "PortfolioFilters",
    "ScenarioChange",
    "acceptance_list",
    "action_item_list",
    "assessment_list",
    "comment_list",
    "diff_assessments",
    "filter_acceptances_by_status",
    "filter_overdue",
    "get_acceptance_for",
    "get_action_item_for",
    "get_assessment_for",
    "history",
    "latest_for_site",
    "open_for_site",
    "plan",
    "portfolio",
    "questions_for",
    "reference_for_site",
    "site_acceptances",
    "site_action_items",
]

Principal = User | AnonymousUser


# ------------------------------------------------------------------ lists and look-ups
def assessment_list(user: Principal) -> QuerySet[Assessment]:
    """Visible assessments with what a list shows, in a fixed number of queries.

    The stored result and answers (large JSON) are left out; the detail loads them.
    """
    return (
        access.visible_to(user)
        .select_related("site", "created_by", "submitted_by", "reviewed_by")
        .defer("result", "answers")
    )


def get_assessment_for(user: Principal, assessment_id: int | str) -> Assessment:
    """A visible assessment with its site (``NotFoundError`` otherwise)."""
    try:
        pk = int(assessment_id)
    except (TypeError, ValueError):
        pk = 0
    found = (
        access.visible_to(user)
        .select_related("site", "created_by", "submitted_by", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFoundError(_("Assessment not found."))
    return found


def history(site: Site) -> QuerySet[Assessment]:
    """Every assessment of a site, newest first (the caller has checked the site is visible)."""
    return (
        Assessment.objects.filter(site=site)
        .select_related("created_by", "submitted_by", "reviewed_by")
        .order_by("-created", "-id")
    )


def latest_for_site(site: Site) -> Assessment | None:
    """The site's newest assessment, whatever its status (the caller has checked visibility)."""
    return history(site).defer("result", "answers").first()


def open_for_site(site: Site) -> Assessment | None:
    """The site's assessment in progress (draft, submitted or returned), if any."""
    return (
        Assessment.objects.filter(site=site, status__in=OPEN_STATUSES)
        .defer("result", "answers")
        .order_by("-created", "-id")
        .first()
    )


def reference_for_site(site: Site) -> Assessment | None:
    """The assessment the site's risk figures come from, as in :func:`portfolio`: the latest
    approved one or, when none was approved yet, the latest submitted one."""
    rows = Assessment.objects.filter(site=site).select_related("site")
    return (
        rows.filter(status=AssessmentStatus.APPROVED).order_by("-reviewed_at", "-id").first()
        or rows.filter(status=AssessmentStatus.SUBMITTED).order_by("-submitted_at", "-id").first()
    )


def site_action_items(user: Principal, site: Site) -> QuerySet[ActionItem]:
    """The visible action items of one site, by due date (undated last)."""
    return (
        action_item_list(user)
        .filter(site=site)
        .select_related("assessment")
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def site_acceptances(user: Principal, site: Site) -> QuerySet[RiskAcceptance]:
    """The visible risk acceptances of one site, newest first."""
    return acceptance_list(user).filter(assessment__site=site).order_by("-accepted_at", "-id")


def comment_list(assessment: Assessment) -> QuerySet[ReviewComment]:
    """An assessment's comments, oldest first (the caller has checked it is visible)."""
    return ReviewComment.objects.filter(assessment=assessment).select_related("author")


def action_item_list(user: Principal) -> QuerySet[ActionItem]:
    """Visible action items with their site and owner."""
    return access.action_items_visible_to(user).select_related("site", "owner")


def get_action_item_for(user: Principal, item_id: int | str) -> ActionItem:
    """A visible action item (``NotFoundError`` otherwise)."""
    try:
        return action_item_list(user).get(pk=int(item_id))
    except (ActionItem.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("Action item not found.")) from None


def filter_overdue(items: QuerySet[ActionItem], overdue: bool) -> QuerySet[ActionItem]:
    """Only overdue items (or only items that are not), as of today."""
    rule = {"due_date__lt": timezone.localdate()}
    late = items.filter(**rule).exclude(status__in=CLOSED_ACTION_STATUSES)
    return late if overdue else items.exclude(pk__in=late.values("pk"))


def acceptance_list(user: Principal) -> QuerySet[RiskAcceptance]:
    """Visible risk acceptances with their assessment, site and signatories."""
    return access.acceptances_visible_to(user).select_related(
        "assessment", "assessment__site", "accepted_by", "revoked_by"
    )


def get_acceptance_for(user: Principal, acceptance_id: int | str) -> RiskAcceptance:
    """A visible risk acceptance (``NotFoundError`` otherwise)."""
    try:
        return acceptance_list(user).get(pk=int(acceptance_id))
    except (RiskAcceptance.DoesNotExist, TypeError, ValueError):
        raise NotFoundError(_("Risk acceptance not found.")) from None


def filter_acceptances_by_status(
    rows: QuerySet[RiskAcceptance], status: str
) -> QuerySet[RiskAcceptance]:
    """Acceptances whose status *as of today* is ``status`` (active ones past their date are
    expired)."""
    today = timezone.localdate()
    if status == AcceptanceStatus.ACTIVE:
        return rows.filter(status=AcceptanceStatus.ACTIVE, expires_on__gte=today)
    if status == AcceptanceStatus.EXPIRED:
        return rows.filter(status=AcceptanceStatus.EXPIRED) | rows.filter(
            status=AcceptanceStatus.ACTIVE, expires_on__lt=today
        )
    return rows.filter(status=status)


# ------------------------------------------------------------------ questions
def questions_for(site_type: str, tier: str | None = None) -> list[dict[str, Any]]:
    """The questions asked for a site type, in pack order, options from worst to best."""
    if site_type not in SITE_TYPES:
        raise ValidationError.from_mapping(
            {"site_type": _("unknown site type; use one of %(t)s") % {"t": ", ".join(SITE_TYPES)}}
        )
    pack = scoring.current_pack()
    return [
        {
            "id": q.id,
            "category": q.category,
            "tier": q.tier,
            "text": q.text,
            "help": q.help,
            "options": [{"index": i, "label": o.label} for i, o in enumerate(q.options)],
            "measures": list(q.measures),
            "scenarios": list(pack.question_scenarios(q)),
        }
        for q in pack.questions_for(site_type)
        if tier is None or q.tier == tier
    ]


# ------------------------------------------------------------------ comparison
@dataclass(frozen=True, slots=True)
class AnswerChange:
    """One question answered differently in the two assessments."""

    question_id: str
    text: str
    old: str
    new: str
    old_value: int | str | None
    new_value: int | str | None


@dataclass(frozen=True, slots=True)
class ScenarioChange:
    """How one scenario's risk and score moved."""

    scenario: str
    name: str
    old_risk: float | None
    new_risk: float | None
    old_score: int | None
    new_score: int | None
    old_band: str
    new_band: str

    @property
    def risk_change(self) -> float | None:
        """New minus old risk (expected casualties per year)."""
        if self.old_risk is None or self.new_risk is None:
            return None
        return self.new_risk - self.old_risk


@dataclass(frozen=True, slots=True)
class AssessmentDiff:
    """What changed from assessment ``old`` to assessment ``new`` of the same site."""

    old: int
    new: int
    old_total: float
    new_total: float
    answers: list[AnswerChange] = field(default_factory=list)
    scenarios: list[ScenarioChange] = field(default_factory=list)


def diff_assessments(a: Assessment, b: Assessment) -> AssessmentDiff:
    """The answers that changed from ``a`` to ``b`` and how each scenario's risk and score moved.

    Results are the stored ones (or, for an assessment being edited, computed afresh).
    """
    if a.site_id != b.site_id:
        raise ValidationError.from_mapping({"other": _("compare assessments of the same site")})
    pack = scoring.current_pack()
    order = {qid: i for i, qid in enumerate(pack.question_index)}
    changed = [q for q in set(a.answers) | set(b.answers) if a.answers.get(q) != b.answers.get(q)]
    changed.sort(key=lambda q: (order.get(q, len(order)), q))
    answers = [
        AnswerChange(
            question_id=q,
            text=pack.question(q).text if q in pack.question_index else q,
            old=scoring.answer_label(pack, q, a.answers.get(q)),
            new=scoring.answer_label(pack, q, b.answers.get(q)),
            old_value=a.answers.get(q),
            new_value=b.answers.get(q),
        )
        for q in changed
    ]
    result_a, _live_a = scoring.result_for(a)
    result_b, _live_b = scoring.result_for(b)
    old_by = {s["scenario"]: s for s in result_a.get("scenarios", [])}
    new_by = {s["scenario"]: s for s in result_b.get("scenarios", [])}
    ids = [k for k in pack.scenario_ids if k in old_by or k in new_by]
    ids += sorted((set(old_by) | set(new_by)) - set(ids))
    scenarios = []
    for k in ids:
        old, new = old_by.get(k, {}), new_by.get(k, {})
        scenarios.append(
            ScenarioChange(
                scenario=k,
                name=str(new.get("name") or old.get("name") or k),
                old_risk=old.get("risk"),
                new_risk=new.get("risk"),
                old_score=old.get("score"),
                new_score=new.get("score"),
                old_band=str(old.get("band", "")),
                new_band=str(new.get("band", "")),
            )
        )
    return AssessmentDiff(
        old=a.pk,
        new=b.pk,
        old_total=float(result_a.get("total_risk", 0.0)),
        new_total=float(result_b.get("total_risk", 0.0)),
        answers=answers,
        scenarios=scenarios,
    )


# ------------------------------------------------------------------ portfolio
PORTFOLIO_ORDERS = ("-risk", "risk", "name", "-name")


@dataclass(frozen=True, slots=True)
class PortfolioFilters:
    """Narrowing and ordering of :func:`portfolio` (filters never widen visibility)."""

    site_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # region codes
    bands: tuple[str, ...] = ()
    assessed: bool | None = None  # True: only sites with a result; False: only those without
    order: str = "-risk"


def portfolio(user: Principal, filters: PortfolioFilters | None = None) -> QuerySet[Site]:
    """Active visible sites, each annotated with its reference assessment, ranked by risk.

    The reference assessment is the latest approved one or, when none was approved yet, the
    latest submitted one. Each site carries ``assessment_id``, ``assessment_status``,
    ``total_risk``, ``worst_band``, ``top_scenario``, ``assessed_at`` (submission time) and
    ``rank`` (1 = largest total risk among the rows selected; unassessed sites rank last).
    One query, whatever the number of sites.
    """
    filters = filters or PortfolioFilters()
    reference = (
        Assessment.objects.filter(
            site_id=OuterRef("pk"),
            status__in=[AssessmentStatus.APPROVED, AssessmentStatus.SUBMITTED],
        )
        .annotate(
            preference=Case(When(status=AssessmentStatus.APPROVED, then=Value(0)), default=Value(1))
        )
        .order_by("preference", "-submitted_at", "-id")
    )

    def pick(column: str) -> Subquery:
        return Subquery(reference.values(column)[:1])

    rows = (
        sites_visible_to(user)
        .filter(status=SiteStatus.ACTIVE)
        .select_related("region", "operator")
        .annotate(
            assessment_id=pick("id"),
            assessment_status=pick("status"),
            total_risk=pick("total_risk"),
            worst_band=pick("worst_band"),
            top_scenario=pick("top_scenario"),
            assessed_at=pick("submitted_at"),
        )
    )
    if filters.site_types:
        rows = rows.filter(site_type__in=filters.site_types)
    if filters.regions:
        rows = rows.filter(region__code__in=filters.regions)
    if filters.bands:
        rows = rows.filter(worst_band__in=filters.bands)
    if filters.assessed is not None:
        rows = rows.filter(assessment_id__isnull=not filters.assessed)
    by_risk = [F("total_risk").desc(nulls_last=True), F("name").asc(), F("id").asc()]
    rows = rows.annotate(rank=Window(RowNumber(), order_by=by_risk))
    orders = {
        "-risk": by_risk,
        "risk": [F("total_risk").asc(nulls_last=True), F("name").asc(), F("id").asc()],
        "name": [F("name").asc(), F("id").asc()],
        "-name": [F("name").desc(), F("id").desc()],
    }
    return rows.order_by(*orders.get(filters.order, by_risk))


# ------------------------------------------------------------------ plans
def plan(
    assessment: Assessment,
    *,
    capex_budget: float,
    opex_budget: float | None = None,
    openness_limit: float | None = None,
    pareto_points: int = 0,
) -> dict[str, Any]:
    """The measures that minimise the assessment's total residual risk within the budgets.

    Solved exactly by the engine (``solve_plan``); ``pareto_points`` > 0 adds the risk/capital
    curve over that many budgets. Costs are in the pack's currency; upgrading a measure from
    quality q costs (1 − q) of its price.
    """
    pack = scoring.current_pack()
    problem = scoring.plan_problem(assessment)
    limits = {
        "opex_budget": float("inf") if opex_budget is None else opex_budget,
        "openness_limit": float("inf") if openness_limit is None else openness_limit,
    }
    result = solve_plan(problem, capex_budget=capex_budget, **limits)
    curve = pareto_curve(problem, points=pareto_points, **limits) if pareto_points else []
    chosen = []
    for mid in result.chosen:
        j = problem.ids.index(mid)
        measure = pack.measure(mid)
        chosen.append(
            {
                "id": mid,
                "name": measure.name,
                "category": measure.category,
                "capex": float(problem.capex[j]),
                "opex": float(problem.opex[j]),
                "openness": int(measure.openness),
            }
        )
    before, after = result.total_before, result.total_after
    return {
        "assessment": assessment.pk,
        "pack_version": pack.version,
        "currency": pack.currency,
        "budget": {"capex": capex_budget, "opex": opex_budget, "openness": openness_limit},
        "candidates": len(problem.ids),
        "chosen": chosen,
        "total": {"capex": result.capex, "opex": result.opex, "openness": result.openness},
        "risk_before": before,
        "risk_after": after,
        "reduction": 1 - after / before if before > 0 else 0.0,
        "residual_by_scenario": [
            {"scenario": s.id, "name": s.name, "before": float(b), "after": float(a)}
            for s, b, a in zip(pack.scenarios, result.risk_before, result.risk_after, strict=True)
        ],
        "pareto": [
            {"budget": p.budget, "capex": p.capex, "risk": p.risk, "chosen": list(p.chosen)}
            for p in curve
        ],
        "status": result.status,
    }
