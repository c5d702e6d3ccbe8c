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


def _default_le(data: SiteInput) -> list[Organisation]:
    """Law-enforcement organisations whose jurisdiction covers the site's region."""
    return list(
        Organisation.objects.filter(
            kind=OrgKind.LAW_ENFORCEMENT, active=True, regions=data.region
        ).order_by("id")
    )


def _snapshot(site: Site) -> dict[str, Any]:
    raw = as_raw(site)
    raw["status"] = site.status
    return raw


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


def _set_relations(site: Site, data: SiteInput, *, tag_cache: dict[str, Tag] | None = None) -> None:
    le = list(data.responsible_le) if data.responsible_le is not None else _default_le(data)
    site.responsible_le.set(le)
    tags: list[Tag] = []
    for name in data.tags:
        tag = tag_cache.get(name) if tag_cache is not None else None
        if tag is None:
            tag, _ = Tag.objects.get_or_create(name=name)
            if tag_cache is not None:
                tag_cache[name] = tag
        tags.append(tag)
    site.tags.set(tags)


def _create(
    actor: User | None, data: SiteInput, *, tag_cache: dict[str, Tag] | None = None
) -> Site:
    site = Site()
    _apply(site, data)
    site.save()
    _set_relations(site, data, tag_cache=tag_cache)
    audit.record(
        actor=actor, action="site.create", obj=site, diff=audit.diff_fields(None, _snapshot(site))
    )
    return site


def create_site(raw: Mapping[str, Any], *, actor: User | None) -> Site:
    """Validate ``raw`` and register a new site."""
    data = parse_site(raw, Lookups.load())
    _check_placement(actor, data)
    with transaction.atomic():
        return _create(actor, data)


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
    tag_cache: dict[str, Tag] = {}
    with transaction.atomic():
        for data in parsed:
            created.append(_create(actor, data, tag_cache=tag_cache))
            if progress is not None:
                progress(1)
    return created


def field_errors_for(exc: ValidationError) -> dict[str, list[str]]:
    """Group a ValidationError's messages by field (for forms)."""
    out: dict[str, list[str]] = {}
    for err in exc.errors:
        out.setdefault(err.field.split(".")[0].split("[")[0], []).append(err.message)
    return out
