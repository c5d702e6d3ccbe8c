"""All writes of the sars app: filing, vetting, notes, attachments, downloads and purging.

Every function takes a keyword-only ``actor``, decides with the pure sharing policy
(``placeguard.core.sharing``: rule R11 fixes a report's audience, keeps the reporter identity
source-protected and the vetting notes law-enforcement only), validates *everything* before
writing (every problem at once, :class:`placeguard.core.errors.ValidationError` → HTTP 422), and
writes the change with its audit event in one transaction. Audit diffs never carry the narrative,
the reporter's identity or vetting notes: auditors see metadata, not content (R10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    ConflictError,
    FieldError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.sharing import invariants, policy
from placeguard.core.sharing.model import EDITOR_ROLES, Principal
from placeguard.core.vocab import OrgKind, Role
from placeguard.web.audit import services as audit
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sars import items, notices, retention, uploads
from placeguard.web.sars.choices import BEHAVIOURS, TIER_TWO_CODES, Channel, SarStatus
from placeguard.web.sars.items import SAR_TLP
from placeguard.web.sars.models import (
    Attachment,
    AttachmentContent,
    Dissemination,
    ReporterIdentity,
    SarAudienceOrg,
    SarBehaviour,
    StatusChange,
    SuspiciousActivityReport,
    VettingNote,
)
from placeguard.web.sars.queries import attachments_visible_to, sars_visible_to
from placeguard.web.sharing import items as shared_items
from placeguard.web.sharing import principals
from placeguard.web.sites.models import Site

__all__ = [
    "FILING_ROLES",
    "MAX_ATTACHMENTS",
    "REPORTER_FIELDS",
    "REPORT_FIELDS",
    "TRANSITIONS",
    "VET_FIELDS",
    "add_attachments",
    "add_note",
    "can_vet",
    "file_sar",
    "get_sar_for",
    "open_attachment",
    "purge_sar",
    "record_read",
    "vet_sar",
]

#: Operator staff who may file a report about their organisation's sites: REPORTER and above.
FILING_ROLES = frozenset({Role.REPORTER, Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN})
#: Attachments per report.
MAX_ATTACHMENTS = 10
REPORT_FIELDS = frozenset(
    {
        "site",
        "behaviours",
        "channel",
        "observed_from",
        "observed_until",
        "location_detail",
        "latitude",
        "longitude",
        "narrative",
        "why_suspicious",
        "articulable_facts",
        "subject_count",
        "subject_description",
        "vehicle_description",
        "reporter",
    }
)
REPORTER_FIELDS = frozenset({"full_name", "job_title", "phone", "email", "may_contact"})
VET_FIELDS = frozenset({"status", "note", "vetting_facts", "refer_to"})
#: Police vetting: new → under review → referred / no further action; a referral that a
#: review finds no longer justified is closed with no further action.
TRANSITIONS: dict[str, frozenset[str]] = {
    SarStatus.NEW: frozenset({SarStatus.UNDER_REVIEW}),
    SarStatus.UNDER_REVIEW: frozenset({SarStatus.REFERRED, SarStatus.NO_FURTHER_ACTION}),
    SarStatus.REFERRED: frozenset({SarStatus.NO_FURTHER_ACTION}),
    SarStatus.NO_FURTHER_ACTION: frozenset(),
    SarStatus.PURGED: frozenset(),
}
_TEXT_LIMITS = {
    "location_detail": 300,
    "narrative": 10_000,
    "why_suspicious": 5_000,
    "articulable_facts": 5_000,
    "subject_description": 2_000,
    "vehicle_description": 2_000,
}
_FUTURE_SLACK = timedelta(minutes=10)


# --------------------------------------------------------------------------- helpers


def _principal(actor: User) -> Principal:
    return shared_items.principal_of(actor)


def _writer_check(principal: Principal) -> None:
    """R0 and W6 for any write: valid principal, two-factor (reports are AMBER), writable."""
    shared_items.writer_check(principal, SAR_TLP)


_problems_error = shared_items.problems_error


def _unknown(raw: Mapping[str, Any], known: frozenset[str], prefix: str = "") -> list[FieldError]:
    return [
        FieldError(f"{prefix}{key}", _("Unknown field."), code="unknown_field")
        for key in raw
        if key not in known
    ]


def _text(raw: Mapping[str, Any], key: str, errors: list[FieldError], prefix: str = "") -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(f"{prefix}{key}", _("Must be text."), code="invalid"))
        return ""
    value = value.strip()
    limit = _TEXT_LIMITS.get(key, 200)
    if len(value) > limit:
        msg = _("At most %(n)d characters.") % {"n": limit}
        errors.append(FieldError(f"{prefix}{key}", msg, code="max_length"))
    return value


def _datetime(value: Any) -> datetime | None:
    """A timezone-aware datetime from a datetime or ISO 8601 text; raises ValueError."""
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else None
    if isinstance(value, str):
        parsed = parse_datetime(value.strip())
    if parsed is None:
        raise ValueError
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def _number(value: Any, *, integer: bool = False) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = int(value) if integer else float(value)
    if integer and isinstance(value, float) and value != int(value):
        raise ValueError
    return number


# --------------------------------------------------------------------------- parsing


@dataclass
class ReporterData:
    """The reporter's identity (stored apart from the report)."""

    full_name: str = ""
    job_title: str = ""
    phone: str = ""
    email: str = ""
    may_contact: bool = True


@dataclass
class SarData:
    """A checked report input."""

    site: Site | None = None
    behaviours: tuple[str, ...] = ()
    channel: str = Channel.STAFF
    observed_from: datetime | None = None
    observed_until: datetime | None = None
    location_detail: str = ""
    latitude: float | None = None
    longitude: float | None = None
    narrative: str = ""
    why_suspicious: str = ""
    articulable_facts: str = ""
    subject_count: int | None = None
    subject_description: str = ""
    vehicle_description: str = ""
    reporter: ReporterData = field(default_factory=ReporterData)

    @property
    def tier_two(self) -> bool:
        """True when a behaviour is tier 2 (articulable facts needed)."""
        return bool(set(self.behaviours) & TIER_TWO_CODES)


def _parse_behaviours(value: Any, errors: list[FieldError]) -> tuple[str, ...]:
    if value in (None, "", []):
        errors.append(
            FieldError("behaviours", _("Choose at least one behaviour category."), "required")
        )
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.append(FieldError("behaviours", _("A list of category codes."), "invalid"))
        return ()
    unknown = sorted({v for v in value if v not in BEHAVIOURS})
    if unknown:
        msg = _("Unknown behaviour categories: %(codes)s.") % {"codes": ", ".join(unknown)}
        errors.append(FieldError("behaviours", msg, "invalid_choice"))
        return ()
    return tuple(sorted(set(value)))


def _parse_reporter(value: Any, errors: list[FieldError]) -> ReporterData:
    data = ReporterData()
    if not isinstance(value, Mapping):
        errors.append(FieldError("reporter", _("Your name and contact details."), "required"))
        return data
    errors.extend(_unknown(value, REPORTER_FIELDS, "reporter."))
    for key in ("full_name", "job_title", "phone", "email"):
        setattr(data, key, _text(value, key, errors, "reporter."))
    if not data.full_name:
        errors.append(FieldError("reporter.full_name", _("Your name is required."), "required"))
    if data.email:
        try:
            validate_email(data.email)
        except DjangoValidationError:
            errors.append(FieldError("reporter.email", _("Not an email address."), "invalid"))
    may_contact = value.get("may_contact", True)
    if not isinstance(may_contact, bool):
        errors.append(FieldError("reporter.may_contact", _("true or false."), "invalid"))
    else:
        data.may_contact = may_contact
    return data


def _parse_site(value: Any, actor: User, errors: list[FieldError]) -> Site | None:
    """The site, if the actor's organisation operates it (others look the same as unknown)."""
    try:
        pk = int(value) if not isinstance(value, bool) and value not in (None, "") else None
    except (TypeError, ValueError):
        pk = None
    site = (
        Site.objects.filter(pk=pk, operator_id=actor.organisation_id).first()
        if pk is not None
        else None
    )
    if site is None:
        msg = _("Choose a site your organisation operates.")
        errors.append(FieldError("site", msg, "required" if value in (None, "") else "invalid"))
    return site


def _parse_numbers(raw: Mapping[str, Any], data: SarData, errors: list[FieldError]) -> None:
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        try:
            number = _number(raw.get(key))
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("Must be a number."), "invalid"))
            continue
        if number is not None and not low <= number <= high:
            msg = _("Between %(a)d and %(b)d.") % {"a": low, "b": high}
            errors.append(FieldError(key, msg, "out_of_range"))
            continue
        setattr(data, key, number)
    if (data.latitude is None) != (data.longitude is None):
        errors.append(FieldError("longitude", _("Give both latitude and longitude."), "invalid"))
    try:
        count = _number(raw.get("subject_count"), integer=True)
    except (TypeError, ValueError):
        errors.append(FieldError("subject_count", _("Must be a whole number."), "invalid"))
        count = None
    if count is not None and not 0 <= count <= 10_000:
        errors.append(FieldError("subject_count", _("Between 0 and 10000."), "out_of_range"))
        count = None
    data.subject_count = int(count) if count is not None else None


def _parse_times(raw: Mapping[str, Any], data: SarData, errors: list[FieldError]) -> None:
    for key in ("observed_from", "observed_until"):
        try:
            setattr(data, key, _datetime(raw.get(key)))
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("A date and time (ISO 8601)."), "invalid"))
    now = timezone.now()
    if data.observed_from is None and not any(e.field == "observed_from" for e in errors):
        errors.append(FieldError("observed_from", _("When did it happen?"), "required"))
    if data.observed_from is not None and data.observed_from > now + _FUTURE_SLACK:
        errors.append(FieldError("observed_from", _("Cannot be in the future."), "invalid"))
    if data.observed_from and data.observed_until and data.observed_until < data.observed_from:
        errors.append(FieldError("observed_until", _("Must be after the start."), "invalid"))


def parse_sar(raw: Mapping[str, Any], *, actor: User) -> SarData:
    """Check a report input (every problem at once); unknown fields are refused."""
    errors = _unknown(raw, REPORT_FIELDS)
    data = SarData()
    data.site = _parse_site(raw.get("site"), actor, errors)
    data.behaviours = _parse_behaviours(raw.get("behaviours"), errors)
    channel = raw.get("channel") or Channel.STAFF
    if channel not in Channel.values:
        errors.append(FieldError("channel", _("Unknown channel."), "invalid_choice"))
    else:
        data.channel = str(channel)
    for key in _TEXT_LIMITS:
        setattr(data, key, _text(raw, key, errors))
    if not data.narrative:
        msg = _("Describe what you saw: the behaviour, not the person.")
        errors.append(FieldError("narrative", msg, "required"))
    if not data.why_suspicious:
        errors.append(FieldError("why_suspicious", _("Say why it seemed suspicious."), "required"))
    if data.tier_two and not data.articulable_facts:
        msg = _(
            "Photography, surveillance, questions and the other tier-2 behaviours are not "
            "criminal in themselves: state the specific facts that made this one suspicious."
        )
        errors.append(FieldError("articulable_facts", msg, "required"))
    _parse_times(raw, data, errors)
    _parse_numbers(raw, data, errors)
    data.reporter = _parse_reporter(raw.get("reporter"), errors)
    if errors:
        raise ValidationError(_("Invalid report; nothing was saved."), errors=errors)
    return data


# --------------------------------------------------------------------------- reading


def get_sar_for(actor: User | None, pk: Any) -> SuspiciousActivityReport:
    """The report ``pk`` if ``actor`` may read it; NotFoundError otherwise (outsiders: 404)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = None
    sar = (
        sars_visible_to(actor).filter(pk=key).select_related("site", "org").first()
        if key is not None
        else None
    )
    if sar is None:
        raise NotFoundError(_("No such report."))
    return sar


def record_read(sar: SuspiciousActivityReport, *, actor: User) -> None:
    """Log a consultation of a report's detail (LED Art. 25 logs reads, not only writes)."""
    with transaction.atomic():
        audit.record(actor=actor, action="sar.read", obj=sar)


def _filed_forces(site: Site) -> list[Organisation]:
    """The site's responsible police that can receive reports: active and vetted forces."""
    return list(
        site.responsible_le.filter(kind=OrgKind.LAW_ENFORCEMENT, active=True, vetted=True).order_by(
            "name", "id"
        )
    )


# --------------------------------------------------------------------------- filing


def _check_files(files: Sequence[tuple[str, bytes]], already: int = 0) -> list[uploads.CheckedFile]:
    errors: list[FieldError] = []
    if len(files) + already > MAX_ATTACHMENTS:
        msg = _("At most %(n)d attachments per report.") % {"n": MAX_ATTACHMENTS}
        errors.append(FieldError("attachments", msg, "too_many"))
    checked = []
    for name, data in files:
        result = uploads.check_file(name, data)
        if isinstance(result, FieldError):
            errors.append(result)
        else:
            checked.append(result)
    if errors:
        raise ValidationError(_("Invalid attachment; nothing was saved."), errors=errors)
    return checked


def _store_files(
    sar: SuspiciousActivityReport, files: Sequence[uploads.CheckedFile], actor: User
) -> list[Attachment]:
    out = []
    for f in files:
        attachment = Attachment.objects.create(
            sar=sar,
            uploaded_by=actor,
            org_id=sar.org_id,
            filename=f.filename,
            content_type=f.content_type,
            size=len(f.data),
            sha256=f.sha256,
            shared_sha256=f.shared_sha256,
        )
        AttachmentContent.objects.create(attachment=attachment, original=f.data, shared=f.shared)
        out.append(attachment)
    return out


def file_sar(
    raw: Mapping[str, Any], *, actor: User, files: Sequence[tuple[str, bytes]] = ()
) -> SuspiciousActivityReport:
    """File a report about a site the actor's organisation operates (REPORTER and above).

    The audience is fixed to the site's responsible police (R11); the filing is written to the
    dissemination log, one row per force. ``files`` are ``(name, bytes)`` pairs.
    """
    principal = _principal(actor)
    _writer_check(principal)
    if principal.org_kind not in {OrgKind.OPERATOR, OrgKind.COMMUNITY} or not principal.has_role(
        FILING_ROLES
    ):
        raise PermissionDeniedError(
            _("Reporters and above of a site's operator file reports about it.")
        )
    errors: list[FieldError] = []
    try:
        data = parse_sar(raw, actor=actor)
    except ValidationError as exc:
        errors.extend(exc.errors)
        data = None
    checked: list[uploads.CheckedFile] = []
    try:
        checked = _check_files(files)
    except ValidationError as exc:
        errors.extend(exc.errors)
    if data is not None and data.site is not None and not _filed_forces(data.site):
        msg = _("This site has no vetted responsible police force to receive reports.")
        errors.append(FieldError("site", msg, "no_police"))
    if errors or data is None or data.site is None:
        raise ValidationError(_("Invalid report; nothing was saved."), errors=errors)
    site = data.site
    forces = _filed_forces(site)
    org = actor.organisation
    assert org is not None
    draft = SuspiciousActivityReport(pk=None, org=org, org_kind=org.kind, author=actor, site=site)
    item = items.sar_item(draft, audience=[(f.pk, False) for f in forces])
    identity = ReporterIdentity(author=actor, org=org)
    identity_item = items.identity_item(identity, item, [f.pk for f in forces])
    directory = principals.directory_for(orgs=[f.pk for f in forces])
    problems = [
        *invariants.check_create(principal, item, directory=directory),
        *invariants.check_invariants(identity_item, parent=item, directory=directory),
    ]
    if problems:
        raise _problems_error(problems)
    now = timezone.now()
    with transaction.atomic():
        sar = draft
        for key in (
            "channel", "observed_from", "observed_until", "location_detail", "latitude",
            "longitude", "narrative", "why_suspicious", "articulable_facts", "subject_count",
            "subject_description", "vehicle_description",
        ):  # fmt: skip
            setattr(sar, key, getattr(data, key))
        sar.status_changed_at = now
        sar.save()
        SarBehaviour.objects.bulk_create([SarBehaviour(sar=sar, code=c) for c in data.behaviours])
        SarAudienceOrg.objects.bulk_create([SarAudienceOrg(sar=sar, org=f) for f in forces])
        identity.sar = sar
        for key in ("full_name", "job_title", "phone", "email", "may_contact"):
            setattr(identity, key, getattr(data.reporter, key))
        identity.save()
        attachments = _store_files(sar, checked, actor)
        reason = _("Filed to the site's responsible police (rule R11).")
        Dissemination.objects.bulk_create(
            [
                Dissemination(
                    sar=sar,
                    kind=Dissemination.Kind.FILING,
                    released_by=actor,
                    released_by_org=org,
                    to_org=f,
                    reason=reason,
                    includes_identity=True,
                    at=now,
                )
                for f in forces
            ]
        )
        audit.record(
            actor=actor,
            action="sar.file",
            obj=sar,
            diff=audit.diff_fields(
                None,
                {
                    "site": site.pk,
                    "behaviours": list(data.behaviours),
                    "audience": sorted(f.pk for f in forces),
                    "attachments": [a.sha256 for a in attachments],
                    "status": sar.status,
                },
            ),
        )
        notices.notify(sar, event="sar.filed", org_ids=[f.pk for f in forces])
    return sar


# --------------------------------------------------------------------------- vetting


def can_vet(principal: Principal | None, sar: SuspiciousActivityReport) -> bool:
    """Analysts and above of a force that holds the report (R11 audience) vet it."""
    if principal is None or sar.is_purged:
        return False
    item = items.sar_item(sar)
    return (
        principal.org_kind is OrgKind.LAW_ENFORCEMENT
        and principal.le_vetted
        and principal.org_id in item.audience.orgs
        and principal.has_role(EDITOR_ROLES)
        and policy.can_view(principal, item).content
    )


def _vetter(sar: SuspiciousActivityReport, actor: User) -> Principal:
    principal = _principal(actor)
    if not policy.can_view(principal, items.sar_item(sar)).content:
        raise NotFoundError(_("No such report."))
    _writer_check(principal)
    if not can_vet(principal, sar):
        raise PermissionDeniedError(_("Only analysts of a force holding the report vet it."))
    return principal


def _referral_targets(
    value: Any, sar: SuspiciousActivityReport, errors: list[FieldError]
) -> list[Organisation]:
    if value in (None, "", []):
        return []
    if not isinstance(value, list | tuple):
        errors.append(FieldError("refer_to", _("A list of police forces."), "invalid"))
        return []
    ids = {v for v in value if isinstance(v, int) and not isinstance(v, bool)}
    slugs = {v for v in value if isinstance(v, str)}
    if len(ids) + len(slugs) != len(set(value)):
        errors.append(FieldError("refer_to", _("A list of police forces."), "invalid"))
        return []
    found = list(
        Organisation.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)).filter(
            kind=OrgKind.LAW_ENFORCEMENT, active=True, vetted=True
        )
    )
    if len(found) != len(ids) + len(slugs):
        msg = _("Refer only to active, vetted police forces.")
        errors.append(FieldError("refer_to", msg, "invalid_choice"))
        return []
    held = set(sar.audience_rows.values_list("org_id", flat=True))
    already = sorted(o.slug for o in found if o.pk in held)
    if already:
        msg = _("Already holds the report: %(f)s.") % {"f": ", ".join(already)}
        errors.append(FieldError("refer_to", msg, "duplicate"))
    return found


@dataclass(frozen=True, slots=True)
class Vetting:
    """A checked vetting decision."""

    status: str
    note: str
    vetting_facts: str
    refer_to: tuple[Organisation, ...]


def parse_vetting(raw: Mapping[str, Any], sar: SuspiciousActivityReport) -> Vetting:
    """Check a vetting decision against the state machine and the tier-2 rule."""
    errors = _unknown(raw, VET_FIELDS)
    target = raw.get("status")
    allowed = TRANSITIONS.get(sar.status, frozenset())
    if target not in SarStatus.values or target == SarStatus.PURGED:
        errors.append(FieldError("status", _("Unknown status."), "invalid_choice"))
    elif target not in allowed:
        msg = _("A %(a)s report cannot become %(b)s.") % {"a": sar.status, "b": target}
        errors.append(FieldError("status", msg, "invalid_transition"))
    note = _text({"note": raw.get("note")}, "note", errors) if "note" in raw else ""
    facts = _text({"f": raw.get("vetting_facts")}, "f", errors) if "vetting_facts" in raw else ""
    if len(note) > 10_000:
        errors.append(FieldError("note", _("At most 10000 characters."), "max_length"))
    decided = target in {SarStatus.REFERRED, SarStatus.NO_FURTHER_ACTION}
    if decided and not note:
        errors.append(FieldError("note", _("Record the rationale of the decision."), "required"))
    codes = set(sar.behaviours.values_list("code", flat=True))
    if target == SarStatus.REFERRED and codes & TIER_TWO_CODES and not facts:
        msg = _(
            "Tier-2 behaviours are not inherently criminal: document the articulable facts that "
            "support a referral."
        )
        errors.append(FieldError("vetting_facts", msg, "required"))
    refer_to = _referral_targets(raw.get("refer_to"), sar, errors)
    if refer_to and target != SarStatus.REFERRED:
        errors.append(FieldError("refer_to", _("Only with a referral."), "invalid"))
    if errors:
        raise ValidationError(_("Invalid vetting decision; nothing was saved."), errors=errors)
    return Vetting(str(target), note, facts, tuple(refer_to))


def vet_sar(
    sar: SuspiciousActivityReport, raw: Mapping[str, Any], *, actor: User
) -> SuspiciousActivityReport:
    """Move a report through vetting; notes stay law-enforcement only.

    A referral sets a review date (at most the policy maximum); closing with no further action
    sets the purge date of the retention schedule. ``refer_to`` forces receive the report (not the
    reporter identity), each release written to the dissemination log and audited.
    """
    principal = _vetter(sar, actor)
    decision = parse_vetting(raw, sar)
    org = actor.organisation
    assert org is not None
    widened = items.sar_item(
        sar,
        audience=[
            *((r.org_id, r.via_referral) for r in sar.audience_rows.all()),
            *((o.pk, True) for o in decision.refer_to),
        ],
    )
    directory = principals.directory_for(orgs=widened.audience.orgs)
    problems = invariants.check_invariants(widened, directory=directory)
    if problems:
        raise _problems_error(problems)
    now = timezone.now()
    before = sar.status
    with transaction.atomic():
        sar.status = decision.status
        sar.status_changed_at = now
        if decision.status == SarStatus.REFERRED:
            sar.review_due = retention.review_due_from(now)
            sar.purge_due = None
        elif decision.status == SarStatus.NO_FURTHER_ACTION:
            sar.purge_due = retention.purge_due_from(now)
            sar.review_due = None
        sar.save(update_fields=["status", "status_changed_at", "review_due", "purge_due"])
        StatusChange.objects.create(
            sar=sar, from_status=before, to_status=decision.status, by_org=org, at=now
        )
        for body, kind in ((decision.note, VettingNote.Kind.RATIONALE),
                           (decision.vetting_facts, VettingNote.Kind.FACTS)):  # fmt: skip
            if body:
                VettingNote.objects.create(sar=sar, author=actor, org=org, body=body, kind=kind)
        audit.record(
            actor=actor,
            action="sar.vet",
            obj=sar,
            diff={
                "status": [before, decision.status],
                "review_due": str(sar.review_due),
                "purge_due": str(sar.purge_due),
            },
        )
        for force in decision.refer_to:
            SarAudienceOrg.objects.create(sar=sar, org=force, via_referral=True)
            Dissemination.objects.create(
                sar=sar,
                kind=Dissemination.Kind.REFERRAL,
                released_by=actor,
                released_by_org=org,
                to_org=force,
                reason=decision.note,
                includes_identity=False,
                at=now,
            )
            audit.record(
                actor=actor,
                action="sar.refer",
                obj=sar,
                diff={"to_org": force.pk, "by_org": principal.org_id},
            )
        # The reporting organisation sees the status (never the notes); a referred force is
        # told it holds the report. One event name per state, so each change is told once.
        if decision.status != before:
            notices.notify(
                sar, event=f"sar.status.{decision.status}", org_ids=[sar.org_id], exclude=actor.pk
            )
        if decision.refer_to:
            notices.notify(sar, event="sar.referred", org_ids=[f.pk for f in decision.refer_to])
    return sar


def add_note(sar: SuspiciousActivityReport, body: Any, *, actor: User) -> VettingNote:
    """Add a law-enforcement-only vetting note (analysts of a force holding the report)."""
    _vetter(sar, actor)
    errors: list[FieldError] = []
    text = _text({"note": body}, "note", errors)
    if not text and not errors:
        errors.append(FieldError("body", _("Write a note."), "required"))
    if len(text) > 10_000:
        errors.append(FieldError("body", _("At most 10000 characters."), "max_length"))
    if errors:
        raise ValidationError(_("Invalid note; nothing was saved."), errors=errors)
    org = actor.organisation
    assert org is not None
    with transaction.atomic():
        note = VettingNote.objects.create(
            sar=sar, author=actor, org=org, body=text, kind=VettingNote.Kind.NOTE
        )
        audit.record(actor=actor, action="sar.note", obj=sar, diff={"note": note.pk})
    return note


# --------------------------------------------------------------------------- attachments


def add_attachments(
    sar: SuspiciousActivityReport, files: Sequence[tuple[str, bytes]], *, actor: User
) -> list[Attachment]:
    """Attach files: the author or editors of the reporting organisation (W1), all or none."""
    principal = _principal(actor)
    item = items.sar_item(sar)
    seen = policy.can_view(principal, item)
    if not seen.content:
        raise NotFoundError(_("No such report."))
    _writer_check(principal)
    decision = policy.can_edit(principal, item)
    if not decision.allowed:
        msg = f"{decision.rule}: {decision.reason}"
        raise PermissionDeniedError(msg)
    if not files:
        raise ValidationError(
            _("Choose a file."), errors=[FieldError("file", _("Choose a file."), "required")]
        )
    checked = _check_files(files, already=sar.attachments.count())
    with transaction.atomic():
        out = _store_files(sar, checked, actor)
        audit.record(
            actor=actor,
            action="sar.attach",
            obj=sar,
            diff={"attachments": [a.sha256 for a in out]},
        )
    return out


@dataclass(frozen=True, slots=True)
class Download:
    """A verified file ready to send."""

    filename: str
    content_type: str
    data: bytes
    sha256: str
    copy: str


def open_attachment(
    sar: SuspiciousActivityReport, attachment_id: Any, *, actor: User, copy: str = "original"
) -> Download:
    """The bytes of an attachment, after checking its SHA-256 against the upload's.

    Forces that received the report by referral get the shared copy (no EXIF) of a JPEG; so does
    anyone asking ``copy="shared"``. A hash mismatch refuses the download (IntegrityError) and is
    audited.
    """
    try:
        key = int(attachment_id)
    except (TypeError, ValueError):
        key = -1
    attachment = attachments_visible_to(actor).filter(pk=key, sar_id=sar.pk).first()
    if attachment is None:
        raise NotFoundError(_("No such attachment."))
    if copy not in {"original", "shared"}:
        raise ValidationError(
            _("Unknown copy."), errors=[FieldError("copy", _("original or shared."), "invalid")]
        )
    referred = sar.audience_rows.filter(org_id=actor.organisation_id, via_referral=True).exists()
    content = AttachmentContent.objects.get(attachment=attachment)
    use_shared = (copy == "shared" or referred) and content.shared is not None
    data = bytes(content.shared if use_shared else content.original)  # type: ignore[arg-type]
    expected = attachment.shared_sha256 if use_shared else attachment.sha256
    actual = uploads.sha256(data)
    chosen = "shared" if use_shared else "original"
    with transaction.atomic():
        if actual != expected:
            audit.record(
                actor=actor,
                action="sar.attachment.integrity_failure",
                obj=attachment,
                diff={"copy": chosen, "expected": expected, "actual": actual},
            )
        else:
            audit.record(
                actor=actor,
                action="sar.attachment.download",
                obj=attachment,
                diff={"copy": chosen, "sha256": actual},
            )
    if actual != expected:
        msg = _(
            "The stored file no longer matches the SHA-256 recorded at upload; the download is "
            "refused. The failure was recorded in the audit trail."
        )
        raise IntegrityError(msg, code="attachment_tampered")
    return Download(attachment.filename, attachment.content_type, data, actual, chosen)


# --------------------------------------------------------------------------- purge


def purge_sar(
    sar: SuspiciousActivityReport, *, actor: User | None = None, today: date | None = None
) -> SuspiciousActivityReport:
    """Delete a report's content and reporter identity, keep a tombstone and a certificate.

    Only a report closed with no further action whose purge date has come is purged (the
    retention schedule, ``retention.py``). The audit event ``sar.purge`` is the purge
    certificate; its id and hash are kept on the tombstone. The dissemination log and the
    status history stay (they say who received the data and when, not what it said).
    """
    today = today or timezone.localdate()
    if sar.is_purged:
        raise ConflictError(_("This report was already purged."))
    if sar.status != SarStatus.NO_FURTHER_ACTION or sar.purge_due is None or sar.purge_due > today:
        raise ConflictError(_("This report is not due for purging."))
    with transaction.atomic():
        attachments = list(sar.attachments.values_list("sha256", flat=True))
        certificate: dict[str, Any] = {
            "sar_uuid": str(sar.uuid),
            "site": sar.site_id,
            "org": sar.org_id,
            "status_before": sar.status,
            "closed_at": sar.status_changed_at.isoformat() if sar.status_changed_at else None,
            "purge_due": sar.purge_due.isoformat(),
            "retention_days": retention.retention_days(),
            "deleted": {
                "behaviours": sar.behaviours.count(),
                "reporter_identity": ReporterIdentity.objects.filter(sar=sar).exists(),
                "vetting_notes": sar.vetting_notes.count(),
                "attachments_sha256": attachments,
            },
        }
        sar.behaviours.all().delete()
        ReporterIdentity.objects.filter(sar=sar).delete()
        sar.vetting_notes.all().delete()
        sar.attachments.all().delete()
        for name in (
            "location_detail", "narrative", "why_suspicious", "articulable_facts",
            "subject_description", "vehicle_description",
        ):  # fmt: skip
            setattr(sar, name, "")
        sar.latitude = sar.longitude = sar.subject_count = None
        sar.observed_from = sar.observed_until = None
        sar.author = None
        before = sar.status
        now = timezone.now()
        sar.status = SarStatus.PURGED
        sar.status_changed_at = now
        sar.purged_at = now
        sar.save()
        StatusChange.objects.create(
            sar=sar, from_status=before, to_status=SarStatus.PURGED, by_org=None, at=now
        )
        event = audit.record(actor=actor, action="sar.purge", obj=sar, diff=certificate)
        sar.purge_certificate = {**certificate, "audit_event": event.pk, "audit_hash": event.hash}
        sar.save(update_fields=["purge_certificate"])
    return sar
