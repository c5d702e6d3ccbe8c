"""STIX 2.1 and MISP exports and STIX imports, under the sharing policy.

Exports take their rows **only** from the visibility functions (``bulletins_visible_to``, the
sites' ``visible_to``) through a small registry of exporters keyed by kind, then drop:

* withdrawn stubs, drafts and withdrawn items (only live content is shared onwards);
* anything above the chosen maximum TLP;
* anything carrying a caveat (``le_only``, ``pii``, ``source_protected``): a caveat restricts
  export and sync by definition, so such items never leave in a file.

An import creates **draft** bulletins for the importer's organisation only (an empty audience:
organisation-only; a RED item names the importer, as RED must name people), each at the TLP
marked in the file (no marking: AMBER+STRICT). The user widens an imported draft later through
the normal edit and publish flow. An import is all or nothing, and every problem names the STIX
id it is about. Every export and import is an :class:`Exchange` row plus an audit event.
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
from placeguard.core.interchange.stix import Issue
from placeguard.core.sharing.model import EDITOR_ROLES
from placeguard.core.vocab import TLP
from placeguard.web.audit import services as audit
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
    """Created draft bulletin ids (in bundle order), notes, and the exchange row."""

    created: tuple[int, ...]
    notes: tuple[Issue, ...]
    exchange_id: int


def _provenance(stix_id: str, created_by: str | None) -> str:
    source = f" (created by {created_by})" if created_by else ""
    return f"\n\n---\nImported from STIX object {stix_id}{source}."


def import_bundle(raw: bytes | str, *, actor: User) -> ImportResult:
    """Import the reports and notes of a STIX 2.1 bundle as organisation-only drafts.

    Parameters
    ----------
    raw
        The uploaded file (at most ``stix.MAX_BYTES``).
    actor
        The importer: an analyst, publisher or admin; the drafts belong to their organisation.

    Raises
    ------
    ImportRefusedError
        Anything wrong with the file or any object (nothing is written).
    PermissionDeniedError
        The actor may not write bulletins (or lacks two-factor above CLEAR).
    """
    principal = principal_for(actor)
    if principal is None or not principal.has_role(EDITOR_ROLES):
        raise PermissionDeniedError(_("Only analysts, publishers and admins import bulletins."))
    data, problems = stix.load_json(raw)
    if problems:
        raise _refused(problems)
    parsed = stix.parse_bundle(data)
    problems = list(parsed.problems)
    if not parsed.bulletins and not problems:
        problems.append(Issue("", "objects", "The bundle holds no report or note to import."))
    if problems:
        raise _refused(problems)
    notes = list(parsed.notes)
    notes += [
        Issue(x.stix_id, "type", "Locations are not imported (sites come through the registry).")
        for x in parsed.locations
    ]
    notes += [Issue(x.stix_id, "type", "Incidents are not imported yet.") for x in parsed.incidents]
    created: list[int] = []
    failures: list[Issue] = []
    with transaction.atomic():
        for item in parsed.bulletins:
            fields: dict[str, Any] = {
                "title": item.title,
                "body": item.body + _provenance(item.stix_id, item.created_by_ref),
                "tlp": item.tlp.value,  # never looser than the file's marking
            }
            if item.tlp is TLP.RED:  # RED names people (I1): the importer alone
                fields["users"] = [actor.pk]
            try:
                bulletin = sharing.create_bulletin(fields, actor=actor)
            except ValidationError as exc:
                failures += [Issue(item.stix_id, e.field, e.message) for e in exc.errors]
                continue
            created.append(bulletin.pk)
        if failures:
            raise _refused(failures)  # leaving the block rolls back every draft created above
        counts = {"bulletin": len(created)}
        exchange = Exchange.objects.create(
            direction=Exchange.Direction.IMPORT,
            format=Exchange.Format.STIX,
            actor=actor,
            organisation_id=actor.organisation_id,
            counts=counts,
        )
        audit.record(
            actor=actor,
            action="interchange.import_stix",
            obj=exchange,
            diff={
                "counts": counts,
                "created": created,
                "tlp": sorted({b.tlp.value for b in parsed.bulletins}),
            },
        )
    return ImportResult(created=tuple(created), notes=tuple(notes), exchange_id=exchange.pk)
