"""Read-side computations: cohort gains, Kirkpatrick summaries, programme indicators, the
crosswalk and GAO check of a plan, and where items came from / what they produced.

The figures are the engine's (:mod:`placeguard.engines.preparedness`); this module only turns
stored rows into engine inputs, always through the visibility path of
:mod:`placeguard.web.capacity.access`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from placeguard.content.preparedness import load_preparedness_pack
from placeguard.engines.preparedness import plans as engine_plans
from placeguard.engines.preparedness.training import (
    CohortGain,
    FollowUp,
    IndicatorReport,
    KirkpatrickEvidence,
    LevelSummary,
    Scores,
    TrainingRecord,
    cohort_gain,
    indicator_report,
    kirkpatrick_summary,
)
from placeguard.web.capacity import access
from placeguard.web.capacity.models import (
    ActionPlan,
    Course,
    Participant,
    PlanAction,
    PlanObjective,
    TrainingRequest,
)
from placeguard.web.orgs.models import User

__all__ = [
    "course_gain",
    "course_summary",
    "crosswalk",
    "gao",
    "indicators",
    "plan_to_engine",
    "produced_by",
    "training_records",
    "writable_objectives",
]


def course_gain(course: Course) -> CohortGain:
    """Per-participant and cohort normalised gain of the attendees of ``course``."""
    return cohort_gain(
        Scores(str(p.pk), p.pre_score, p.post_score, course.max_score)
        for p in course.participants.all()
        if p.attended
    )


def course_summary(course: Course) -> tuple[LevelSummary, ...]:
    """Kirkpatrick levels 1–4 for ``course``: satisfaction, gain and stored evidence."""
    answers = [
        p.satisfaction
        for p in course.participants.all()
        if p.attended and p.satisfaction is not None
    ]
    evidence = [
        KirkpatrickEvidence(e.level, e.description, e.source, e.date) for e in course.evidence.all()
    ]
    return kirkpatrick_summary(
        evidence,
        satisfaction_mean=sum(answers) / len(answers) if answers else None,
        gain=course_gain(course),
    )


def training_records(requests: Any) -> tuple[list[TrainingRecord], list[FollowUp]]:
    """Engine inputs from a queryset of requests (participants identified by course row and
    name+organisation, so one official in two courses of one topic counts once)."""
    courses = (
        Course.objects.filter(request__in=requests)
        .select_related("request__requesting_org")
        .prefetch_related(Prefetch("participants", queryset=Participant.objects.order_by("id")))
    )
    records: list[TrainingRecord] = []
    for course in courses:
        country = course.request.requesting_org.country_code
        for p in course.participants.all():
            who = f"{p.name.strip().casefold()}|{p.organisation.strip().casefold()}|{country}"
            records.append(
                TrainingRecord(
                    participant=who,
                    course=str(course.pk),
                    country=country,
                    sector=course.sector or "—",
                    topic=course.topic,
                    attended=p.attended,
                    gender=p.gender or None,
                    satisfaction=p.satisfaction,
                    pre=p.pre_score,
                    post=p.post_score,
                    max_score=course.max_score,
                )
            )
    followups = [
        FollowUp(str(r.pk), r.followup_due, r.followup_completed_on)
        for r in requests.filter(followup_due__isnull=False).only(
            "id", "followup_due", "followup_completed_on"
        )
    ]
    return records, followups


def indicators(user: User | AnonymousUser, *, as_of: dt.date) -> IndicatorReport:
    """Programme indicators over the requests ``user`` sees, as of ``as_of``."""
    records, followups = training_records(access.visible_to(user))
    return indicator_report(records, followups, as_of=as_of)


# ------------------------------------------------------------------ plans
def plan_with_tree(plan: ActionPlan) -> list[PlanObjective]:
    """The plan's objectives with actions and indicators prefetched."""
    return list(
        plan.objectives.prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.prefetch_related("indicators"))
        )
    )


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def plan_to_engine(
    plan: ActionPlan, objectives: list[PlanObjective] | None = None
) -> engine_plans.NationalActionPlan:
    """The engine's view of a stored plan (action ids are the database ids as text)."""
    objectives = plan_with_tree(plan) if objectives is None else objectives
    strategy = engine_plans.Strategy(
        title=plan.title,
        purpose=plan.purpose,
        scope=plan.scope,
        methodology=plan.methodology,
        problem_definition=plan.problem_definition,
        risk_assessment=plan.risk_assessment,
        risk_management=plan.risk_management,
        coordination=plan.coordination,
        related_strategies=tuple(
            line.strip() for line in plan.related_strategies.splitlines() if line.strip()
        ),
        reporting_frequency=plan.reporting_frequency,
    )
    out = []
    for o in objectives:
        actions = []
        for a in o.actions.all():
            milestones = tuple(
                (m["label"], d) for m in a.milestones if (d := _day(m.get("date", "")))
            )
            actions.append(
                engine_plans.PlanAction(
                    id=str(a.pk),
                    title=a.title,
                    lead_agency=a.lead_agency,
                    supporting_agencies=tuple(a.supporting_agencies),
                    mandate_refs=tuple(a.mandate_refs),
                    milestones=milestones,
                    end=a.end,
                    budget=None if a.budget is None else float(a.budget),
                    currency=a.currency,
                    status=a.status,
                    indicators=tuple(
                        engine_plans.Indicator(
                            i.definition, i.unit, i.baseline, i.target, i.frequency, i.data_source
                        )
                        for i in a.indicators.all()
                    ),
                )
            )
        out.append(engine_plans.PlanObjective(str(o.pk), o.title, o.priority, tuple(actions)))
    return engine_plans.NationalActionPlan(strategy, tuple(out))


def crosswalk(nap: engine_plans.NationalActionPlan) -> engine_plans.Crosswalk:
    """Which provisions of UNSCR 2341, 2396 and the Plan of Action have no action."""
    return engine_plans.crosswalk(nap, load_preparedness_pack().mandates)


def gao(nap: engine_plans.NationalActionPlan) -> tuple[engine_plans.GaoResult, ...]:
    """GAO's six characteristics: met / partially met / not met."""
    return engine_plans.gao_completeness(nap, load_preparedness_pack().mandates)


@dataclass(frozen=True, slots=True)
class Produced:
    """What an item elsewhere (``origin_ref``) produced here, as far as ``user`` may see."""

    training_requests: list[TrainingRequest]
    plan_actions: list[PlanAction]


def produced_by(user: User | AnonymousUser, origin_ref: str) -> Produced:
    """Training requests and plan actions promoted from ``origin_ref`` (``app.model:pk``)."""
    if not origin_ref:
        return Produced([], [])
    return Produced(
        list(access.visible_to(user).filter(origin_ref=origin_ref)),
        list(
            PlanAction.objects.filter(
                origin_ref=origin_ref, objective__plan__in=access.plans_visible_to(user)
            ).select_related("objective__plan")
        ),
    )


def writable_objectives(user: User | AnonymousUser) -> list[PlanObjective]:
    """Objectives of the plans ``user`` sees and may edit (targets for a promoted action)."""
    if not access.can_edit_plan(user):
        return []
    plans = [p for p in access.plans_visible_to(user) if access.can_edit_plan(user, p)]
    return list(
        PlanObjective.objects.filter(plan__in=plans)
        .select_related("plan")
        .order_by("plan__title", "plan_id", "priority", "id")
    )
