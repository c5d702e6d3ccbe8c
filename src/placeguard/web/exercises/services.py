"""All writes of the exercises app (and the reads that check access first).

Design drafts the MSEL with the preparedness engine from the content templates
(:func:`placeguard.engines.preparedness.msel.draft_msel`); imports are validated by the
engine's all-or-nothing reader; ratings roll up with
:func:`placeguard.engines.preparedness.evaluation.roll_up`; overdue flags come from
:func:`placeguard.engines.preparedness.aar.overdue_actions`. Every function below takes a
keyword-only ``actor``, runs in one transaction and records an audit event in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.content.preparedness import load_preparedness_pack
from placeguard.core.errors import (
    ConflictError,
    FieldError,
    ImportValidationError,
    NotFoundError,
    PermissionDeniedError,
    RowError,
    ValidationError,
)
from placeguard.core.vocab import Scenario, SiteType
from placeguard.engines.preparedness import aar as aar_engine
from placeguard.engines.preparedness import evaluation as eval_engine
from placeguard.engines.preparedness import msel as msel_engine
from placeguard.engines.preparedness.catalogue import DeliveryMethod as Delivery
from placeguard.engines.preparedness.catalogue import InjectType as InjectKind
from placeguard.engines.preparedness.catalogue import TemplateCatalogue
from placeguard.web.audit import services as audit
from placeguard.web.exercises import access
from placeguard.web.exercises.choices import (
    CLOSED_ACTION_STATUSES,
    ENGINE_ACTION_STATUS,
    CapabilityElement,
    ConductEventKind,
    CorrectiveActionStatus,
    DeliveryMethod,
    ExerciseScope,
    ExerciseStatus,
    ExerciseType,
    InjectState,
    InjectType,
    Rating,
)
from placeguard.web.exercises.models import (
    AreaForImprovement,
    ConductEvent,
    CorrectiveAction,
    Exercise,
    Inject,
    InjectResponse,
    Objective,
    Strength,
    TaskRating,
)
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.models import Site

__all__ = [
    "add_area",
    "add_corrective_action",
    "add_strength",
    "clock_seconds",
    "complete_exercise",
    "conduct",
    "create_exercise",
    "delete_inject",
    "get_action_for",
    "get_exercise_for",
    "import_msel",
    "move_inject",
    "overdue_flags",
    "rate_tasks",
    "record_response",
    "regenerate_msel",
    "roll_up",
    "save_inject",
    "suggestions_for_site",
    "templates",
    "update_corrective_action",
]

MAX_TEXT = 4000


# ------------------------------------------------------------------ content
def templates() -> TemplateCatalogue:
    """The shipped MSEL templates (validated, cached)."""
    return load_preparedness_pack().templates


# ------------------------------------------------------------------ reads with access
def get_exercise_for(
    user: User, exercise_id: int | str, *, design: bool = False, evaluate: bool = False
) -> Exercise:
    """An exercise ``user`` sees (NotFoundError), optionally one they may design or rate."""
    try:
        exercise = (
            access.visible_to(user)
            .select_related("owner", "site", "region", "created_by")
            .get(pk=int(exercise_id))
        )
    except (Exercise.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Exercise not found.")) from None
    if design and not access.can_design(user, exercise):
        raise PermissionDeniedError(_("Only editors of the owner organisation may do this."))
    if evaluate and not access.can_evaluate(user, exercise):
        raise PermissionDeniedError(
            _("Only editors of the owner or a participating organisation may do this.")
        )
    return exercise


def get_action_for(user: User, action_id: int | str, *, for_edit: bool = False) -> CorrectiveAction:
    """A corrective action ``user`` sees (NotFoundError), optionally one they may update."""
    try:
        action = (
            access.actions_visible_to(user)
            .select_related("exercise", "area", "owner_org")
            .get(pk=int(action_id))
        )
    except (CorrectiveAction.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("Corrective action not found.")) from None
    if for_edit and not access.can_update_action(user, action):
        raise PermissionDeniedError(_("Only the owning organisation's editors may update this."))
    return action


@dataclass(frozen=True, slots=True)
class ScenarioSuggestion:
    """A scenario offered when designing an exercise for a site, and why."""

    scenario: str
    risk: float | None
    has_template: bool
    suggested: bool
    reason: str


def _site_risks(site: Site) -> list[tuple[str, float]]:
    """(scenario, risk) of the site's reference assessment, highest first."""
    from placeguard.web.assessments.queries import reference_for_site

    assessment = reference_for_site(site)
    if assessment is None or not assessment.result:
        return []
    rows = [
        (str(s["scenario"]), float(s.get("risk") or 0.0))
        for s in assessment.result.get("scenarios", [])
    ]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def open_actions_for_site(site: Site) -> list[CorrectiveAction]:
    """Corrective actions of earlier exercises of ``site`` that are not closed."""
    return list(
        CorrectiveAction.objects.filter(exercise__site=site)
        .exclude(status__in=CLOSED_ACTION_STATUSES)
        .select_related("area")
        .order_by("due", "id")
    )


def suggestions_for_site(site: Site | None, *, top: int = 2) -> list[ScenarioSuggestion]:
    """Every templated scenario, the site's ``top`` highest-risk ones marked as suggested.

    Scenarios of the latest reference assessment (approved, else submitted) come first, in
    risk order; high-risk scenarios without a template are listed (not selectable) so the
    planner knows to write injects for them.
    """
    catalogue = templates().templates
    risks = _site_risks(site) if site is not None else []
    out: list[ScenarioSuggestion] = []
    seen: set[str] = set()
    for rank, (scenario, risk) in enumerate(risks):
        seen.add(scenario)
        templated = scenario in catalogue
        top_rank = rank < top
        reason = (
            _("one of the site's %(n)d highest risks in its latest assessment") % {"n": top}
            if top_rank
            else ""
        )
        out.append(ScenarioSuggestion(scenario, risk, templated, top_rank and templated, reason))
    out += [ScenarioSuggestion(s, None, True, False, "") for s in catalogue if s not in seen]
    return out


# ------------------------------------------------------------------ helpers
def _audit(actor: User | None, action: str, obj: Any, diff: dict[str, Any] | None = None) -> None:
    audit.record(actor=actor, action=action, obj=obj, diff=diff or {})


def _text(
    value: object,
    field: str,
    errors: list[FieldError],
    *,
    required: bool = True,
    limit: int = MAX_TEXT,
) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.append(FieldError(field, _("Expected text.")))
    elif required and not text:
        errors.append(FieldError(field, _("This field is required."), "required"))
    elif len(text) > limit:
        errors.append(FieldError(field, _("At most %(n)d characters.") % {"n": limit}))
    return text


def _choice(value: object, field: str, choices: Iterable[str], errors: list[FieldError]) -> str:
    allowed = list(choices)
    if value not in allowed:
        errors.append(
            FieldError(field, _("Expected one of %(v)s.") % {"v": ", ".join(allowed)}, "invalid")
        )
        return ""
    return str(value)


def _date(
    value: object, field: str, errors: list[FieldError], *, required: bool = True
) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, _("This field is required."), "required"))
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(field, _("Expected a date (YYYY-MM-DD).")))
        return None


def _raise(errors: list[FieldError], message: str | None = None) -> None:
    if errors:
        raise ValidationError(message or _("Please correct the problems below."), errors=errors)


def _require_status(exercise: Exercise, *allowed: str) -> None:
    if exercise.status not in allowed:
        raise ConflictError(
            _("Not possible while the exercise is %(s)s.") % {"s": exercise.get_status_display()},
            code="wrong_status",
        )


def _lock(exercise: Exercise) -> Exercise:
    return Exercise.objects.select_for_update().get(pk=exercise.pk)


# ------------------------------------------------------------------ design
def _objectives_from(draft: msel_engine.Msel) -> list[dict[str, Any]]:
    return [
        {
            "code": o.id,
            "title": o.title[:300],
            "capability": o.capability,
            "capability_target": o.capability_target,
            "critical_tasks": [{"id": t.id, "text": t.text} for t in o.critical_tasks],
            "source": o.source[:100],
        }
        for o in draft.objectives
    ]


def _inject_rows(exercise: Exercise, injects: Sequence[msel_engine.Inject]) -> list[Inject]:
    return [
        Inject(
            exercise=exercise,
            seq=i.seq,
            time_min=i.time_min,
            inject_type=i.inject_type.value,
            delivery=i.delivery.value,
            sender=i.sender[:200],
            recipient=i.recipient[:200],
            description=i.description,
            expected_action=i.expected_action,
            objective=i.objective,
            scenario=i.scenario,
            contingency_for=i.contingency_for,
        )
        for i in injects
    ]


def _draft(scenarios: Sequence[str], actions: Sequence[CorrectiveAction]) -> msel_engine.Msel:
    refs = [
        msel_engine.CorrectiveActionRef(a.code, a.description[:200], a.area.capability)
        for a in actions
    ]
    return msel_engine.draft_msel(
        templates().templates, list(scenarios), corrective_actions=refs, top_risks=0
    )


def _write_draft(exercise: Exercise, draft: msel_engine.Msel) -> None:
    exercise.objectives.all().delete()
    exercise.injects.all().delete()
    Objective.objects.bulk_create(
        Objective(exercise=exercise, position=n, **row)
        for n, row in enumerate(_objectives_from(draft))
    )
    Inject.objects.bulk_create(_inject_rows(exercise, draft.injects))


def create_exercise(data: Mapping[str, Any], *, actor: User) -> Exercise:
    """Create an exercise owned by the actor's organisation, with a drafted MSEL.

    ``data``: ``name``, ``exercise_type``, ``scope`` (site | region | sector), ``site`` (id),
    ``region`` (code), ``sector`` (site type), ``participants`` (organisation ids),
    ``scenarios`` (ids with a template), ``corrective_actions`` (ids of open actions of earlier
    exercises of the site to test), ``scheduled_on``.
    """
    org = active_org(actor)
    if org is None or not access.is_editor(actor):
        raise PermissionDeniedError(_("Your role does not allow designing exercises."))
    errors: list[FieldError] = []
    name = _text(data.get("name"), "name", errors, limit=200)
    kind = _choice(
        data.get("exercise_type", "tabletop"), "exercise_type", ExerciseType.values, errors
    )
    scope = _choice(data.get("scope", "site"), "scope", ExerciseScope.values, errors)
    site = region = None
    sector = ""
    if scope == ExerciseScope.SITE:
        raw_site = data.get("site")
        if raw_site in (None, ""):
            errors.append(FieldError("site", _("Choose a site."), "required"))
        else:
            try:
                site = sites_visible_to(actor).select_related("region").get(pk=int(str(raw_site)))
            except (ValueError, TypeError, Site.DoesNotExist):
                raise NotFoundError(_("Site not found.")) from None
    elif scope == ExerciseScope.REGION:
        region = Region.objects.filter(code=str(data.get("region") or "")).first()
        if region is None:
            errors.append(FieldError("region", _("Choose a region."), "required"))
    elif scope == ExerciseScope.SECTOR:
        sector = _choice(data.get("sector"), "sector", [s.value for s in SiteType], errors)
    scenarios = [str(s) for s in data.get("scenarios") or []]
    catalogue = templates().templates
    bad = [s for s in scenarios if s not in catalogue]
    if bad:
        errors.append(
            FieldError("scenarios", _("No MSEL template for: %(s)s") % {"s": ", ".join(bad)})
        )
    wanted = {int(a) for a in data.get("corrective_actions") or [] if str(a).isdigit()}
    actions = [a for a in open_actions_for_site(site) if a.pk in wanted] if site else []
    if not scenarios and not actions:
        errors.append(
            FieldError("scenarios", _("Choose at least one scenario or corrective action."))
        )
    participant_ids = {int(p) for p in data.get("participants") or [] if str(p).isdigit()}
    participants = list(Organisation.objects.filter(pk__in=participant_ids, active=True))
    if len(participants) != len(participant_ids):
        errors.append(FieldError("participants", _("Unknown or inactive organisation.")))
    scheduled = _date(data.get("scheduled_on"), "scheduled_on", errors, required=False)
    _raise(errors)
    draft = _draft(scenarios, actions)
    summary = " ".join(catalogue[s].summary for s in scenarios)
    with transaction.atomic():
        exercise = Exercise.objects.create(
            name=name,
            exercise_type=kind,
            scope=scope,
            site=site,
            region=region if region is not None else (site.region if site else None),
            sector=sector or (site.site_type if site else ""),
            owner=org,
            scenarios=scenarios,
            scheduled_on=scheduled,
            summary=summary,
            notes=list(draft.notes),
            created_by=actor,
        )
        exercise.participants.set([p for p in participants if p.pk != org.pk])
        _write_draft(exercise, draft)
        _audit(
            actor,
            "exercise.create",
            exercise,
            {
                "name": [None, name],
                "scenarios": [None, scenarios],
                "injects": [None, len(draft.injects)],
                "corrective_actions": [None, [a.origin for a in actions]],
            },
        )
    return exercise


def regenerate_msel(exercise: Exercise, *, actor: User) -> Exercise:
    """Replace objectives and injects by a fresh draft (planning only; ratings go too)."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _require_status(exercise, ExerciseStatus.PLANNING)
    with transaction.atomic():
        exercise = _lock(exercise)
        draft = _draft(exercise.scenarios, [])
        _write_draft(exercise, draft)
        _audit(actor, "exercise.msel_regenerate", exercise, {"injects": [None, len(draft.injects)]})
    return exercise


# ------------------------------------------------------------------ MSEL editing
INJECT_FIELDS = (
    "time_min",
    "inject_type",
    "delivery",
    "sender",
    "recipient",
    "description",
    "expected_action",
    "objective",
    "scenario",
    "contingency_for",
)


def _inject_values(exercise: Exercise, data: Mapping[str, Any], seq: int) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    time = data.get("time_min")
    if isinstance(time, str):
        try:
            time = msel_engine.parse_time(time)
        except ValueError:
            time = None
    if isinstance(time, bool) or not isinstance(time, int) or time < 0:
        errors.append(FieldError("time_min", _("Expected minutes ≥ 0 or T+H:MM.")))
    out["time_min"] = time
    out["inject_type"] = _choice(data.get("inject_type"), "inject_type", InjectType.values, errors)
    out["delivery"] = _choice(data.get("delivery"), "delivery", DeliveryMethod.values, errors)
    out["sender"] = _text(data.get("sender"), "sender", errors, limit=200)
    out["recipient"] = _text(data.get("recipient"), "recipient", errors, limit=200)
    out["description"] = _text(data.get("description"), "description", errors)
    needs_action = out["inject_type"] in {InjectType.EXPECTED_ACTION, InjectType.CONTINGENCY}
    out["expected_action"] = _text(
        data.get("expected_action") or "", "expected_action", errors, required=needs_action
    )
    objective = str(data.get("objective") or "").strip()
    if objective and not exercise.objectives.filter(code=objective).exists():
        errors.append(FieldError("objective", _("Unknown objective %(o)s.") % {"o": objective}))
    out["objective"] = objective
    scenario = str(data.get("scenario") or "").strip()
    if scenario and scenario not in {s.value for s in Scenario}:
        errors.append(FieldError("scenario", _("Unknown scenario id.")))
    out["scenario"] = scenario
    link = data.get("contingency_for")
    backs_up: int | None = None
    if link not in (None, ""):
        if str(link).isdigit() and exercise.injects.filter(seq=int(str(link))).exists():
            backs_up = int(str(link))
            if backs_up == seq:
                errors.append(FieldError("contingency_for", _("An inject cannot back up itself.")))
        else:
            errors.append(FieldError("contingency_for", _("No inject with that sequence number.")))
    if out["inject_type"] == InjectType.CONTINGENCY and backs_up is None and not errors:
        errors.append(
            FieldError("contingency_for", _("A contingency inject names the inject it backs up."))
        )
    if (
        out["inject_type"]
        and out["inject_type"] != InjectType.CONTINGENCY
        and link
        not in (
            None,
            "",
        )
    ):
        errors.append(
            FieldError("contingency_for", _("Only contingency injects back up another inject."))
        )
    out["contingency_for"] = backs_up
    _raise(errors)
    return out


def save_inject(
    exercise: Exercise, data: Mapping[str, Any], *, actor: User, inject: Inject | None = None
) -> Inject:
    """Add an inject at the end of the MSEL, or edit ``inject`` (every problem at once)."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _require_status(exercise, ExerciseStatus.PLANNING, ExerciseStatus.CONDUCTING)
    if inject is not None and inject.exercise_id != exercise.pk:
        raise NotFoundError(_("Inject not found."))
    with transaction.atomic():
        exercise = _lock(exercise)
        seq = inject.seq if inject else (exercise.injects.aggregate(m=Max("seq"))["m"] or 0) + 1
        values = _inject_values(exercise, data, seq)
        if inject is None:
            inject = Inject.objects.create(exercise=exercise, seq=seq, **values)
            _audit(actor, "exercise.inject_add", inject, audit.diff_fields(None, values))
        else:
            before = {k: getattr(inject, k) for k in INJECT_FIELDS}
            for key, value in values.items():
                setattr(inject, key, value)
            inject.save()
            _audit(actor, "exercise.inject_edit", inject, audit.diff_fields(before, values))
    return inject


def _renumber(exercise: Exercise, order: Sequence[Inject]) -> None:
    """Give ``order`` the sequence numbers 1..n, keeping contingency links pointing right."""
    mapping = {i.seq: n for n, i in enumerate(order, start=1)}
    # two passes so that the unique (exercise, seq) constraint never sees a duplicate
    top = (exercise.injects.aggregate(m=Max("seq"))["m"] or 0) + 1
    for n, inject in enumerate(order):
        Inject.objects.filter(pk=inject.pk).update(seq=top + n)
    for n, inject in enumerate(order, start=1):
        link = inject.contingency_for
        Inject.objects.filter(pk=inject.pk).update(
            seq=n, contingency_for=mapping.get(link) if link is not None else None
        )


def delete_inject(inject: Inject, *, actor: User) -> None:
    """Delete an inject and renumber the rest; contingency injects backing it up lose the link
    and become expected-action injects."""
    exercise = get_exercise_for(actor, inject.exercise_id, design=True)
    _require_status(exercise, ExerciseStatus.PLANNING)
    with transaction.atomic():
        exercise = _lock(exercise)
        inject = exercise.injects.get(pk=inject.pk)  # its stored sequence number
        _audit(actor, "exercise.inject_delete", inject, {"seq": [inject.seq, None]})
        exercise.injects.filter(contingency_for=inject.seq).update(
            contingency_for=None, inject_type=InjectType.EXPECTED_ACTION
        )
        inject.delete()
        _renumber(exercise, list(exercise.injects.order_by("seq")))


def move_inject(inject: Inject, direction: int, *, actor: User) -> None:
    """Swap an inject with its neighbour (``-1`` up, ``+1`` down); links follow."""
    exercise = get_exercise_for(actor, inject.exercise_id, design=True)
    _require_status(exercise, ExerciseStatus.PLANNING)
    with transaction.atomic():
        exercise = _lock(exercise)
        order = list(exercise.injects.order_by("seq"))
        index = next(n for n, i in enumerate(order) if i.pk == inject.pk)
        other = index + (1 if direction > 0 else -1)
        if not 0 <= other < len(order):
            return
        order[index], order[other] = order[other], order[index]
        _renumber(exercise, order)
        _audit(actor, "exercise.inject_move", inject, {"seq": [inject.seq, other + 1]})


def engine_injects(exercise: Exercise) -> list[msel_engine.Inject]:
    """The exercise's MSEL as engine rows (for export)."""
    return [
        msel_engine.Inject(
            seq=i.seq,
            time_min=i.time_min,
            inject_type=InjectKind(i.inject_type),
            delivery=Delivery(i.delivery),
            sender=i.sender,
            recipient=i.recipient,
            description=i.description,
            expected_action=i.expected_action,
            objective=i.objective,
            scenario=i.scenario,
            contingency_for=i.contingency_for,
        )
        for i in exercise.injects.order_by("seq")
    ]


def import_msel(exercise: Exercise, data: bytes, fmt: str, *, actor: User) -> int:
    """Replace the MSEL with a CSV or XLSX file; every bad row is reported, nothing is written
    on a problem (:class:`ImportValidationError`). Returns the number of injects."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _require_status(exercise, ExerciseStatus.PLANNING)
    objectives = list(exercise.objectives.values_list("code", flat=True))
    if fmt == "xlsx":
        rows = msel_engine.msel_from_xlsx(data, objectives=objectives)
    elif fmt == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportValidationError(
                [RowError(0, "*", _("The file is not UTF-8 text."))]
            ) from None
        rows = msel_engine.msel_from_csv(text, objectives=objectives)
    else:
        raise ValidationError(_("Unknown format."), errors=[FieldError("format", "csv or xlsx")])
    problems = [
        RowError(0, "scenario", _("unknown scenario id %(s)r") % {"s": i.scenario})
        for i in rows
        if i.scenario and i.scenario not in {s.value for s in Scenario}
    ]
    problems += [
        RowError(0, c, _("too long"))
        for i in rows
        for c, v in (("from", i.sender), ("to", i.recipient))
        if len(v) > 200
    ]
    if problems:
        raise ImportValidationError(problems)
    ordered = sorted(rows, key=lambda i: i.seq)
    with transaction.atomic():
        exercise = _lock(exercise)
        exercise.injects.all().delete()
        Inject.objects.bulk_create(_inject_rows(exercise, ordered))
        _audit(
            actor,
            "exercise.msel_import",
            exercise,
            {"injects": [None, len(ordered)], "format": [None, fmt]},
        )
    return len(ordered)


def add_injects(
    exercise: Exercise, rows: Sequence[msel_engine.Inject], *, actor: User, source: str
) -> int:
    """Append engine MSEL rows (e.g. from a site-engineering study) after the last inject."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _require_status(exercise, ExerciseStatus.PLANNING)
    with transaction.atomic():
        exercise = _lock(exercise)
        top = exercise.injects.aggregate(m=Max("seq"))["m"] or 0
        shifted = [
            msel_engine.Inject(
                seq=top + n,
                time_min=r.time_min,
                inject_type=r.inject_type,
                delivery=r.delivery,
                sender=r.sender,
                recipient=r.recipient,
                description=r.description,
                expected_action=r.expected_action,
                objective=r.objective
                if exercise.objectives.filter(code=r.objective).exists()
                else "",
                scenario=r.scenario,
                contingency_for=None
                if r.contingency_for is None
                else top + [x.seq for x in rows].index(r.contingency_for) + 1,
            )
            for n, r in enumerate(rows, start=1)
        ]
        Inject.objects.bulk_create(_inject_rows(exercise, shifted))
        _audit(
            actor,
            "exercise.injects_add",
            exercise,
            {"injects": [top, top + len(rows)], "source": [None, source]},
        )
    return len(shifted)


# ------------------------------------------------------------------ conduct
def clock_seconds(exercise: Exercise, now: dt.datetime | None = None) -> float:
    """Exercise-clock seconds since STARTEX (paused time excluded)."""
    if exercise.clock_running and exercise.clock_since is not None:
        now = now or timezone.now()
        return exercise.clock_offset_s + max(0.0, (now - exercise.clock_since).total_seconds())
    return exercise.clock_offset_s


def _event(exercise: Exercise, kind: str, actor: User, now: dt.datetime, **extra: Any) -> None:
    ConductEvent.objects.create(
        exercise=exercise,
        kind=kind,
        at=now,
        clock_s=clock_seconds(exercise, now),
        actor=actor,
        **extra,
    )


CONDUCT_ACTIONS = ("start", "pause", "resume", "release", "skip", "retime", "end")


def conduct(  # noqa: PLR0912, PLR0915 - one branch per facilitator action reads best
    exercise: Exercise,
    action: str,
    *,
    actor: User,
    inject_id: int | None = None,
    shift_min: int | None = None,
    now: dt.datetime | None = None,
) -> Exercise:
    """Apply one facilitator action to the exercise clock and store it as a conduct event.

    ``start`` (planning → conducting, clock at 0), ``pause``, ``resume``, ``release`` (the
    next pending inject in sequence order), ``skip`` (``inject_id`` or the next pending
    inject), ``retime`` (shift every pending inject by ``shift_min`` minutes, not before the
    current clock), ``end`` (conducting → evaluating; pending injects stay unreleased).
    """
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    if action not in CONDUCT_ACTIONS:
        raise ValidationError(_("Unknown action."), errors=[FieldError("action", action)])
    now = now or timezone.now()
    with transaction.atomic():
        exercise = _lock(exercise)
        if action == "start":
            _require_status(exercise, ExerciseStatus.PLANNING)
            if not exercise.injects.exists():
                raise ConflictError(_("The MSEL has no injects."), code="empty_msel")
            exercise.status = ExerciseStatus.CONDUCTING
            exercise.clock_offset_s, exercise.clock_since, exercise.clock_running = 0.0, now, True
            _event(exercise, ConductEventKind.START, actor, now)
        else:
            _require_status(exercise, ExerciseStatus.CONDUCTING)
        if action == "pause":
            if not exercise.clock_running:
                raise ConflictError(_("The clock is already paused."), code="paused")
            exercise.clock_offset_s = clock_seconds(exercise, now)
            exercise.clock_since, exercise.clock_running = now, False
            _event(exercise, ConductEventKind.PAUSE, actor, now)
        elif action == "resume":
            if exercise.clock_running:
                raise ConflictError(_("The clock is already running."), code="running")
            exercise.clock_since, exercise.clock_running = now, True
            _event(exercise, ConductEventKind.RESUME, actor, now)
        elif action in {"release", "skip"}:
            pending = exercise.injects.filter(state=InjectState.PENDING).order_by("seq")
            if action == "skip" and inject_id is not None:
                pending = pending.filter(pk=inject_id)
            target = pending.first()
            if target is None:
                raise ConflictError(_("No pending inject."), code="no_pending")
            if action == "release":
                target.state = InjectState.RELEASED
                target.released_at = now
                target.released_clock_s = clock_seconds(exercise, now)
            else:
                target.state = InjectState.SKIPPED
            target.save(update_fields=["state", "released_at", "released_clock_s"])
            kind = ConductEventKind.RELEASE if action == "release" else ConductEventKind.SKIP
            _event(exercise, kind, actor, now, inject=target)
        elif action == "retime":
            _retime(exercise, shift_min, now)
            _event(exercise, ConductEventKind.RETIME, actor, now, shift_min=shift_min)
        elif action == "end":
            exercise.clock_offset_s = clock_seconds(exercise, now)
            exercise.clock_since, exercise.clock_running = now, False
            exercise.status = ExerciseStatus.EVALUATING
            _event(exercise, ConductEventKind.END, actor, now)
        exercise.save()
        _audit(
            actor,
            f"exercise.conduct_{action}",
            exercise,
            {"clock_s": [None, round(clock_seconds(exercise, now), 1)]},
        )
    return exercise


def _retime(exercise: Exercise, shift_min: int | None, now: dt.datetime) -> None:
    if shift_min is None or isinstance(shift_min, bool) or not 0 < abs(shift_min) <= 24 * 60:
        raise ValidationError(
            _("Give a shift in minutes."),
            errors=[FieldError("shift_min", _("A whole, non-zero number of minutes (±1440)."))],
        )
    pending = list(exercise.injects.filter(state=InjectState.PENDING))
    floor = int(clock_seconds(exercise, now) // 60)
    if shift_min < 0 and any(i.time_min + shift_min < floor for i in pending):
        raise ValidationError(
            _("That would schedule injects before the current exercise time."),
            errors=[
                FieldError("shift_min", _("Too early: the clock is at %(m)d min.") % {"m": floor})
            ],
        )
    for inject in pending:
        inject.time_min += shift_min
    Inject.objects.bulk_update(pending, ["time_min"])


def record_response(inject: Inject, data: Mapping[str, Any], *, actor: User) -> InjectResponse:
    """Record what players did in answer to a released inject."""
    exercise = get_exercise_for(actor, inject.exercise_id, evaluate=True)
    _require_status(exercise, ExerciseStatus.CONDUCTING, ExerciseStatus.EVALUATING)
    current = exercise.injects.filter(pk=inject.pk).first()  # the stored state, not a stale copy
    if current is None or current.state != InjectState.RELEASED:
        raise ConflictError(
            _("Responses are recorded against released injects."), code="not_released"
        )
    errors: list[FieldError] = []
    player = _text(data.get("player"), "player", errors, limit=200)
    text = _text(data.get("text"), "text", errors)
    _raise(errors)
    with transaction.atomic():
        response = InjectResponse.objects.create(
            inject=current, player=player, text=text, author=actor
        )
        _audit(actor, "exercise.response", response, {"inject": [None, inject.seq]})
    return response


# ------------------------------------------------------------------ evaluation
def rate_tasks(exercise: Exercise, ratings: Sequence[Mapping[str, Any]], *, actor: User) -> int:
    """Store the actor's ratings: each ``{objective, task, rating, observation}``; an empty
    rating removes the actor's earlier rating of that task. Returns how many are stored."""
    exercise = get_exercise_for(actor, exercise.pk, evaluate=True)
    _require_status(exercise, ExerciseStatus.CONDUCTING, ExerciseStatus.EVALUATING)
    objectives = {o.code: o for o in exercise.objectives.all()}
    errors: list[FieldError] = []
    cleaned: list[tuple[Objective, str, str, str]] = []
    for n, row in enumerate(ratings):
        where = f"ratings[{n}]"
        objective = objectives.get(str(row.get("objective")))
        task = str(row.get("task") or "")
        if objective is None or task not in {t["id"] for t in objective.critical_tasks}:
            errors.append(FieldError(f"{where}.task", _("Unknown objective or critical task.")))
            continue
        rating = str(row.get("rating") or "")
        if rating and rating not in Rating.values:
            errors.append(FieldError(f"{where}.rating", _("Expected P, S, M or U.")))
        observation = _text(
            row.get("observation") or "", f"{where}.observation", errors, required=False
        )
        if rating in {Rating.M, Rating.U} and not observation:
            errors.append(
                FieldError(
                    f"{where}.observation", _("Explain an M or U rating with an observation.")
                )
            )
        cleaned.append((objective, task, rating, observation))
    _raise(errors)
    stored = 0
    with transaction.atomic():
        for objective, task, rating, observation in cleaned:
            if not rating:
                TaskRating.objects.filter(objective=objective, task=task, evaluator=actor).delete()
                continue
            TaskRating.objects.update_or_create(
                objective=objective,
                task=task,
                evaluator=actor,
                defaults={"rating": rating, "observation": observation},
            )
            stored += 1
        _audit(actor, "exercise.rate", exercise, {"ratings": [None, stored]})
    return stored


def roll_up(
    exercise: Exercise,
) -> tuple[tuple[eval_engine.ObjectiveRating, ...], tuple[eval_engine.CapabilityRating, ...]]:
    """Suggested ratings per objective and capability (engine rule, docs/preparedness-method.md)."""
    objectives = list(exercise.objectives.all())
    spec = {o.code: (o.capability, [t["id"] for t in o.critical_tasks]) for o in objectives}
    rows = [
        eval_engine.TaskRating(
            r.objective.code,
            r.task,
            str(r.evaluator_id),
            eval_engine.Rating(r.rating),
            r.observation,
        )
        for r in TaskRating.objects.filter(objective__exercise=exercise).select_related("objective")
        if r.task in spec.get(r.objective.code, ("", []))[1]
    ]
    return eval_engine.roll_up(spec, rows)


# ------------------------------------------------------------------ AAR / IP
def _next_code(existing: Iterable[str], prefix: str) -> str:
    numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _aar_open(exercise: Exercise) -> None:
    _require_status(exercise, ExerciseStatus.EVALUATING, ExerciseStatus.COMPLETED)


def add_strength(exercise: Exercise, data: Mapping[str, Any], *, actor: User) -> Strength:
    """Add a strength to the AAR."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _aar_open(exercise)
    errors: list[FieldError] = []
    text = _text(data.get("text"), "text", errors)
    capability = _text(data.get("capability") or "", "capability", errors, required=False, limit=64)
    objective = _text(data.get("objective") or "", "objective", errors, required=False, limit=16)
    _raise(errors)
    with transaction.atomic():
        row = Strength.objects.create(
            exercise=exercise, text=text, capability=capability, objective=objective
        )
        _audit(actor, "exercise.strength_add", row, {"text": [None, text]})
    return row


def add_area(exercise: Exercise, data: Mapping[str, Any], *, actor: User) -> AreaForImprovement:
    """Add an area for improvement with its root cause (required)."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _aar_open(exercise)
    errors: list[FieldError] = []
    observation = _text(data.get("observation"), "observation", errors)
    root_cause = _text(data.get("root_cause"), "root_cause", errors)
    capability = _text(data.get("capability") or "", "capability", errors, required=False, limit=64)
    objective = _text(data.get("objective") or "", "objective", errors, required=False, limit=16)
    _raise(errors)
    with transaction.atomic():
        exercise = _lock(exercise)
        code = _next_code(exercise.areas.values_list("code", flat=True), "A")
        area = AreaForImprovement.objects.create(
            exercise=exercise,
            code=code,
            observation=observation,
            root_cause=root_cause,
            capability=capability,
            objective=objective,
        )
        _audit(actor, "exercise.area_add", area, {"code": [None, code]})
    return area


def _action_fields(data: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "description" in data:
        out["description"] = _text(data.get("description"), "description", errors)
    if "element" in data:
        out["element"] = _choice(data.get("element"), "element", CapabilityElement.values, errors)
    if "contact" in data:
        out["contact"] = _text(data.get("contact"), "contact", errors, limit=200)
    for name in ("start", "due"):
        if name in data:
            out[name] = _date(data.get(name), name, errors)
    if "status" in data:
        out["status"] = _choice(data.get("status"), "status", CorrectiveActionStatus.values, errors)
    if "notes" in data:
        out["notes"] = _text(data.get("notes") or "", "notes", errors, required=False)
    return out


def add_corrective_action(
    area: AreaForImprovement, data: Mapping[str, Any], *, actor: User
) -> CorrectiveAction:
    """Add a corrective action to an area for improvement, owned by an organisation."""
    exercise = get_exercise_for(actor, area.exercise_id, design=True)
    _aar_open(exercise)
    errors: list[FieldError] = []
    required = {"description": "", "element": "", "contact": "", "start": None, "due": None}
    fields = _action_fields({**required, **data}, errors)
    owner = Organisation.objects.filter(pk=data.get("owner_org") or 0, active=True).first()
    if owner is None:
        errors.append(FieldError("owner_org", _("Choose the owning organisation."), "required"))
    if fields.get("start") and fields.get("due") and fields["due"] < fields["start"]:
        errors.append(FieldError("due", _("The due date is before the start date.")))
    _raise(errors)
    assert owner is not None  # reported above otherwise
    fields.pop("status", None)
    with transaction.atomic():
        exercise = _lock(exercise)
        code = _next_code(exercise.corrective_actions.values_list("code", flat=True), "CA-")
        action = CorrectiveAction.objects.create(
            exercise=exercise, area=area, code=code, owner_org=owner, **fields
        )
        _audit(
            actor,
            "exercise.action_add",
            action,
            {
                "code": [None, code],
                "owner_org": [None, owner.slug],
                "origin": [None, action.origin],
            },
        )
    return action


def update_corrective_action(
    action: CorrectiveAction,
    data: Mapping[str, Any],
    *,
    actor: User,
    today: dt.date | None = None,
) -> CorrectiveAction:
    """Change status, notes, contact or dates of an action (its owner or the exercise owner).

    ``done`` stamps ``completed_on`` (today); leaving ``done`` clears it.
    """
    action = get_action_for(actor, action.pk, for_edit=True)
    allowed = {"status", "notes", "contact", "start", "due", "description", "element"}
    unknown = sorted(set(data) - allowed)
    errors = [FieldError(k, _("This field cannot be changed here.")) for k in unknown]
    fields = _action_fields({k: v for k, v in data.items() if k in allowed}, errors)
    start, due = fields.get("start", action.start), fields.get("due", action.due)
    if start and due and due < start:
        errors.append(FieldError("due", _("The due date is before the start date.")))
    _raise(errors)
    before = {k: getattr(action, k) for k in (*fields, "completed_on")}
    with transaction.atomic():
        for key, value in fields.items():
            setattr(action, key, value)
        if action.status == CorrectiveActionStatus.DONE and action.completed_on is None:
            action.completed_on = today or timezone.localdate()
        elif action.status != CorrectiveActionStatus.DONE:
            action.completed_on = None
        action.save()
        after = {k: getattr(action, k) for k in before}
        _audit(actor, "exercise.action_update", action, audit.diff_fields(before, after))
    return action


def complete_exercise(exercise: Exercise, *, actor: User) -> Exercise:
    """Evaluating → completed, once the AAR is consistent (engine ``validate_aar``)."""
    exercise = get_exercise_for(actor, exercise.pk, design=True)
    _require_status(exercise, ExerciseStatus.EVALUATING)
    aar_engine.validate_aar(engine_report(exercise))
    with transaction.atomic():
        exercise = _lock(exercise)
        exercise.status = ExerciseStatus.COMPLETED
        exercise.save(update_fields=["status", "updated"])
        _audit(
            actor,
            "exercise.complete",
            exercise,
            {"status": [ExerciseStatus.EVALUATING, ExerciseStatus.COMPLETED]},
        )
    return exercise


def _engine_action(a: CorrectiveAction) -> aar_engine.CorrectiveAction:
    return aar_engine.CorrectiveAction(
        id=a.code,
        area=a.area.code,
        description=a.description,
        element=aar_engine.CapabilityElement(a.element),
        owner_org=a.owner_org.name,
        contact=a.contact,
        start=a.start,
        due=a.due,
        status=ENGINE_ACTION_STATUS[CorrectiveActionStatus(a.status)],
        completed_on=a.completed_on,
    )


def engine_report(exercise: Exercise) -> aar_engine.AfterActionReport:
    """The exercise's AAR/IP as the engine's report."""
    actions = exercise.corrective_actions.select_related("area", "owner_org")
    return aar_engine.AfterActionReport(
        title=exercise.name,
        kind="exercise",
        event_date=exercise.scheduled_on or exercise.created.date(),
        strengths=tuple(
            aar_engine.Strength(s.capability, s.text, s.objective) for s in exercise.strengths.all()
        ),
        areas=tuple(
            aar_engine.AreaForImprovement(
                a.code, a.capability, a.observation, a.root_cause, a.objective
            )
            for a in exercise.areas.all()
        ),
        actions=tuple(_engine_action(a) for a in actions),
    )


def overdue_flags(
    actions: Iterable[CorrectiveAction], today: dt.date | None = None
) -> dict[int, int]:
    """``{action pk: days overdue}`` for the overdue ones (engine rule)."""
    rows = list(actions)
    by_code = {(a.exercise_id, a.code): a.pk for a in rows}
    today = today or timezone.localdate()
    out: dict[int, int] = {}
    for exercise_id in {a.exercise_id for a in rows}:
        mine = [a for a in rows if a.exercise_id == exercise_id]
        engine_rows = [
            aar_engine.CorrectiveAction(
                id=a.code,
                area="",
                description=a.description,
                element=aar_engine.CapabilityElement(a.element),
                owner_org=str(a.owner_org_id),
                contact=a.contact,
                start=a.start,
                due=a.due,
                status=ENGINE_ACTION_STATUS[CorrectiveActionStatus(a.status)],
            )
            for a in mine
        ]
        for flag in aar_engine.overdue_actions(engine_rows, today):
            out[by_code[exercise_id, flag.action]] = flag.days
    return out
