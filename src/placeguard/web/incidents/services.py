"""All writes of the incidents app: incidents, timeline, tasks, evidence, custody, lessons.

Every function takes a keyword-only ``actor``, decides with the pure sharing policy, checks
every problem *before* writing (invariant violations raise :class:`InvariantError` → HTTP 422,
nothing is half-saved) and writes the change with its audit event in one transaction.

Who writes what (docs/incidents.md):

- the incident: created by analysts and above; edited under W1 (its author or an analyst and
  above of the originating organisation); only the originator's publishers relax TLP or widen
  the audience (I5), and every widening is audited as ``incident.widen``;
- children (timeline entries, tasks, evidence, custody entries, lessons): the same people
  (``policy.can_edit`` on the parent), who must see the parent's content;
- downloads (and their custody entries): anyone who sees the parent's content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import IO, Any

from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.sharing import policy
from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import EDITOR_ROLES, ItemKind, Problem
from placeguard.core.vocab import Scenario
from placeguard.web.audit import services as audit
from placeguard.web.incidents import queries, storage
from placeguard.web.incidents.choices import (
    MANUAL_CUSTODY_ACTIONS,
    REASON_REQUIRED,
    CustodyAction,
    InvestigationStatus,
    TaskStatus,
)
from placeguard.web.incidents.models import (
    INCIDENT,
    CustodyEntry,
    Evidence,
    Incident,
    LessonLearned,
    Task,
    TimelineEntry,
)
from placeguard.web.orgs.models import User
from placeguard.web.practices.models import Practice
from placeguard.web.practices.services import create_practice
from placeguard.web.practices.tags import vocabulary
from placeguard.web.sharing import items, principals
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sites.access import visible_to as sites_visible_to

__all__ = [
    "IMMUTABLE_FIELDS",
    "INCIDENT_FIELDS",
    "IncidentData",
    "InvariantError",
    "add_lesson",
    "add_task",
    "add_timeline_entry",
    "create_incident",
    "data_of",
    "download_evidence",
    "get_incident_for",
    "incident_item",
    "lesson_to_practice_raw",
    "parse_incident",
    "publish_incident",
    "publish_lesson_as_practice",
    "record_custody",
    "update_incident",
    "update_task",
    "upload_evidence",
    "verify_evidence",
    "withdraw_incident",
]

InvariantError = items.InvariantError

#: Fields of an incident a client may set (create and edit).
INCIDENT_FIELDS = items.SHARING_FIELDS | frozenset(
    {
        "title",
        "summary",
        "occurred_at",
        "sites",
        "scenario",
        "deaths",
        "injured",
        "investigation_status",
        "lead_investigator",
        "valid_from",
        "valid_until",
    }
)
#: I7: fields that never change (a client sending a different value gets 422).
IMMUTABLE_FIELDS = items.IMMUTABLE_FIELDS

_MAX_TEXT = 20_000


# --------------------------------------------------------------------------- parsing


@dataclass
class IncidentData(items.SharingData):
    """Parsed incident input (types checked; meaning is checked before writing)."""

    title: str = ""
    summary: str = ""
    occurred_at: datetime | None = None
    sites: frozenset[int] = frozenset()
    scenario: str = ""
    deaths: int | None = None
    injured: int | None = None
    investigation_status: str = InvestigationStatus.OPEN.value
    lead_investigator: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError
    return int(value)


def _optional_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError
    return int(value)


def _parse_field(data: IncidentData, key: str, value: Any) -> None:
    if key in {"title", "summary"}:
        if not isinstance(value, str):
            raise TypeError
        setattr(data, key, value.strip() if key == "title" else value)
    elif key in items.SHARING_FIELDS:
        items.parse_sharing_field(data, key, value)
    elif key == "sites":
        data.sites = items.id_set(value)
    elif key == "scenario":
        data.scenario = Scenario(value).value if value else ""
    elif key in {"deaths", "injured"}:
        setattr(data, key, _count(value))
    elif key == "investigation_status":
        data.investigation_status = InvestigationStatus(value).value
    elif key == "lead_investigator":
        data.lead_investigator = _optional_id(value)
    elif key in {"occurred_at", "valid_from", "valid_until"}:
        setattr(data, key, items.as_datetime(value))


def parse_incident(raw: Mapping[str, Any], *, base: IncidentData | None = None) -> IncidentData:
    """Check the types of ``raw`` (every problem at once); unknown fields are refused."""
    data = replace(base) if base is not None else IncidentData()
    errors: list[FieldError] = [
        FieldError(key, _("Unknown field."), code="unknown_field")
        for key in raw
        if key not in INCIDENT_FIELDS and key not in IMMUTABLE_FIELDS
    ]
    for key, value in raw.items():
        try:
            _parse_field(data, key, value)
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("Invalid value."), code="invalid"))
    if not data.title:
        errors.append(FieldError("title", _("A title is required."), code="required"))
    if len(data.title) > 200:
        errors.append(FieldError("title", _("At most 200 characters."), code="max_length"))
    if len(data.summary) > _MAX_TEXT:
        errors.append(FieldError("summary", _("Too long."), code="max_length"))
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        errors.append(FieldError("valid_until", _("Must be after the start."), code="invalid"))
    if errors:
        raise ValidationError(_("Invalid incident."), errors=errors)
    return data


def data_of(incident: Incident) -> IncidentData:
    """The current values of ``incident`` as input data."""
    data = IncidentData(
        title=incident.title,
        summary=incident.summary,
        occurred_at=incident.occurred_at,
        sites=frozenset(incident.sites.values_list("pk", flat=True)),
        scenario=incident.scenario,
        deaths=incident.deaths,
        injured=incident.injured,
        investigation_status=incident.investigation_status,
        lead_investigator=incident.lead_investigator_id,
        valid_from=incident.valid_from,
        valid_until=incident.valid_until,
    )
    items.sharing_of(incident, data)
    return data


def incident_item(incident: Incident) -> Any:
    """The policy item of an incident (its audience rows read now)."""
    return principals.shared_item(incident, kind=ItemKind.INCIDENT)


def _snapshot(incident: Incident, data: IncidentData) -> dict[str, Any]:
    return {
        "status": incident.status,
        "title": data.title,
        **items.sharing_snapshot(data),
        "sites": sorted(data.sites),
        "scenario": data.scenario,
        "deaths": data.deaths,
        "injured": data.injured,
        "investigation_status": data.investigation_status,
        "lead_investigator": data.lead_investigator,
        "occurred_at": data.occurred_at.isoformat() if data.occurred_at else None,
    }


def _reference_problems(
    data: IncidentData, *, actor: User, org_id: int, old_sites: frozenset[int] = frozenset()
) -> list[Problem]:
    """Stale or foreign references: linked sites the actor cannot see, a lead from elsewhere."""
    problems = []
    added = data.sites - old_sites
    if added:
        seen = set(sites_visible_to(actor).filter(pk__in=added).values_list("pk", flat=True))
        for pk in sorted(added - seen):
            problems.append(Problem("REF", "sites", f"Site {pk} does not exist or is not visible."))
    lead = data.lead_investigator
    if (
        lead is not None
        and not User.objects.filter(pk=lead, organisation_id=org_id, is_active=True).exists()
    ):
        msg = "The lead investigator must be an active user of the originating organisation."
        problems.append(Problem("REF", "lead_investigator", msg))
    return problems


def _immutable_problems(raw: Mapping[str, Any], incident: Any, actor: User) -> None:
    items.check_immutable(INCIDENT, raw, incident, actor)


def _apply(incident: Incident, data: IncidentData) -> None:
    for name in (
        "title",
        "summary",
        "occurred_at",
        "scenario",
        "deaths",
        "injured",
        "investigation_status",
        "valid_from",
        "valid_until",
    ):
        setattr(incident, name, getattr(data, name))
    incident.lead_investigator_id = data.lead_investigator
    items.apply_sharing(incident, data)


def _write(incident: Incident, data: IncidentData) -> None:
    items.write_audience(INCIDENT, incident, data)
    incident.sites.set(data.sites)


# --------------------------------------------------------------------------- incidents


def get_incident_for(actor: User | None, pk: int, *, content: bool = True) -> Incident:
    """The incident ``pk`` if ``actor`` sees it (a withdrawn stub only when ``content=False``)."""
    incident: Incident = items.get_for(INCIDENT, actor, pk, content=content)
    return incident


def create_incident(raw: Mapping[str, Any], *, actor: User) -> Incident:
    """Create a draft incident for the actor's organisation (I1–I8 and references checked)."""
    principal = items.principal_of(actor)
    _immutable_problems(raw, None, actor)
    data = parse_incident(raw)
    org = actor.organisation
    assert org is not None
    items.writer_check(principal, data.tlp)
    if not principal.has_role(EDITOR_ROLES):
        raise PermissionDeniedError(_("Only analysts, publishers and admins record incidents."))
    item = items.policy_item(
        INCIDENT,
        data,
        pk=0,
        author_id=actor.pk,
        org_id=org.pk,
        org_kind=org.kind,
        status=BulletinStatus.DRAFT,
    )
    extra = _reference_problems(data, actor=actor, org_id=org.pk)
    items.check_sharing(principal, item, extra=extra)
    with transaction.atomic():
        incident = Incident(author=actor, org=org, org_kind=org.kind)
        _apply(incident, data)
        incident.save()
        _write(incident, data)
        audit.record(
            actor=actor,
            action="incident.create",
            obj=incident,
            diff=audit.diff_fields(None, _snapshot(incident, data)),
        )
    return incident


def update_incident(incident: Incident, raw: Mapping[str, Any], *, actor: User) -> Incident:
    """Edit an incident: W1, then I7 and I5 (relaxing/widening by the originator's publishers)."""
    principal = items.principal_of(actor)
    before = incident_item(incident)
    visible = policy.can_view(principal, before).content
    items.deny(policy.can_edit(principal, before), visible=visible, noun="incident")
    _immutable_problems(raw, incident, actor)
    old = data_of(incident)
    data = parse_incident(raw, base=old)
    rule_orgs = [r.org_id for r in incident.org_rows.all() if r.via_rule]
    after = items.policy_item(
        INCIDENT,
        data,
        pk=incident.pk,
        author_id=incident.author_id,
        org_id=incident.org_id,
        org_kind=incident.org_kind,
        status=incident.status,
        rule_orgs=rule_orgs,
    )
    extra = _reference_problems(data, actor=actor, org_id=incident.org_id, old_sites=old.sites)
    items.check_sharing(principal, after, before=before, extra=extra)
    widened = not before.audience.covers(after.audience)
    relaxed = tlp_rules.is_relaxation(before.tlp, after.tlp)
    with transaction.atomic():
        _apply(incident, data)
        incident.save()
        _write(incident, data)
        diff = audit.diff_fields(_snapshot(incident, old), _snapshot(incident, data))
        audit.record(actor=actor, action="incident.update", obj=incident, diff=diff)
        if widened or relaxed:
            audit.record(actor=actor, action="incident.widen", obj=incident, diff=diff)
    return incident


def publish_incident(incident: Incident, *, actor: User) -> Incident:
    """Publish a draft incident to its audience (W2; a broadcast needs a second publisher)."""
    items.publish(INCIDENT, incident, actor=actor)
    return incident


def withdraw_incident(incident: Incident, *, reason: str, actor: User) -> Incident:
    """Withdraw a published incident; outside the originator it becomes a stub (R2)."""
    items.withdraw(INCIDENT, incident, reason=reason, actor=actor)
    return incident


# --------------------------------------------------------------------------- children


def _child_writer(incident: Incident, actor: User) -> None:
    """W1 on the parent: its author or the originator's analysts and above; 404 if unseen."""
    principal = items.principal_of(actor)
    item = incident_item(incident)
    visible = policy.can_view(principal, item).content
    items.deny(policy.can_edit(principal, item), visible=visible, noun="incident")


def _text(raw: Mapping[str, Any], key: str, errors: list[FieldError], *, required: bool) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append(FieldError(key, _("Text expected."), "invalid"))
        return ""
    text: str = value.strip()
    if required and not text:
        errors.append(FieldError(key, _("This field is required."), "required"))
    if len(text) > _MAX_TEXT:
        errors.append(FieldError(key, _("Too long."), "max_length"))
    return text


def _unknown(raw: Mapping[str, Any], allowed: Iterable[str]) -> list[FieldError]:
    known = set(allowed)
    return [FieldError(k, _("Unknown field."), "unknown_field") for k in raw if k not in known]


def add_timeline_entry(incident: Incident, raw: Mapping[str, Any], *, actor: User) -> TimelineEntry:
    """Add an entry (``occurred_at``, ``text``) to an incident's timeline."""
    _child_writer(incident, actor)
    errors = _unknown(raw, {"occurred_at", "text"})
    text = _text(raw, "text", errors, required=True)
    occurred_at = None
    try:
        occurred_at = items.as_datetime(raw.get("occurred_at"))
    except TypeError:
        errors.append(FieldError("occurred_at", _("Invalid date and time."), "invalid"))
    if occurred_at is None and not any(e.field == "occurred_at" for e in errors):
        errors.append(FieldError("occurred_at", _("This field is required."), "required"))
    if errors:
        raise ValidationError(_("Invalid timeline entry."), errors=errors)
    assert occurred_at is not None
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            incident=incident, occurred_at=occurred_at, text=text, author=actor
        )
        audit.record(
            actor=actor,
            action="incident.timeline_add",
            obj=entry,
            diff={"incident": incident.pk, "occurred_at": occurred_at.isoformat()},
        )
    return entry


_TASK_FIELDS = ("title", "description", "status", "assignee", "due")


def _task_values(  # noqa: PLR0912 - one branch per field
    incident: Incident, raw: Mapping[str, Any], *, partial: bool
) -> dict[str, Any]:
    errors = _unknown(raw, _TASK_FIELDS)
    values: dict[str, Any] = {}
    if "title" in raw or not partial:
        values["title"] = _text(raw, "title", errors, required=True)
        if len(values["title"]) > 200:
            errors.append(FieldError("title", _("At most 200 characters."), "max_length"))
    if "description" in raw:
        values["description"] = _text(raw, "description", errors, required=False)
    if "status" in raw:
        if raw["status"] in TaskStatus.values:
            values["status"] = raw["status"]
        else:
            errors.append(FieldError("status", _("Invalid value."), "invalid"))
    if "assignee" in raw:
        try:
            assignee = _optional_id(raw["assignee"])
        except (TypeError, ValueError):
            errors.append(FieldError("assignee", _("Invalid value."), "invalid"))
        else:
            ok = (
                assignee is None
                or User.objects.filter(
                    pk=assignee, organisation_id=incident.org_id, is_active=True
                ).exists()
            )
            if not ok:
                msg = _("The assignee must be an active user of the originating organisation.")
                errors.append(FieldError("assignee", msg, "invalid"))
            values["assignee_id"] = assignee
    if "due" in raw:
        due = raw["due"]
        parsed: date | None = None
        if due not in (None, ""):
            parsed = parse_date(due) if isinstance(due, str) else None
            if parsed is None:
                errors.append(FieldError("due", _("Invalid date."), "invalid"))
        values["due"] = parsed
    if errors:
        raise ValidationError(_("Invalid task."), errors=errors)
    return values


def add_task(incident: Incident, raw: Mapping[str, Any], *, actor: User) -> Task:
    """Add an investigation task (``title``, ``description``, ``status``, ``assignee``, ``due``)."""
    _child_writer(incident, actor)
    values = _task_values(incident, raw, partial=False)
    with transaction.atomic():
        task = Task.objects.create(incident=incident, author=actor, **values)
        audit.record(
            actor=actor,
            action="incident.task_create",
            obj=task,
            diff={"incident": incident.pk, "title": task.title, "status": task.status},
        )
    return task


def update_task(task: Task, raw: Mapping[str, Any], *, actor: User) -> Task:
    """Edit a task; its incident never changes."""
    if "incident" in raw and raw["incident"] != task.incident_id:
        raise items.problems_error([Problem("I7", "incident", "incident cannot be changed.")])
    incident = task.incident
    _child_writer(incident, actor)
    values = _task_values(incident, {k: v for k, v in raw.items() if k != "incident"}, partial=True)
    before = {k: getattr(task, k) for k in values}
    with transaction.atomic():
        for key, value in values.items():
            setattr(task, key, value)
        task.save()
        audit.record(
            actor=actor,
            action="incident.task_update",
            obj=task,
            diff=audit.diff_fields(before, {k: getattr(task, k) for k in values}),
        )
    return task


# --------------------------------------------------------------------------- evidence


def _custody(
    evidence: Evidence,
    action: str,
    *,
    actor: User,
    sha256: str,
    reason: str = "",
    handed_to: str = "",
) -> CustodyEntry:
    """Append one custody entry and its audit event (callers hold the transaction)."""
    org_id = actor.organisation_id
    assert org_id is not None  # principal_of / the visibility gate refused users without one
    entry = CustodyEntry.objects.create(
        evidence=evidence,
        incident_id=evidence.incident_id,
        action=action,
        actor=actor,
        actor_org_id=org_id,
        reason=reason,
        handed_to=handed_to,
        sha256=sha256,
    )
    audit.record(
        actor=actor,
        action=f"evidence.{action}",
        obj=evidence,
        diff={
            "incident": evidence.incident_id,
            "custody_entry": entry.pk,
            "sha256": sha256,
            "expected_sha256": evidence.sha256,
            "reason": reason,
            "handed_to": handed_to,
        },
    )
    return entry


def upload_evidence(
    incident: Incident,
    chunks: Iterable[bytes],
    *,
    filename: str,
    description: str = "",
    actor: User,
) -> Evidence:
    """Store an evidence file (size-limited, type by content, SHA-256 while streaming).

    The file is written under a random name; the row, its ``uploaded`` custody entry and the
    audit event follow in one transaction (the file is removed again if that fails).
    """
    _child_writer(incident, actor)
    errors: list[FieldError] = []
    text = _text({"description": description}, "description", errors, required=False)
    if errors:
        raise ValidationError(_("Invalid evidence."), errors=errors)
    stored = storage.store(chunks, filename)
    if isinstance(stored, FieldError):
        raise ValidationError(_("The file was refused."), errors=[stored])
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                incident=incident,
                description=text,
                original_name=stored.filename,
                storage_name=stored.storage_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=actor,
            )
            _custody(evidence, CustodyAction.UPLOADED, actor=actor, sha256=stored.sha256)
    except Exception:
        storage.remove(stored.storage_name)
        raise
    return evidence


def _checked(evidence: Evidence, *, actor: User, action: str) -> IO[bytes]:
    """Recompute the hash; log ``action`` on success, an integrity failure otherwise (409)."""
    copy, digest = storage.open_verified(evidence.storage_name)
    if digest != evidence.sha256:
        copy.close()
        with transaction.atomic():  # the failure is recorded even though the request fails
            _custody(evidence, CustodyAction.INTEGRITY_FAILURE, actor=actor, sha256=digest)
        raise ConflictError(
            _("The stored file no longer matches the hash taken at upload; it is not served."),
            code="integrity_failure",
        )
    with transaction.atomic():
        _custody(evidence, action, actor=actor, sha256=digest)
    return copy


def download_evidence(evidence: Evidence, *, actor: User) -> IO[bytes]:
    """The verified bytes of an evidence file, with a ``downloaded`` custody entry.

    ``evidence`` must come from ``queries.evidence_visible_to(actor)``. The hash is recomputed
    first; a mismatch is refused (409), audited as ``evidence.integrity_failure`` and logged in
    the chain of custody.
    """
    _visible_or_404(evidence, actor)
    return _checked(evidence, actor=actor, action=CustodyAction.DOWNLOADED)


def verify_evidence(evidence: Evidence, *, actor: User) -> CustodyEntry:
    """Recompute the hash and log a ``verified`` custody entry (409 on mismatch)."""
    _visible_or_404(evidence, actor)
    _checked(evidence, actor=actor, action=CustodyAction.VERIFIED).close()
    entry = CustodyEntry.objects.filter(evidence=evidence).order_by("-id").first()
    assert entry is not None
    return entry


def _visible_or_404(evidence: Evidence, actor: User) -> None:
    if not queries.evidence_visible_to(actor).filter(pk=evidence.pk).exists():
        raise NotFoundError(_("No such evidence."))


def record_custody(evidence: Evidence, raw: Mapping[str, Any], *, actor: User) -> CustodyEntry:
    """Record a hand-over by hand: ``collected``, ``transferred`` or ``released``.

    ``transferred`` and ``released`` need a ``reason``; ``handed_to`` says to whom. The entry
    carries the stored hash recomputed now.
    """
    _child_writer(evidence.incident, actor)
    errors = _unknown(raw, {"action", "reason", "handed_to"})
    action = raw.get("action")
    if action not in {a.value for a in MANUAL_CUSTODY_ACTIONS}:
        errors.append(
            FieldError("action", _("One of collected, transferred, released."), "invalid")
        )
    reason = _text(raw, "reason", errors, required=action in {a.value for a in REASON_REQUIRED})
    handed_to = _text(raw, "handed_to", errors, required=False)[:200]
    if errors:
        raise ValidationError(_("Invalid custody entry."), errors=errors)
    copy, digest = storage.open_verified(evidence.storage_name)
    copy.close()
    with transaction.atomic():
        return _custody(
            evidence, str(action), actor=actor, sha256=digest, reason=reason, handed_to=handed_to
        )


# --------------------------------------------------------------------------- lessons


def add_lesson(incident: Incident, raw: Mapping[str, Any], *, actor: User) -> LessonLearned:
    """Record a lesson learned (``text``, ``recommendation``, ``tags``)."""
    _child_writer(incident, actor)
    errors = _unknown(raw, {"text", "recommendation", "tags"})
    text = _text(raw, "text", errors, required=True)
    recommendation = _text(raw, "recommendation", errors, required=False)
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors.append(FieldError("tags", _("A list of words."), "invalid"))
        tags = []
    tags = sorted({t.strip()[:50] for t in tags if t.strip()})
    if errors:
        raise ValidationError(_("Invalid lesson."), errors=errors)
    with transaction.atomic():
        lesson = LessonLearned.objects.create(
            incident=incident, text=text, recommendation=recommendation, tags=tags, author=actor
        )
        audit.record(actor=actor, action="incident.lesson_add", obj=lesson,
                     diff={"incident": incident.pk})  # fmt: skip
    return lesson


def lesson_to_practice_raw(lesson: LessonLearned) -> dict[str, Any]:
    """The input of ``practices.services.create_practice`` for a lesson (a draft practice).

    The practice is shared no more widely than the incident: the same TLP, addressed to the
    originating organisation only (its publishers widen it from there, audited), with the
    incident's caveats. Lesson tags that are measure ids of the catalogue become ``measures``;
    the others stay in the text.
    """
    incident = lesson.incident
    measure_ids = vocabulary("measure")
    measures = sorted(t for t in lesson.tags if t in measure_ids)
    other_tags = sorted(t for t in lesson.tags if t not in measure_ids)
    body = lesson.text
    if lesson.recommendation:
        body = f"{body}\n\n**Recommendation.** {lesson.recommendation}"
    if other_tags:
        body = f"{body}\n\nTags: {', '.join(other_tags)}"
    site_types = sorted(set(incident.sites.values_list("site_type", flat=True)))
    return {
        "title": f"Lesson from: {incident.title}"[:200],
        "body": body,
        "kind": "lesson",
        "site_types": site_types,
        "scenarios": [incident.scenario] if incident.scenario else [],
        "measures": measures,
        "source": f"incident:{incident.pk}",
        "tlp": incident.tlp,
        "le_only": incident.le_only,
        "pii": incident.pii,
        "source_protected": incident.source_protected,
        # TLP:RED needs named people: the incident's, never more.
        "users": sorted(r.user_id for r in incident.user_rows.all())
        if incident.tlp == "red"
        else [],
    }


def publish_lesson_as_practice(lesson: LessonLearned, *, actor: User) -> Practice:
    """Turn a lesson into a draft practice (kind ``lesson``) in the incident's organisation.

    Only the incident's writers may do it (W1 on the parent), once per lesson; the practice is
    created by ``practices.services.create_practice`` and published from the practice library.
    """
    _child_writer(lesson.incident, actor)
    if lesson.practice_id is not None:
        raise ConflictError(_("This lesson was already published as a practice."))
    with transaction.atomic():
        practice = create_practice(lesson_to_practice_raw(lesson), actor=actor)
        lesson.practice_id = practice.pk
        lesson.save(update_fields=["practice_id"])
        audit.record(actor=actor, action="incident.lesson_published", obj=lesson,
                     diff={"practice": practice.pk})  # fmt: skip
    return practice
