"""All writes of the capacity app: the technical-assistance workflow, courses and national
action plans. Every function validates first (every problem at once), then writes and records
its audit event in one transaction. Reads that check permissions live here too.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.vocab import SiteType
from placeguard.web.audit import services as audit
from placeguard.web.capacity import access
from placeguard.web.capacity.choices import ActionStatus, Gender, KirkpatrickLevel, RequestStatus
from placeguard.web.capacity.models import (
    ActionPlan,
    Course,
    Evidence,
    Participant,
    PlanAction,
    PlanIndicator,
    PlanObjective,
    ProgressReport,
    TrainingRequest,
)
from placeguard.web.orgs.models import Organisation, User

__all__ = [
    "FOLLOW_UP_MONTHS",
    "TRANSITIONS",
    "add_action",
    "add_course",
    "add_evidence",
    "add_indicator",
    "add_objective",
    "add_participant",
    "add_progress_report",
    "advance",
    "create_plan",
    "get_course_for",
    "get_plan_for",
    "get_request_for",
    "import_participants",
    "mandate_labels",
    "promote_to_plan_action",
    "request_training_from",
    "set_action_status",
    "submit_request",
    "update_participant",
    "update_plan",
]

#: The follow-up report is due this many months after delivery (CTED's six-month rule).
FOLLOW_UP_MONTHS = 6

S = RequestStatus
#: Allowed moves: from → {to}. Each target names who may make the move and what it needs.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.TRIAGED, S.DECLINED}),
    S.TRIAGED: frozenset({S.ASSESSED, S.DECLINED}),
    S.ASSESSED: frozenset({S.PLANNED}),
    S.PLANNED: frozenset({S.DELIVERING}),
    S.DELIVERING: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.EVALUATED}),
    S.EVALUATED: frozenset({S.FOLLOW_UP_DUE}),
    S.FOLLOW_UP_DUE: frozenset({S.CLOSED}),
}
#: Statuses in which courses and participants may still be added or changed.
COURSE_STATUSES = frozenset({S.PLANNED, S.DELIVERING, S.DELIVERED, S.EVALUATED})


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _snapshot(obj: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if k not in set(exclude)}


def _invalid(problems: list[FieldError]) -> None:
    if problems:
        raise ValidationError(
            _("%(n)d problem(s); nothing was saved.") % {"n": len(problems)}, errors=problems
        )


def _text(
    raw: Mapping[str, Any],
    key: str,
    problems: list[FieldError],
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = raw.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(FieldError(key, _("must be text")))
        return ""
    value = value.strip()
    if required and not value:
        problems.append(FieldError(key, _("is required"), "required"))
    if max_length is not None and len(value) > max_length:
        problems.append(FieldError(key, _("at most %(n)d characters") % {"n": max_length}))
    return value


def _date(
    raw: Mapping[str, Any], key: str, problems: list[FieldError], *, required: bool = False
) -> dt.date | None:
    value = raw.get(key)
    if value in (None, ""):
        if required:
            problems.append(FieldError(key, _("is required"), "required"))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(FieldError(key, _("must be a date (YYYY-MM-DD)")))
        return None


def _float(
    raw: Mapping[str, Any],
    key: str,
    problems: list[FieldError],
    *,
    low: float | None = None,
    high: float | None = None,
) -> float | None:
    value: Any = raw.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(FieldError(key, _("must be a number")))
        return None
    if number != number or number in (float("inf"), float("-inf")):  # noqa: PLR0124 - NaN
        problems.append(FieldError(key, _("must be a finite number")))
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        problems.append(
            FieldError(
                key,
                _("must be between %(lo)g and %(hi)g")
                % {
                    "lo": low if low is not None else float("-inf"),
                    "hi": high if high is not None else float("inf"),
                },
            )
        )
        return None
    return number


def _money(raw: Mapping[str, Any], key: str, problems: list[FieldError]) -> Decimal | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.append(FieldError(key, _("must be a number")))
        return None
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        problems.append(FieldError(key, _("must be between 0 and 10¹²")))
        return None
    return number.quantize(Decimal("0.01"))


def _list(
    raw: Mapping[str, Any],
    key: str,
    problems: list[FieldError],
    allowed: Sequence[str] | None = None,
) -> list[str]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems.append(FieldError(key, _("must be a list of text")))
        return []
    items = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if allowed is not None:
        unknown = [v for v in items if v not in allowed]
        if unknown:
            problems.append(FieldError(key, _("unknown: %(v)s") % {"v": ", ".join(unknown)}))
    return items


def _origin(raw: Mapping[str, Any], problems: list[FieldError]) -> dict[str, str]:
    out = {
        "origin_label": _text(raw, "origin_label", problems, max_length=300),
        "origin_url": _text(raw, "origin_url", problems, max_length=500),
        "origin_ref": _text(raw, "origin_ref", problems, max_length=120),
    }
    url = out["origin_url"]
    if url and not (url.startswith("/") or url.startswith(("https://", "http://"))):
        problems.append(FieldError("origin_url", _("must be a path (/…) or an http(s) URL")))
    return out


# ------------------------------------------------------------------ reads
def get_request_for(user: User, pk: int | str, *, manage: bool = False) -> TrainingRequest:
    """A request ``user`` sees (NotFoundError), optionally one they may move (403)."""
    try:
        req = access.visible_to(user).select_related("requesting_org").get(pk=int(pk))
    except (TrainingRequest.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Training request not found.")) from None
    if manage and not access.can_manage(user):
        raise PermissionDeniedError(_("Only the programme office manages training requests."))
    return req


def get_course_for(user: User, pk: int | str, *, manage: bool = False) -> Course:
    """A course ``user`` sees (its request is visible), optionally one they may change."""
    try:
        course = (
            Course.objects.filter(request__in=access.visible_to(user))
            .select_related("request", "request__requesting_org")
            .get(pk=int(pk))
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Course not found.")) from None
    if manage and not access.can_manage(user):
        raise PermissionDeniedError(_("Only the programme office manages courses."))
    return course


def get_plan_for(user: User, pk: int | str, *, edit: bool = False) -> ActionPlan:
    """A plan ``user`` sees, optionally one they may edit."""
    try:
        plan = access.plans_visible_to(user).select_related("owner").get(pk=int(pk))
    except (ActionPlan.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Action plan not found.")) from None
    if edit and not access.can_edit_plan(user, plan):
        raise PermissionDeniedError(_("Only the owning authority edits its action plan."))
    return plan


# ------------------------------------------------------------------ requests
def _scenario_ids() -> tuple[str, ...]:
    from placeguard.content import load_risk_pack

    return tuple(load_risk_pack().scenario_ids)


def submit_request(
    raw: Mapping[str, Any], *, actor: User | None, requesting_org: Organisation | None = None
) -> TrainingRequest:
    """A State authority asks for technical assistance (status *submitted*).

    ``raw``: title, need (required), target_audience, scenarios (risk-pack ids), site_types,
    legal_basis, preferred_start, preferred_end, origin_label, origin_url, origin_ref.
    ``actor=None`` (the system) must name ``requesting_org``.
    """
    if actor is not None:
        if not access.can_request(actor):
            raise PermissionDeniedError(
                _("Only editors of a vetted authority or police force request assistance.")
            )
        requesting_org = actor.organisation
    if requesting_org is None:
        msg = "requesting_org is required without an actor"
        raise ValueError(msg)
    problems: list[FieldError] = []
    fields: dict[str, Any] = {
        "title": _text(raw, "title", problems, required=True, max_length=200),
        "need": _text(raw, "need", problems, required=True),
        "target_audience": _text(raw, "target_audience", problems),
        "legal_basis": _text(raw, "legal_basis", problems),
        "scenarios": _list(raw, "scenarios", problems, _scenario_ids()),
        "site_types": _list(raw, "site_types", problems, [t.value for t in SiteType]),
        "preferred_start": _date(raw, "preferred_start", problems),
        "preferred_end": _date(raw, "preferred_end", problems),
        **_origin(raw, problems),
    }
    start, end = fields["preferred_start"], fields["preferred_end"]
    if start and end and end < start:
        problems.append(FieldError("preferred_end", _("must not be before the preferred start")))
    _invalid(problems)
    with transaction.atomic():
        req = TrainingRequest.objects.create(
            requesting_org=requesting_org, created_by=actor, status=S.SUBMITTED, **fields
        )
        audit.record(
            actor=actor,
            action="training_request.submit",
            obj=req,
            diff=audit.diff_fields(None, _snapshot(req)),
        )
    return req


def request_training_from(
    *,
    actor: User | None,
    requesting_org: Organisation | None = None,
    title: str,
    need: str,
    origin_label: str,
    origin_url: str,
    origin_ref: str,
    **extra: Any,
) -> TrainingRequest:
    """Turn an item elsewhere (e.g. an exercise's corrective action) into a training request.

    ``origin_ref`` is a generic reference ``app_label.model:pk``; the request shows the label
    and link, and :func:`placeguard.web.capacity.queries.produced_by` finds it again.
    """
    if not origin_label.strip():
        raise ValidationError(
            _("Say where the request comes from."),
            errors=[FieldError("origin_label", _("is required"), "required")],
        )
    raw = {
        "title": title,
        "need": need,
        "origin_label": origin_label,
        "origin_url": origin_url,
        "origin_ref": origin_ref,
        **extra,
    }
    return submit_request(raw, actor=actor, requesting_org=requesting_org)


def _fields_for(  # noqa: PLR0911 - one return per step
    to: str, req: TrainingRequest, raw: Mapping[str, Any], problems: list[FieldError]
) -> dict[str, Any]:
    """What each target status records (and requires)."""
    if to == S.TRIAGED:
        return {"triage_note": _text(raw, "note", problems, required=True)}
    if to == S.DECLINED:
        return {"triage_note": _text(raw, "note", problems, required=True)}
    if to == S.ASSESSED:
        return {"assessment": _text(raw, "assessment", problems, required=True)}
    if to == S.PLANNED:
        out: dict[str, Any] = {
            "plan_activities": _text(raw, "activities", problems, required=True),
            "plan_partners": _text(raw, "partners", problems),
            "budget": _money(raw, "budget", problems),
            "currency": _text(raw, "currency", problems, max_length=3).upper(),
        }
        if out["budget"] is not None and len(out["currency"]) != 3:
            problems.append(FieldError("currency", _("a budget needs a three-letter currency")))
        return out
    if to == S.DELIVERED:
        day = _date(raw, "delivered_on", problems, required=True)
        if not req.courses.exists():
            problems.append(FieldError("delivered_on", _("record at least one course first")))
        return {
            "delivered_on": day,
            "followup_due": add_months(day, FOLLOW_UP_MONTHS) if day else None,
        }
    if to == S.EVALUATED:
        if not Participant.objects.filter(course__request=req).exists():
            problems.append(FieldError("summary", _("record the participants first")))
        return {"evaluation_summary": _text(raw, "summary", problems, required=True)}
    if to == S.CLOSED:
        day = _date(raw, "completed_on", problems, required=True)
        if day and req.delivered_on and day < req.delivered_on:
            problems.append(FieldError("completed_on", _("must not be before the delivery")))
        return {
            "followup_completed_on": day,
            "followup_report": _text(raw, "report", problems, required=True),
        }
    return {}


def may_advance(user: User | None, req: TrainingRequest, to: str) -> bool:
    """Whether ``user`` may make this move (the system, ``None``, always may)."""
    if user is None:
        return True
    if to == S.CLOSED:
        return access.can_write_followup(user, req)
    return access.can_manage(user)


def advance(
    req: TrainingRequest, *, actor: User | None, to: str, raw: Mapping[str, Any] | None = None
) -> TrainingRequest:
    """Move ``req`` to ``to`` (see :data:`TRANSITIONS`), recording what the step needs.

    The programme office makes every move except closing with the follow-up report, which the
    requesting organisation may also record. Delivery sets the follow-up due date six months
    later.
    """
    raw = raw or {}
    if actor is not None:
        req = get_request_for(actor, req.pk)
        if not may_advance(actor, req, to):
            raise PermissionDeniedError(_("Your role does not allow this step."))
    if to not in TRANSITIONS.get(req.status, frozenset()):
        raise ConflictError(
            _("A request that is %(now)s cannot become %(to)s.")
            % {"now": req.get_status_display(), "to": to},
            code="invalid_transition",
        )
    problems: list[FieldError] = []
    fields = _fields_for(to, req, raw, problems)
    _invalid(problems)
    with transaction.atomic():
        locked = TrainingRequest.objects.select_for_update().get(pk=req.pk)
        if locked.status != req.status:
            raise ConflictError(_("The request changed meanwhile; reload."), code="stale")
        before = _snapshot(locked)
        locked.status = to
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.save()
        audit.record(
            actor=actor,
            action=f"training_request.{to}",
            obj=locked,
            diff=audit.diff_fields(before, _snapshot(locked)),
        )
    return locked


# ------------------------------------------------------------------ courses
def _course_fields(raw: Mapping[str, Any], problems: list[FieldError]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": _text(raw, "title", problems, required=True, max_length=200),
        "topic": _text(raw, "topic", problems, required=True, max_length=120),
        "sector": _text(raw, "sector", problems, max_length=120),
        "location": _text(raw, "location", problems, max_length=200),
        "start": _date(raw, "start", problems, required=True),
        "end": _date(raw, "end", problems),
        "max_score": _float(raw, "max_score", problems, low=1.0, high=10000.0) or 100.0,
    }
    if out["start"] and out["end"] and out["end"] < out["start"]:
        problems.append(FieldError("end", _("must not be before the start")))
    return out


def add_course(req: TrainingRequest, raw: Mapping[str, Any], *, actor: User | None) -> Course:
    """A course (or tabletop exercise, mentoring session) under a planned request."""
    if actor is not None:
        req = get_request_for(actor, req.pk, manage=True)
    if req.status not in COURSE_STATUSES:
        raise ConflictError(_("Courses are added once the request is planned."), code="status")
    problems: list[FieldError] = []
    fields = _course_fields(raw, problems)
    _invalid(problems)
    with transaction.atomic():
        course = Course.objects.create(request=req, **fields)
        audit.record(
            actor=actor,
            action="course.create",
            obj=course,
            diff=audit.diff_fields(None, _snapshot(course)),
        )
    return course


def _participant_fields(
    raw: Mapping[str, Any], course: Course, problems: list[FieldError]
) -> dict[str, Any]:
    gender = raw.get("gender") or ""
    if gender not in Gender.values:
        problems.append(FieldError("gender", _("unknown value (leave blank: not stated)")))
        gender = ""
    out = {
        "name": _text(raw, "name", problems, required=True, max_length=200),
        "organisation": _text(raw, "organisation", problems, max_length=200),
        "role": _text(raw, "role", problems, max_length=120),
        "gender": gender,
        "attended": bool(raw.get("attended", True)),
        "completed": bool(raw.get("completed", False)),
        "pre_score": _float(raw, "pre_score", problems, low=0.0, high=course.max_score),
        "post_score": _float(raw, "post_score", problems, low=0.0, high=course.max_score),
        "satisfaction": _float(raw, "satisfaction", problems, low=1.0, high=5.0),
    }
    if out["completed"] and not out["attended"]:
        problems.append(FieldError("completed", _("only an attendee can complete the course")))
    return out


def add_participant(course: Course, raw: Mapping[str, Any], *, actor: User | None) -> Participant:
    """Add a participant (scores may come later through :func:`update_participant`)."""
    if actor is not None:
        course = get_course_for(actor, course.pk, manage=True)
    if course.request.status not in COURSE_STATUSES:
        raise ConflictError(_("This request no longer takes participants."), code="status")
    problems: list[FieldError] = []
    fields = _participant_fields(raw, course, problems)
    _invalid(problems)
    with transaction.atomic():
        person = Participant.objects.create(course=course, **fields)
        audit.record(
            actor=actor,
            action="participant.create",
            obj=person,
            diff=audit.diff_fields(None, _snapshot(person)),
        )
    return person


def update_participant(
    person: Participant, raw: Mapping[str, Any], *, actor: User | None
) -> Participant:
    """Replace a participant's fields (attendance, scores, satisfaction)."""
    course = person.course
    if actor is not None:
        course = get_course_for(actor, course.pk, manage=True)
    if course.request.status not in COURSE_STATUSES:
        raise ConflictError(_("This request no longer takes changes."), code="status")
    problems: list[FieldError] = []
    fields = _participant_fields({**_snapshot(person), **raw}, course, problems)
    _invalid(problems)
    with transaction.atomic():
        before = _snapshot(person)
        for key, value in fields.items():
            setattr(person, key, value)
        person.save()
        audit.record(
            actor=actor,
            action="participant.update",
            obj=person,
            diff=audit.diff_fields(before, _snapshot(person)),
        )
    return person


def _gender_cell(value: str | None) -> str:
    text = (value or "").strip().lower()
    return "" if text in {"", "not stated", "not_stated"} else text


def import_participants(course: Course, text: str, *, actor: User | None) -> list[Participant]:
    """Add every participant of a roster CSV (layout: ``engines/preparedness/roster.py``;
    the ``course`` column is not needed). All or nothing: every bad cell is reported."""
    from placeguard.core.errors import ImportValidationError, RowError
    from placeguard.engines.preparedness.roster import parse_roster

    if actor is not None:
        course = get_course_for(actor, course.pk, manage=True)
    if course.request.status not in COURSE_STATUSES:
        raise ConflictError(_("This request no longer takes participants."), code="status")
    rows = parse_roster(text, require_course=False, default_max_score=course.max_score)
    problems: list[RowError] = []
    prepared = []
    for n, row in enumerate(rows, start=1):
        r = row.record
        raw = {
            "name": r.participant,
            "organisation": row.organisation,
            "role": row.role,
            "gender": _gender_cell(r.gender),
            "attended": r.attended,
            "completed": row.completed,
            "pre_score": r.pre,
            "post_score": r.post,
            "satisfaction": r.satisfaction,
        }
        errors: list[FieldError] = []
        fields = _participant_fields(raw, course, errors)
        problems += [RowError(n, e.field, e.message) for e in errors]
        prepared.append(fields)
    if problems:
        raise ImportValidationError(problems)
    out = []
    with transaction.atomic():
        for fields in prepared:
            person = Participant.objects.create(course=course, **fields)
            audit.record(
                actor=actor,
                action="participant.import",
                obj=person,
                diff=audit.diff_fields(None, _snapshot(person)),
            )
            out.append(person)
    return out


def add_evidence(course: Course, raw: Mapping[str, Any], *, actor: User | None) -> Evidence:
    """Kirkpatrick evidence; levels 3–4 may cite a later exercise by reference or URL."""
    if actor is not None:
        course = get_course_for(actor, course.pk, manage=True)
    problems: list[FieldError] = []
    try:
        level = int(raw.get("level") or 0)
    except (TypeError, ValueError):
        level = 0
    if level not in KirkpatrickLevel.values:
        problems.append(FieldError("level", _("must be 1, 2, 3 or 4")))
    fields = {
        "description": _text(raw, "description", problems, required=True),
        "source": _text(raw, "source", problems, required=True, max_length=200),
        "reference_url": _text(raw, "reference_url", problems, max_length=500),
        "date": _date(raw, "date", problems),
    }
    _invalid(problems)
    with transaction.atomic():
        item = Evidence.objects.create(course=course, level=level, **fields)
        audit.record(
            actor=actor,
            action="evidence.create",
            obj=item,
            diff=audit.diff_fields(None, _snapshot(item)),
        )
    return item


# ------------------------------------------------------------------ plans
PLAN_TEXT = (
    "purpose",
    "scope",
    "methodology",
    "problem_definition",
    "risk_assessment",
    "risk_management",
    "coordination",
    "related_strategies",
)


def create_plan(
    raw: Mapping[str, Any], *, actor: User | None, owner: Organisation | None = None
) -> ActionPlan:
    """A national action plan owned by the actor's authority (``owner`` for the system)."""
    if actor is not None:
        if not access.can_edit_plan(actor):
            raise PermissionDeniedError(_("Only editors of a vetted authority create plans."))
        owner = actor.organisation
    if owner is None:
        msg = "owner is required without an actor"
        raise ValueError(msg)
    problems: list[FieldError] = []
    fields: dict[str, Any] = {
        "title": _text(raw, "title", problems, required=True, max_length=200),
        "reporting_frequency": _text(raw, "reporting_frequency", problems, max_length=120),
    }
    fields.update({k: _text(raw, k, problems) for k in PLAN_TEXT})
    _invalid(problems)
    with transaction.atomic():
        plan = ActionPlan.objects.create(owner=owner, created_by=actor, **fields)
        audit.record(
            actor=actor,
            action="action_plan.create",
            obj=plan,
            diff=audit.diff_fields(None, _snapshot(plan)),
        )
    return plan


def update_plan(plan: ActionPlan, raw: Mapping[str, Any], *, actor: User | None) -> ActionPlan:
    """Replace the strategy text of a plan (fields missing from ``raw`` are kept)."""
    if actor is not None:
        plan = get_plan_for(actor, plan.pk, edit=True)
    merged = {**_snapshot(plan), **raw}
    problems: list[FieldError] = []
    fields: dict[str, Any] = {
        "title": _text(merged, "title", problems, required=True, max_length=200),
        "reporting_frequency": _text(merged, "reporting_frequency", problems, max_length=120),
    }
    fields.update({k: _text(merged, k, problems) for k in PLAN_TEXT})
    _invalid(problems)
    with transaction.atomic():
        before = _snapshot(plan)
        for key, value in fields.items():
            setattr(plan, key, value)
        plan.save()
        audit.record(
            actor=actor,
            action="action_plan.update",
            obj=plan,
            diff=audit.diff_fields(before, _snapshot(plan)),
        )
    return plan


def add_objective(plan: ActionPlan, raw: Mapping[str, Any], *, actor: User | None) -> PlanObjective:
    """An objective (priority 1 = highest)."""
    if actor is not None:
        plan = get_plan_for(actor, plan.pk, edit=True)
    problems: list[FieldError] = []
    title = _text(raw, "title", problems, required=True, max_length=300)
    priority = _float(raw, "priority", problems, low=1, high=99)
    if priority is not None and priority != int(priority):
        problems.append(FieldError("priority", _("must be a whole number")))
    _invalid(problems)
    with transaction.atomic():
        obj = PlanObjective.objects.create(
            plan=plan, title=title, priority=None if priority is None else int(priority)
        )
        audit.record(
            actor=actor,
            action="plan_objective.create",
            obj=obj,
            diff=audit.diff_fields(None, _snapshot(obj)),
        )
    return obj


def mandate_labels() -> dict[str, str]:
    """Provision id → citation label, e.g. ``S/RES/2341 (2017) OP5 — partnerships``."""
    from placeguard.content.preparedness import load_preparedness_pack

    cat = load_preparedness_pack().mandates
    out = {}
    for p in cat.provisions:
        symbol = cat.instruments[p.instrument].symbol
        where = f" {p.paragraph}" if p.paragraph else ""
        out[p.id] = f"{symbol}{where} — {p.theme.replace('_', ' ')}"
    return out


def _milestones(raw: Mapping[str, Any], problems: list[FieldError]) -> list[dict[str, str]]:
    value = raw.get("milestones") or []
    if isinstance(value, str):  # "label | YYYY-MM-DD" one a line
        value = [
            dict(zip(("label", "date"), [p.strip() for p in line.rsplit("|", 1)], strict=False))
            for line in value.splitlines()
            if line.strip()
        ]
    out: list[dict[str, str]] = []
    if not isinstance(value, list):
        problems.append(FieldError("milestones", _("must be a list")))
        return out
    for i, item in enumerate(value):
        label = item.get("label", "") if isinstance(item, dict) else ""
        day = item.get("date", "") if isinstance(item, dict) else ""
        try:
            parsed = dt.date.fromisoformat(str(day))
        except ValueError:
            problems.append(FieldError(f"milestones[{i}]", _("needs “label | YYYY-MM-DD”")))
            continue
        if not str(label).strip():
            problems.append(FieldError(f"milestones[{i}]", _("needs a label")))
            continue
        out.append({"label": str(label).strip(), "date": parsed.isoformat()})
    return out


def add_action(
    objective: PlanObjective, raw: Mapping[str, Any], *, actor: User | None
) -> PlanAction:
    """An action: lead and supporting agencies, mandate references (provision ids of the
    mandates content), milestones, end, budget, status and an optional origin."""
    if actor is not None:
        get_plan_for(actor, objective.plan_id, edit=True)
    problems: list[FieldError] = []
    fields: dict[str, Any] = {
        "title": _text(raw, "title", problems, required=True, max_length=300),
        "lead_agency": _text(raw, "lead_agency", problems, max_length=200),
        "supporting_agencies": _list(raw, "supporting_agencies", problems),
        "mandate_refs": _list(raw, "mandate_refs", problems, list(mandate_labels())),
        "milestones": _milestones(raw, problems),
        "end": _date(raw, "end", problems),
        "budget": _money(raw, "budget", problems),
        "currency": _text(raw, "currency", problems, max_length=3).upper(),
        **_origin(raw, problems),
    }
    status = raw.get("status") or ActionStatus.PLANNED
    if status not in ActionStatus.values:
        problems.append(FieldError("status", _("unknown status")))
    _invalid(problems)
    with transaction.atomic():
        action = PlanAction.objects.create(objective=objective, status=status, **fields)
        audit.record(
            actor=actor,
            action="plan_action.create",
            obj=action,
            diff=audit.diff_fields(None, _snapshot(action)),
        )
    return action


def promote_to_plan_action(
    *,
    actor: User | None,
    plan_objective: PlanObjective,
    title: str,
    origin_label: str,
    origin_url: str,
    origin_ref: str,
    **extra: Any,
) -> PlanAction:
    """Promote an item from elsewhere (e.g. a corrective action) to a national-plan action."""
    if not origin_label.strip():
        raise ValidationError(
            _("Say where the action comes from."),
            errors=[FieldError("origin_label", _("is required"), "required")],
        )
    raw = {
        "title": title,
        "origin_label": origin_label,
        "origin_url": origin_url,
        "origin_ref": origin_ref,
        **extra,
    }
    return add_action(plan_objective, raw, actor=actor)


def set_action_status(action: PlanAction, status: str, *, actor: User | None) -> PlanAction:
    """Change an action's status."""
    if actor is not None:
        get_plan_for(actor, action.objective.plan_id, edit=True)
    if status not in ActionStatus.values:
        raise ValidationError(_("Unknown status."), errors=[FieldError("status", _("unknown"))])
    with transaction.atomic():
        before = action.status
        action.status = status
        action.save(update_fields=["status"])
        audit.record(
            actor=actor, action="plan_action.status", obj=action, diff={"status": [before, status]}
        )
    return action


def add_indicator(
    action: PlanAction, raw: Mapping[str, Any], *, actor: User | None
) -> PlanIndicator:
    """An indicator with baseline, target, frequency and data source."""
    if actor is not None:
        get_plan_for(actor, action.objective.plan_id, edit=True)
    problems: list[FieldError] = []
    fields = {
        "definition": _text(raw, "definition", problems, required=True, max_length=300),
        "unit": _text(raw, "unit", problems, max_length=60),
        "baseline": _float(raw, "baseline", problems),
        "target": _float(raw, "target", problems),
        "frequency": _text(raw, "frequency", problems, max_length=60),
        "data_source": _text(raw, "data_source", problems, max_length=200),
    }
    _invalid(problems)
    with transaction.atomic():
        item = PlanIndicator.objects.create(action=action, **fields)
        audit.record(
            actor=actor,
            action="plan_indicator.create",
            obj=item,
            diff=audit.diff_fields(None, _snapshot(item)),
        )
    return item


def add_progress_report(
    plan: ActionPlan, raw: Mapping[str, Any], *, actor: User | None
) -> ProgressReport:
    """A periodic progress report (e.g. the six-month follow-up)."""
    if actor is not None:
        plan = get_plan_for(actor, plan.pk, edit=True)
    problems: list[FieldError] = []
    period_end = _date(raw, "period_end", problems, required=True)
    summary = _text(raw, "summary", problems, required=True)
    _invalid(problems)
    assert period_end is not None  # _invalid raised otherwise
    with transaction.atomic():
        item = ProgressReport.objects.create(
            plan=plan, period_end=period_end, summary=summary, created_by=actor
        )
        audit.record(
            actor=actor,
            action="progress_report.create",
            obj=item,
            diff=audit.diff_fields(None, _snapshot(item)),
        )
    return item
