"""STIX 2.1 and MISP exports and STIX imports, under the sharing policy.

Exports take their rows **only** from the visibility functions (``bulletins_visible_to``, the
sites' ``visible_to``) through a small registry of exporters keyed by kind, then drop:

* withdrawn stubs, drafts and withdrawn items (only live content is shared onwards);
* anything above the chosen maximum TLP;
* anything carrying a caveat (``le_only``, ``pii``, ``source_protected``): a caveat restricts
  export and sync by definition, so such items never leave in a file.

An import creates **draft** bulletins and incidents for the importer's organisation only (an
empty audience: organisation-only; a RED item names the importer, as RED must name people), each
at the TLP marked in the file (no marking: AMBER+STRICT). Locations never become sites: an
incident is linked to a site only when the location's id is the STIX id this instance gives one
of its own sites *and* the importer sees that site; any other place is kept as text in the
incident's summary, and a hidden site is treated exactly like an unknown location. The user
widens an imported draft later through the normal edit and publish flow. An import is all or
nothing, and every problem names the STIX id it is about. Every export and import is an
:class:`Exchange` row plus an audit event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from placeguard.core.errors import FieldError, PermissionDeniedError, ValidationError
from placeguard.core.interchange import misp, stix
from placeguard.core.interchange.records import (
    BulletinRecord,
    ExportSet,
    IncidentRecord,
    LocationRecord,
    OrgRecord,
)
from placeguard.core.interchange.stix import Issue, ParsedBulletin, ParsedIncident
from placeguard.core.sharing.model import EDITOR_ROLES
from placeguard.core.vocab import TLP
from placeguard.web.audit import services as audit
from placeguard.web.incidents import services as incidents
from placeguard.web.incidents.queries import incidents_visible_to
from placeguard.web.interchange.models import Exchange
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing import services as sharing
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sharing.principals import principal_for, two_factor_ok
from placeguard.web.sharing.queries import bulletins_visible_to
from placeguard.web.sites import access as sites_access
from placeguard.web.sites.choices import SiteStatus

__all__ = [
    "EXPORTERS",
    "SITE_TLP",
    "ExportResult",
    "Exporter",
    "ImportRefusedError",
    "ImportResult",
    "export_for",
    "import_bundle",
    "instance_namespace",
    "parse_kinds",
    "parse_max_tlp",
    "register_exporter",
]

#: Sites carry no TLP of their own. Their geometry is sensitive and only their operator and the
#: police and authorities of their area see them, so a site leaves as TLP:AMBER+STRICT.
SITE_TLP = TLP.AMBER_STRICT
_LIVE = (BulletinStatus.PUBLISHED, BulletinStatus.EXPIRED)


def instance_namespace() -> uuid.UUID:
    """The uuid5 namespace of this instance: the same row gets the same STIX id every time."""
    name = getattr(settings, "PLACEGUARD_INSTANCE_NAME", "") or "placeguard.invalid"
    return uuid.uuid5(uuid.NAMESPACE_DNS, str(name))


# --------------------------------------------------------------------------- exporters


class Exporter(Protocol):
    """Collects the records of one kind that ``user`` may export at ``max_tlp`` or below.

    An exporter must start from its model's visibility function and drop stubs, caveated items
    and anything above ``max_tlp`` (the builders drop the last again).
    """

    def __call__(self, user: User, max_tlp: TLP) -> ExportSet: ...


#: Kind → exporter. Incidents register here once their app exists (``register_exporter``).
EXPORTERS: dict[str, Exporter] = {}


def register_exporter(kind: str, exporter: Exporter) -> None:
    """Make ``kind`` exportable (``?kinds=`` accepts it from then on)."""
    EXPORTERS[kind] = exporter


def _org_record(org: Organisation) -> OrgRecord:
    return OrgRecord(pk=org.pk, name=org.name, created=org.created)


def export_bulletins(user: User, max_tlp: TLP) -> ExportSet:
    """Live, caveat-free bulletins ``user`` sees in full, at ``max_tlp`` or below."""
    rows = (
        bulletins_visible_to(user, whole_set=True)
        .filter(Q(is_stub=False), status__in=_LIVE, tlp_rank__lte=max_tlp.rank)
        .filter(le_only=False, pii=False, source_protected=False)
        .select_related("org")
        .order_by("pk")
    )
    return ExportSet(
        bulletins=tuple(
            BulletinRecord(
                pk=b.pk,
                title=b.title,
                body=b.body,
                tlp=TLP(b.tlp),
                org=_org_record(b.org),
                created=b.created,
                modified=b.updated,
                published=b.published_at,
            )
            for b in rows
        )
    )


def export_locations(user: User, max_tlp: TLP) -> ExportSet:
    """Active sites ``user`` sees, as locations at :data:`SITE_TLP` (two-factor needed)."""
    if SITE_TLP.rank > max_tlp.rank or not two_factor_ok(user):
        return ExportSet()
    rows = (
        sites_access.visible_to(user)
        .filter(status=SiteStatus.ACTIVE)
        .select_related("region", "operator")
        .order_by("pk")
    )
    return ExportSet(
        locations=tuple(
            LocationRecord(
                pk=s.pk,
                name=s.name,
                latitude=s.latitude,
                longitude=s.longitude,
                tlp=SITE_TLP,
                created=s.created,
                modified=s.updated,
                country=s.region.country_code,
                administrative_area=s.region.name,
                org=_org_record(s.operator),
            )
            for s in rows
        )
    )


def export_incidents(user: User, max_tlp: TLP) -> ExportSet:
    """Live, caveat-free incidents ``user`` sees in full, at ``max_tlp`` or below.

    Each names the sites it happened at; the STIX builder draws a ``located-at`` relationship
    only to sites that are in the same export (visible to ``user`` and within ``max_tlp``).
    """
    rows = (
        incidents_visible_to(user)
        .filter(Q(is_stub=False), status__in=_LIVE, tlp_rank__lte=max_tlp.rank)
        .filter(le_only=False, pii=False, source_protected=False)
        .select_related("org")
        .prefetch_related("sites")
        .order_by("pk")
    )
    return ExportSet(
        incidents=tuple(
            IncidentRecord(
                pk=i.pk,
                name=i.title,
                description=i.summary,
                tlp=TLP(i.tlp),
                org=_org_record(i.org),
                created=i.created,
                modified=i.updated,
                location_pks=tuple(site.pk for site in i.sites.all()),
            )
            for i in rows
        )
    )


register_exporter("bulletin", export_bulletins)
register_exporter("location", export_locations)
register_exporter("incident", export_incidents)


# --------------------------------------------------------------------------- export


def parse_max_tlp(value: str | None, *, default: TLP = TLP.GREEN) -> TLP:
    """``?max_tlp=`` (``clear`` … ``red``, also ``amber_strict``); a bad value is a 400."""
    if value in (None, ""):
        return default
    assert value is not None
    try:
        return TLP(value.strip().lower().replace("_", "+").replace(" ", "+"))
    except ValueError:
        msg = _("Unknown TLP level.")
        raise ValidationError(msg, errors=[FieldError("max_tlp", msg)]) from None


def parse_kinds(value: str | None) -> tuple[str, ...]:
    """``?kinds=bulletin,location`` (default: every registered kind); unknown kinds are a 400."""
    if not value:
        return tuple(sorted(EXPORTERS))
    kinds = tuple(sorted({k.strip() for k in value.split(",") if k.strip()}))
    unknown = [k for k in kinds if k not in EXPORTERS]
    if unknown or not kinds:
        msg = _("Unknown kind.")
        raise ValidationError(msg, errors=[FieldError("kinds", msg)])
    return kinds


@dataclass(frozen=True, slots=True)
class ExportResult:
    """The document to send and how many records of each kind it holds."""

    document: dict[str, Any]
    counts: dict[str, int]
    exchange_id: int


def _require_member(user: User) -> None:
    if principal_for(user) is None:
        raise PermissionDeniedError(_("You need an organisation to exchange information."))


def export_for(
    user: User,
    *,
    max_tlp: TLP,
    kinds: Iterable[str] | None = None,
    fmt: Literal["stix", "misp"] = "stix",
) -> ExportResult:
    """Build a STIX bundle or MISP events of what ``user`` may export, and audit it.

    Parameters
    ----------
    user
        The reader; rows come only from the visibility functions for this user.
    max_tlp
        Nothing above this level is included.
    kinds
        Registered kinds to include (default: all).
    fmt
        ``"stix"`` or ``"misp"``.
    """
    _require_member(user)
    chosen = tuple(sorted(set(kinds))) if kinds is not None else tuple(sorted(EXPORTERS))
    items = ExportSet()
    for kind in chosen:
        items = items.merged(EXPORTERS[kind](user, max_tlp))
    items = items.at_most(max_tlp)
    ns = instance_namespace()
    if fmt == "stix":
        document = stix.build_bundle(items, namespace=ns, max_tlp=max_tlp)
    else:
        document = misp.build_misp(items, namespace=ns, max_tlp=max_tlp)
    counts = {k: v for k, v in items.counts().items() if v}
    with transaction.atomic():
        exchange = Exchange.objects.create(
            direction=Exchange.Direction.EXPORT,
            format=fmt,
            actor=user,
            organisation_id=user.organisation_id,
            max_tlp=max_tlp.value,
            counts=counts,
        )
        audit.record(
            actor=user,
            action=f"interchange.export_{fmt}",
            obj=exchange,
            diff={"max_tlp": max_tlp.value, "kinds": list(chosen), "counts": counts},
        )
    return ExportResult(document=document, counts=counts, exchange_id=exchange.pk)


# --------------------------------------------------------------------------- import


class ImportRefusedError(ValidationError):
    """The file was refused; nothing was imported. Answered with 422 and every problem."""

    code = "import_invalid"


def _refused(problems: Iterable[Issue]) -> ImportRefusedError:
    errors = [
        FieldError(f"{p.stix_id}.{p.field}" if p.stix_id else p.field, p.message) for p in problems
    ]
    return ImportRefusedError(_("The bundle was refused; nothing was imported."), errors=errors)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Created draft bulletin and incident ids (in bundle order), notes, and the exchange row."""

    created: tuple[int, ...]
    notes: tuple[Issue, ...]
    exchange_id: int
    created_incidents: tuple[int, ...] = ()


def _provenance(stix_id: str, created_by: str | None) -> str:
    source = f" (created by {created_by})" if created_by else ""
    return f"\n\n---\nImported from STIX object {stix_id}{source}."


#: Fields of ``create_incident`` named after the STIX property they come from, for problems.
_INCIDENT_FIELD_NAMES = {"title": "name", "summary": "description"}

_KEPT_AS_TEXT = (
    "Kept as text in the summary of {incident}: only sites of this instance that you can see "
    "are linked."
)


def _own_site_ids(actor: User) -> dict[str, int]:
    """STIX id → pk of every site ``actor`` sees (and of no other: hidden equals unknown)."""
    ns = instance_namespace()
    visible = sites_access.visible_to(actor).values_list("pk", flat=True)
    return {stix.stix_id(ns, "site", pk): pk for pk in visible}


def _bulletin_fields(item: ParsedBulletin, actor: User) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": item.title,
        "body": item.body + _provenance(item.stix_id, item.created_by_ref),
        "tlp": item.tlp.value,  # never looser than the file's marking
    }
    if item.tlp is TLP.RED:  # RED names people (I1): the importer alone
        fields["users"] = [actor.pk]
    return fields


def _incident_fields(
    item: ParsedIncident, actor: User, own_sites: dict[str, int], notes: list[Issue]
) -> dict[str, Any]:
    """``create_incident`` input for ``item``: org-only, no caveats, at least its marking.

    A place whose id names a site ``actor`` sees is linked; any other place (unknown, foreign
    or hidden, all alike) becomes a ``Location:`` line of the summary.
    """
    level = item.level  # the marking of what is copied from its places counts too
    if level is not item.tlp:
        notes.append(
            Issue(
                item.stix_id,
                "object_marking_refs",
                f"Read as TLP:{level.value.upper()}, the stricter marking of its locations.",
            )
        )
    linked: list[int] = []
    lines: list[str] = []
    for place in item.places:
        pk = own_sites.get(place.location_id)
        if pk is not None:
            linked.append(pk)
            notes.append(
                Issue(place.location_id, "located-at", f"{item.stix_id} linked to your site {pk}.")
            )
        else:
            lines.append(stix.location_line(place))
            notes.append(
                Issue(place.location_id, "located-at", _KEPT_AS_TEXT.format(incident=item.stix_id))
            )
    summary = "\n\n".join(part for part in (item.description, *lines) if part)
    fields: dict[str, Any] = {
        "title": item.name,
        "summary": summary + _provenance(item.stix_id, item.created_by_ref),
        "tlp": level.value,
    }
    if linked:
        fields["sites"] = sorted(set(linked))
    if level is TLP.RED:  # RED names people (I1): the importer alone
        fields["users"] = [actor.pk]
    return fields


def import_bundle(raw: bytes | str, *, actor: User) -> ImportResult:
    """Import the reports, notes and incidents of a STIX 2.1 bundle as organisation-only drafts.

    Parameters
    ----------
    raw
        The uploaded file (at most ``stix.MAX_BYTES``).
    actor
        The importer: an analyst, publisher or admin; the drafts belong to their organisation.

    Returns
    -------
    ImportResult
        The draft bulletins (``created``) and incidents (``created_incidents``), and notes on
        what was assumed, linked, kept as text or ignored.

    Raises
    ------
    ImportRefusedError
        Anything wrong with the file or any object (nothing is written).
    PermissionDeniedError
        The actor may not write bulletins or incidents (or lacks two-factor above CLEAR).
    """
    principal = principal_for(actor)
    if principal is None or not principal.has_role(EDITOR_ROLES):
        raise PermissionDeniedError(_("Only analysts, publishers and admins import bulletins."))
    data, problems = stix.load_json(raw)
    if problems:
        raise _refused(problems)
    parsed = stix.parse_bundle(data)
    problems = list(parsed.problems)
    if not (parsed.bulletins or parsed.incidents) and not problems:
        msg = "The bundle holds no report, note or incident to import."
        problems.append(Issue("", "objects", msg))
    if problems:
        raise _refused(problems)
    notes = list(parsed.notes)
    notes += [
        Issue(x.stix_id, "type", "Locations never become sites (sites come through the registry).")
        for x in parsed.locations
    ]
    own_sites = _own_site_ids(actor) if any(i.places for i in parsed.incidents) else {}
    incident_fields = [_incident_fields(i, actor, own_sites, notes) for i in parsed.incidents]
    created: list[int] = []
    created_incidents: list[int] = []
    failures: list[Issue] = []
    with transaction.atomic():
        for item in parsed.bulletins:
            try:
                bulletin = sharing.create_bulletin(_bulletin_fields(item, actor), actor=actor)
            except ValidationError as exc:
                failures += [Issue(item.stix_id, e.field, e.message) for e in exc.errors]
                continue
            created.append(bulletin.pk)
        for inc, fields in zip(parsed.incidents, incident_fields, strict=True):
            try:
                incident = incidents.create_incident(fields, actor=actor)
            except ValidationError as exc:
                failures += [
                    Issue(inc.stix_id, _INCIDENT_FIELD_NAMES.get(e.field, e.field), e.message)
                    for e in exc.errors
                ]
                continue
            created_incidents.append(incident.pk)
            notes.append(Issue(inc.stix_id, "id", f"Created as draft incident {incident.pk}."))
        if failures:
            raise _refused(failures)  # leaving the block rolls back every draft created above
        counts = {
            k: v for k, v in (("bulletin", len(created)), ("incident", len(created_incidents))) if v
        }
        exchange = Exchange.objects.create(
            direction=Exchange.Direction.IMPORT,
            format=Exchange.Format.STIX,
            actor=actor,
            organisation_id=actor.organisation_id,
            counts=counts,
        )
        levels = {b.tlp.value for b in parsed.bulletins} | {
            TLP(f["tlp"]).value for f in incident_fields
        }
        audit.record(
            actor=actor,
            action="interchange.import_stix",
            obj=exchange,
            diff={
                "counts": counts,
                "created": created,
                "created_incidents": created_incidents,
                "tlp": sorted(levels),
            },
        )
    return ImportResult(
        created=tuple(created),
        notes=tuple(notes),
        exchange_id=exchange.pk,
        created_incidents=tuple(created_incidents),
    )
