"""All writes to sites. Each runs in one transaction and records its audit event in it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import transaction

from placeguard.core.errors import (
    ImportValidationError,
    NotFoundError,
    PermissionDeniedError,
    RowError,
    ValidationError,
)
from placeguard.web.audit import services as audit
from placeguard.web.orgs.choices import SELF_OPERATING_KINDS, OrgKind
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sites.access import can_edit, jurisdiction_regions, visible_to
from placeguard.web.sites.choices import SiteStatus
from placeguard.web.sites.models import Site, Tag
from placeguard.web.sites.validation import Lookups, SiteInput, as_raw, parse_site

#: Rows written per bulk insert during an import (keeps the progress bar moving).
IMPORT_BATCH = 200

__all__ = ["archive_site", "create_site", "get_site_for", "import_sites", "update_site"]


def get_site_for(user: User, site_id: int | str, *, for_edit: bool = False) -> Site:
    """A site the user may see (NotFoundError otherwise), optionally checking edit rights."""
    try:
        site = visible_to(user).select_related("region", "operator").get(pk=int(site_id))
    except (Site.DoesNotExist, ValueError, TypeError):
        msg = "Site not found."
        raise NotFoundError(msg) from None
    if for_edit and not can_edit(user):
        msg = "Your role does not allow editing sites."
        raise PermissionDeniedError(msg)
    return site


def _check_placement(actor: User | None, data: SiteInput) -> None:
    """Who may register a site where, and for which operator.

    Operators (and community or security-provider organisations) register their own sites;
    police and authorities may register sites in their jurisdiction for any operator.
    ``actor=None`` is the local system (CLI without ``--as``), trusted like a DB admin.
    """
    if actor is None:
        return
    if not can_edit(actor):
        msg = "Your role does not allow registering or editing sites."
        raise PermissionDeniedError(msg)
    org = actor.organisation
    assert org is not None  # can_edit implies a valid principal
    if org.kind in SELF_OPERATING_KINDS:
        if data.operator.id != org.id:
            raise ValidationError.from_mapping(
                {"operator": "you can only register sites operated by your own organisation"}
            )
        return
    if org.kind in {OrgKind.LAW_ENFORCEMENT, OrgKind.AUTHORITY}:
        if (
            data.operator.id != org.id
            and not jurisdiction_regions(org).filter(pk=data.region.pk).exists()
        ):
            raise ValidationError.from_mapping(
                {"region": "this region is outside your organisation's jurisdiction"}
            )
        return
    msg = "Your organisation does not register sites."
    raise PermissionDeniedError(msg)


def _default_le(region_id: int, cache: dict[int, list[Organisation]]) -> list[Organisation]:
    """Law-enforcement organisations whose jurisdiction covers a region (cached per call)."""
    if region_id not in cache:
        cache[region_id] = list(
            Organisation.objects.filter(
                kind=OrgKind.LAW_ENFORCEMENT, active=True, regions__id=region_id
            ).order_by("name", "id")
        )
    return cache[region_id]


def _snapshot(site: Site) -> dict[str, Any]:
    """The audited state of a stored site (reads its relations)."""
    raw = as_raw(site)
    raw["status"] = site.status
    return raw


def _input_snapshot(data: SiteInput, le: list[Organisation]) -> dict[str, Any]:
    """The audited state of a site about to be created, without querying it back.

    Lists are ordered as ``as_raw`` orders them (organisations by name, tags by name), so a
    later update's diff compares like with like.
    """
    return {
        "name": data.name,
        "site_type": data.site_type,
        "address": data.address,
        "region": data.region.code,
        "latitude": data.latitude,
        "longitude": data.longitude,
        "capacity": data.capacity,
        "time_zone": data.time_zone,
        "operator": data.operator.slug,
        "responsible_le": [o.slug for o in sorted(le, key=lambda o: (o.name, o.pk))],
        "tags": sorted(data.tags),
        "time_profile": data.time_profile,
        "notes": data.notes,
        "status": SiteStatus.ACTIVE.value,
    }


def _apply(site: Site, data: SiteInput) -> None:
    site.name = data.name
    site.site_type = data.site_type
    site.address = data.address
    site.region = data.region
    site.latitude = data.latitude
    site.longitude = data.longitude
    site.capacity = data.capacity
    site.time_zone = data.time_zone
    site.operator = data.operator
    site.time_profile = data.time_profile
    site.notes = data.notes


def _tags_named(names: set[str]) -> dict[str, Tag]:
    """Existing tags by name, creating the missing ones."""
    found = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in sorted(names - set(found))]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        found = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return found


def _set_relations(site: Site, data: SiteInput) -> None:
    le = (
        list(data.responsible_le)
        if data.responsible_le is not None
        else _default_le(data.region.pk, {})
    )
    site.responsible_le.set(le)
    tags = _tags_named(set(data.tags))
    site.tags.set([tags[n] for n in data.tags])


def _create_many(actor: User | None, items: Sequence[SiteInput]) -> list[Site]:
    """Insert validated sites with their relations and audit events, in bulk.

    A constant number of queries whatever the count (plus one per distinct region without
    named forces); the caller holds the transaction.
    """
    sites = []
    for data in items:
        site = Site()
        _apply(site, data)
        sites.append(site)
    Site.objects.bulk_create(sites)  # primary keys come back on SQLite ≥ 3.35 and PostgreSQL
    tags = _tags_named({t for d in items for t in d.tags})
    le_cache: dict[int, list[Organisation]] = {}
    le_links, tag_links, events = [], [], []
    for site, data in zip(sites, items, strict=True):
        le = (
            list(data.responsible_le)
            if data.responsible_le is not None
            else _default_le(data.region.pk, le_cache)
        )
        le_links += [Site.responsible_le.through(site_id=site.pk, organisation_id=o.pk) for o in le]
        tag_links += [Site.tags.through(site_id=site.pk, tag_id=tags[n].pk) for n in data.tags]
        events.append(audit.Change(site, audit.diff_fields(None, _input_snapshot(data, le))))
    Site.responsible_le.through.objects.bulk_create(le_links)
    Site.tags.through.objects.bulk_create(tag_links)
    audit.record_many(actor=actor, action="site.create", changes=events)
    return sites


def create_site(raw: Mapping[str, Any], *, actor: User | None) -> Site:
    """Validate ``raw`` and register a new site."""
    data = parse_site(raw, Lookups.load())
    _check_placement(actor, data)
    with transaction.atomic():
        return _create_many(actor, [data])[0]


def update_site(site: Site, changes: Mapping[str, Any], *, actor: User | None) -> Site:
    """Apply ``changes`` (any subset of the input fields) to a site the actor can see."""
    if actor is not None:
        site = get_site_for(actor, site.pk, for_edit=True)
    before = _snapshot(site)
    merged = {k: v for k, v in before.items() if k != "status"}
    merged.update(changes)
    data = parse_site(merged, Lookups.load())
    _check_placement(actor, data)
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        _apply(site, data)
        site.save()
        _set_relations(site, data)
        diff = audit.diff_fields(before, _snapshot(site))
        if diff:
            audit.record(actor=actor, action="site.update", obj=site, diff=diff)
    return site


def archive_site(site: Site, *, actor: User | None, archived: bool = True) -> Site:
    """Archive (or restore) a site: it leaves active lists but keeps its history."""
    if actor is not None:
        site = get_site_for(actor, site.pk, for_edit=True)
    status = SiteStatus.ARCHIVED if archived else SiteStatus.ACTIVE
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        if site.status != status:
            old = site.status
            site.status = status
            site.save(update_fields=["status", "updated"])
            action = "site.archive" if archived else "site.restore"
            audit.record(actor=actor, action=action, obj=site, diff={"status": [old, status]})
    return site


def import_sites(
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: User | None,
    row_numbers: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Site]:
    """Validate every row, then create all sites in one transaction, or none.

    Raises ``ImportValidationError`` listing every bad row and every bad column in it;
    rows are numbered by ``row_numbers`` (default 1, 2, …). ``progress`` is called with
    the number of rows just handled (validation and writing each count once per row).
    """
    lookups = Lookups.load()
    problems: list[RowError] = []
    parsed: list[SiteInput] = []
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
    for number, raw in zip(numbers, rows, strict=True):
        try:
            data = parse_site(raw, lookups)
            _check_placement(actor, data)
            parsed.append(data)
        except ValidationError as exc:
            problems.extend(RowError(number, e.field, e.message) for e in exc.errors)
        except PermissionDeniedError as exc:
            problems.append(RowError(number, "*", exc.message))
        if progress is not None:
            progress(1)
    if problems:
        raise ImportValidationError(problems)
    created: list[Site] = []
    with transaction.atomic():
        for start in range(0, len(parsed), IMPORT_BATCH):
            batch = parsed[start : start + IMPORT_BATCH]
            created += _create_many(actor, batch)
            if progress is not None:
                progress(len(batch))
    return created


def field_errors_for(exc: ValidationError) -> dict[str, list[str]]:
    """Group a ValidationError's messages by field (for forms)."""
    out: dict[str, list[str]] = {}
    for err in exc.errors:
        out.setdefault(err.field.split(".")[0].split("[")[0], []).append(err.message)
    return out
