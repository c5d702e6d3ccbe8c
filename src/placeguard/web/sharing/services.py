"""All writes of the sharing app: bulletins, acknowledgements and sharing groups.

Every function takes a keyword-only ``actor``, decides with the pure policy
(``placeguard.core.sharing``), checks the write-time invariants I1–I8 *before* writing (every
problem at once, raised as :class:`InvariantError` → HTTP 422), and writes the change and its
audit event in one transaction. Widening an audience or relaxing TLP is audited as its own event
(``bulletin.widen``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from placeguard.core.errors import (
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.sharing import policy
from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import (
    EDITOR_ROLES,
    AudienceKind,
    Decision,
    Item,
    ItemKind,
    Principal,
    Problem,
)
from placeguard.core.sharing.model import SharingGroup as GroupValue
from placeguard.core.vocab import TLP, OrgKind, SiteType
from placeguard.web.audit import services as audit
from placeguard.web.common.bulk import insert_rows
from placeguard.web.notifications import services as notifications
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing import items, principals
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sharing.models import (
    BULLETIN,
    Acknowledgement,
    Bulletin,
    BulletinOrg,
    ClientLink,
    SharingGroup,
    SharingGroupMember,
)
from placeguard.web.sharing.shareable import SharedItem

__all__ = [
    "BULLETIN_FIELDS",
    "IMMUTABLE_FIELDS",
    "InvariantError",
    "acknowledge",
    "create_bulletin",
    "create_group",
    "get_bulletin_for",
    "get_group_for",
    "groups_visible_to",
    "link_provider",
    "mark_read",
    "publish_bulletin",
    "queue_for_recipients",
    "set_group_members",
    "update_bulletin",
    "update_group",
    "withdraw_bulletin",
]

#: Fields a client may set on a bulletin (create and edit).
BULLETIN_FIELDS = items.SHARING_FIELDS | frozenset(
    {"title", "body", "target_site_types", "target_regions", "valid_from", "valid_until"}
)
#: I7: fields that never change (a client sending a different value gets 422).
IMMUTABLE_FIELDS = items.IMMUTABLE_FIELDS


InvariantError = items.InvariantError
_problems_error = items.problems_error
_principal = items.principal_of
_writer_check = items.writer_check


def _deny(decision: Decision, *, visible: bool = True) -> None:
    items.deny(decision, visible=visible, noun="bulletin")


# --------------------------------------------------------------------------- parsing


@dataclass
class BulletinData(items.SharingData):
    """Parsed bulletin input (types checked; meaning is checked by the invariants)."""

    title: str = ""
    body: str = ""
    target_site_types: tuple[str, ...] = ()
    target_regions: frozenset[int] = frozenset()
    valid_from: datetime | None = None
    valid_until: datetime | None = None


def parse_bulletin(  # noqa: PLR0912 - one branch per field
    raw: Mapping[str, Any], *, base: BulletinData | None = None
) -> BulletinData:
    """Check the types of ``raw`` (every problem at once); unknown fields are refused."""
    data = replace(base) if base is not None else BulletinData()
    errors: list[FieldError] = [
        FieldError(key, _("Unknown field."), code="unknown_field")
        for key in raw
        if key not in BULLETIN_FIELDS and key not in IMMUTABLE_FIELDS
    ]
    for key, value in raw.items():
        try:
            if key in {"title", "body"}:
                if not isinstance(value, str):
                    raise TypeError
                setattr(data, key, value.strip() if key == "title" else value)
            elif key in items.SHARING_FIELDS:
                items.parse_sharing_field(data, key, value)
            elif key == "target_site_types":
                if not isinstance(value, list | tuple):
                    raise TypeError
                data.target_site_types = tuple(sorted({SiteType(v).value for v in value}))
            elif key == "target_regions":
                data.target_regions = items.region_ids(value)
            elif key in {"valid_from", "valid_until"}:
                setattr(data, key, items.as_datetime(value))
        except LookupError:
            errors.append(FieldError(key, _("Unknown region."), code="unknown"))
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("Invalid value."), code="invalid"))
    if not data.title:
        errors.append(FieldError("title", _("A title is required."), code="required"))
    if len(data.title) > 200:
        errors.append(FieldError("title", _("At most 200 characters."), code="max_length"))
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        errors.append(FieldError("valid_until", _("Must be after the start."), code="invalid"))
    if errors:
        raise ValidationError(_("Invalid bulletin."), errors=errors)
    return data


def data_of(bulletin: Bulletin) -> BulletinData:
    """The current values of ``bulletin`` as input data."""
    data = BulletinData(
        title=bulletin.title,
        body=bulletin.body,
        target_site_types=tuple(bulletin.target_site_types),
        target_regions=frozenset(bulletin.target_regions.values_list("pk", flat=True)),
        valid_from=bulletin.valid_from,
        valid_until=bulletin.valid_until,
    )
    items.sharing_of(bulletin, data)
    return data


def _item(
    data: BulletinData,
    *,
    pk: int,
    author_id: int,
    org_id: int,
    org_kind: str,
    status: str,
    rule_orgs: Iterable[int] = (),
) -> Item:
    return items.policy_item(
        BULLETIN,
        data,
        pk=pk,
        author_id=author_id,
        org_id=org_id,
        org_kind=org_kind,
        status=status,
        rule_orgs=rule_orgs,
    )


def _targeting_problems(data: BulletinData) -> list[Problem]:
    targeted = bool(data.target_site_types or data.target_regions)
    if targeted and not tlp_rules.allows(data.tlp, AudienceKind.ORGS):
        msg = (
            f"TLP:{data.tlp.value} does not allow a targeting rule (it resolves to organisations)."
        )
        return [Problem("I1", "target_site_types", msg)]
    return []


def _check(
    actor: Principal,
    data: BulletinData,
    item: Item,
    *,
    before: Item | None = None,
) -> None:
    items.check_sharing(actor, item, before=before, extra=_targeting_problems(data))


def _snapshot(bulletin: Bulletin, data: BulletinData) -> dict[str, Any]:
    return {
        "status": bulletin.status,
        "title": data.title,
        **items.sharing_snapshot(data),
        "target_site_types": list(data.target_site_types),
        "target_regions": sorted(data.target_regions),
    }


def _write_audience(bulletin: Bulletin, data: BulletinData) -> None:
    """Replace the audience rows of ``bulletin`` by ``data`` (rule-resolved orgs are kept)."""
    items.write_audience(BULLETIN, bulletin, data)
    bulletin.target_regions.set(data.target_regions)


def _apply(bulletin: Bulletin, data: BulletinData) -> None:
    for name in ("title", "body", "target_site_types", "valid_from", "valid_until"):
        value = getattr(data, name)
        setattr(bulletin, name, list(value) if name == "target_site_types" else value)
    items.apply_sharing(bulletin, data)


# --------------------------------------------------------------------------- bulletins


def get_bulletin_for(actor: User | None, pk: int, *, content: bool = True) -> Bulletin:
    """The bulletin ``pk`` if ``actor`` sees it (a withdrawn stub only when ``content=False``)."""
    bulletin: Bulletin = items.get_for(BULLETIN, actor, pk, content=content)
    return bulletin


def create_bulletin(raw: Mapping[str, Any], *, actor: User) -> Bulletin:
    """Create a draft bulletin for the actor's organisation (I1–I8 checked first)."""
    principal = _principal(actor)
    data = parse_bulletin(raw)
    org = actor.organisation
    assert org is not None
    _immutable_problems(raw, None, actor)
    item = _item(
        data,
        pk=0,
        author_id=actor.pk,
        org_id=org.pk,
        org_kind=org.kind,
        status=BulletinStatus.DRAFT,
    )
    _writer_check(principal, data.tlp)
    if not principal.has_role(EDITOR_ROLES):
        raise PermissionDeniedError(_("Only analysts, publishers and admins write bulletins."))
    _check(principal, data, item)
    with transaction.atomic():
        bulletin = Bulletin(author=actor, org=org, org_kind=org.kind)
        _apply(bulletin, data)
        bulletin.save()
        _write_audience(bulletin, data)
        audit.record(
            actor=actor,
            action="bulletin.create",
            obj=bulletin,
            diff=audit.diff_fields(None, _snapshot(bulletin, data)),
        )
    return bulletin


def _immutable_problems(raw: Mapping[str, Any], bulletin: Any, actor: User) -> None:
    items.check_immutable(BULLETIN, raw, bulletin, actor)


def _is_live(bulletin: Bulletin) -> bool:
    return bulletin.status in {BulletinStatus.PUBLISHED, BulletinStatus.EXPIRED}


def update_bulletin(bulletin: Bulletin, raw: Mapping[str, Any], *, actor: User) -> Bulletin:
    """Edit a bulletin: W1, then I7 and I5 (relaxing/widening by the originator's publishers)."""
    principal = _principal(actor)
    before = principals.bulletin_item(bulletin)
    visible = policy.can_view(principal, before).content
    _deny(policy.can_edit(principal, before), visible=visible)
    _immutable_problems(raw, bulletin, actor)
    old = data_of(bulletin)
    data = parse_bulletin(raw, base=old)
    rule_orgs = [r.org_id for r in bulletin.org_rows.all() if r.via_rule]
    retarget = (data.target_site_types, data.target_regions) != (
        old.target_site_types,
        old.target_regions,
    )
    if retarget and _is_live(bulletin):
        rule_orgs = list(_resolve_targets(data))
    after = _item(
        data,
        pk=bulletin.pk,
        author_id=bulletin.author_id,
        org_id=bulletin.org_id,
        org_kind=bulletin.org_kind,
        status=bulletin.status,
        rule_orgs=rule_orgs,
    )
    _check(principal, data, after, before=before)
    widened = not before.audience.covers(after.audience)
    relaxed = tlp_rules.is_relaxation(before.tlp, after.tlp)
    with transaction.atomic():
        _apply(bulletin, data)
        bulletin.save()
        _write_audience(bulletin, data)
        if retarget and _is_live(bulletin):
            _store_rule_orgs(bulletin, rule_orgs)
        diff = audit.diff_fields(_snapshot(bulletin, old), _snapshot(bulletin, data))
        audit.record(actor=actor, action="bulletin.update", obj=bulletin, diff=diff)
        if widened or relaxed:
            audit.record(actor=actor, action="bulletin.widen", obj=bulletin, diff=diff)
        if _is_live(bulletin):
            queue_for_recipients(bulletin)
    return bulletin


def _resolve_targets(data: BulletinData) -> set[int]:
    """Organisations operating an active site of the targeted types in the targeted regions."""
    from placeguard.web.sites.models import Site

    if not (data.target_site_types or data.target_regions):
        return set()
    sites = Site.objects.all()
    if hasattr(Site, "status"):
        sites = sites.exclude(status="archived")
    if data.target_site_types:
        sites = sites.filter(site_type__in=data.target_site_types)
    if data.target_regions:
        sites = sites.filter(region_id__in=data.target_regions)
    return set(
        Organisation.objects.filter(
            pk__in=sites.values("operator_id"), active=True, vetted=True
        ).values_list("pk", flat=True)
    )


def _store_rule_orgs(bulletin: Bulletin, rule_orgs: Iterable[int]) -> None:
    bulletin.org_rows.filter(via_rule=True).delete()
    named = set(bulletin.org_rows.values_list("org_id", flat=True))
    BulletinOrg.objects.bulk_create(
        [
            BulletinOrg(bulletin=bulletin, org_id=o, via_rule=True)
            for o in rule_orgs
            if o not in named
        ]
    )


def publish_bulletin(bulletin: Bulletin, *, actor: User) -> Bulletin:
    """Publish a draft (W2): resolve the targeting rule, check I1–I8, queue acknowledgements.

    A broadcast (community or public audience) needs a second publisher: the first call records
    the request, a call by another publisher publishes.
    """
    rule_orgs = _resolve_targets(data_of(bulletin))

    items.publish(
        BULLETIN,
        bulletin,
        actor=actor,
        rule_orgs=rule_orgs,
        store_rule_orgs=lambda: _store_rule_orgs(bulletin, rule_orgs),
        after=lambda: queue_for_recipients(bulletin),
    )
    return bulletin


def withdraw_bulletin(bulletin: Bulletin, *, reason: str, actor: User) -> Bulletin:
    """Withdraw a published bulletin (W2); outside the originator it becomes a stub (R2)."""
    items.withdraw(BULLETIN, bulletin, reason=reason, actor=actor)
    return bulletin


_NO_USER = -1  # a user id no row has: the shared key of equal principals in ``recipients``


def recipients(bulletin: SharedItem, item: Item | None = None) -> list[User]:
    """Users outside the originator who can read ``bulletin`` now (exact: ``can_view`` each)."""
    item = item or principals.shared_item(bulletin, kind=ItemKind.BULLETIN)
    audience = item.audience
    org_ids: set[int] = set(audience.all_orgs)
    if audience.groups:
        org_ids |= set(
            SharingGroupMember.objects.filter(
                group_id__in=audience.groups, group__active=True
            ).values_list("organisation_id", flat=True)
        )
    if audience.all_orgs and tlp_rules.reaches_providers(item.tlp):
        org_ids |= set(
            ClientLink.objects.filter(client_id__in=audience.all_orgs).values_list(
                "provider_id", flat=True
            )
        )
    users = User.objects.filter(
        is_active=True, organisation__active=True, organisation__vetted=True
    )
    broadcast = audience.communities or (audience.public and item.tlp is TLP.CLEAR)
    if not broadcast:
        users = users.filter(Q(organisation_id__in=org_ids) | Q(pk__in=audience.users))
    users = users.exclude(organisation_id=item.org_id)
    # ``can_view`` reads the user id only to compare it with the author, the co-editors and the
    # named users. For every other user the answer is that of the same principal under an id no
    # user has, so equal principals (same organisation, roles, flags) share one evaluation:
    # ~500 policy calls instead of 10,000 for the publish benchmark, same answers.
    personal = {item.author_id, *item.co_editors, *item.audience.users}
    memo: dict[Principal, bool] = {}
    out = []
    for user, principal in principals.bulk_principals(users):
        if principal.user_id in personal:
            allowed = policy.can_view(principal, item).content
        else:
            key = replace(principal, user_id=_NO_USER)
            if key not in memo:
                memo[key] = policy.can_view(key, item).content
            allowed = memo[key]
        if allowed:
            out.append(user)
    return out


def queue_for_recipients(bulletin: Bulletin) -> None:
    """Receipts and "published" notifications for everyone who can read ``bulletin`` now.

    Recipients are computed once and serve both. Idempotent: a recipient who already has an
    acknowledgement row or a notification of this bulletin gets no second one, so publishing,
    widening a live bulletin and forwarding it all call this. Callers hold the transaction.
    """
    user_ids = _queue_acks(bulletin)
    notifications.queue_for_bulletin(bulletin, event="bulletin.published", user_ids=user_ids)


def _queue_acks(bulletin: Bulletin) -> list[int]:
    """Queue one acknowledgement row per recipient who has none yet (batched inserts).

    Returns the ids of every recipient (with or without an earlier row). The rows go in through
    ``common.bulk.insert_rows`` rather than ``bulk_create``: building and compiling 10,000
    model instances was two thirds of publishing to 10,000 recipients. Callers hold the
    transaction.
    """
    have = set(bulletin.acks.values_list("user_id", flat=True))
    users = recipients(bulletin)
    rows = [(u.pk, cast(int, u.organisation_id)) for u in users if u.pk not in have]
    insert_rows(
        Acknowledgement,
        {"bulletin": bulletin.pk, "queued_at": timezone.now()},
        ["user", "org"],
        rows,
    )
    return [u.pk for u in users]


def _ack_for(bulletin: Bulletin, actor: User) -> Acknowledgement:
    ack, _created = Acknowledgement.objects.get_or_create(
        bulletin=bulletin,
        user=actor,
        defaults={"org_id": actor.organisation_id, "queued_at": timezone.now()},
    )
    return ack


def mark_read(bulletin: Bulletin, *, actor: User) -> Acknowledgement | None:
    """Record the actor's first read of a bulletin addressed to them (a read receipt)."""
    principal = principals.principal_for(actor)
    if principal is None:
        return None
    item = principals.bulletin_item(bulletin)
    if not policy.can_acknowledge(principal, item).allowed:
        return None
    with transaction.atomic():
        ack = _ack_for(bulletin, actor)
        if ack.read_at is None:
            ack.read_at = timezone.now()
            ack.save(update_fields=["read_at"])
            audit.record(actor=actor, action="bulletin.read", obj=ack)
    return ack


def acknowledge(bulletin: Bulletin, *, actor: User) -> Acknowledgement:
    """Acknowledge a bulletin addressed to the actor's organisation (W3)."""
    principal = _principal(actor)
    item = principals.bulletin_item(bulletin)
    _deny(policy.can_acknowledge(principal, item), visible=policy.can_view(principal, item).content)
    with transaction.atomic():
        ack = _ack_for(bulletin, actor)
        now = timezone.now()
        fields = []
        if ack.read_at is None:
            ack.read_at = now
            fields.append("read_at")
        if ack.acknowledged_at is None:
            ack.acknowledged_at = now
            fields.append("acknowledged_at")
        if fields:
            ack.save(update_fields=fields)
            audit.record(actor=actor, action="bulletin.acknowledge", obj=ack)
    return ack


# --------------------------------------------------------------------------- sharing groups


def _group_value(group: SharingGroup) -> GroupValue:
    rows = list(group.memberships.values_list("organisation_id", "extender"))
    return GroupValue(
        id=group.pk,
        owner_org_id=group.owner_id,
        members=frozenset(o for o, _e in rows),
        extenders=frozenset(o for o, e in rows if e),
        active=group.active,
        hide_members=group.hide_members,
    )


def groups_visible_to(user: User | None) -> QuerySet[SharingGroup]:
    """Sharing groups ``user``'s organisation owns or belongs to (the groups it can address)."""
    principal = principals.principal_for(user) if isinstance(user, User) else None
    if principal is None or not policy.principal_is_valid(principal):
        return SharingGroup.objects.none()
    return SharingGroup.objects.filter(memberships__organisation_id=principal.org_id).distinct()


def get_group_for(actor: User | None, pk: int) -> SharingGroup:
    """The group ``pk`` if visible to ``actor``, else NotFoundError."""
    group: SharingGroup | None = (
        groups_visible_to(actor).filter(pk=pk).select_related("owner").first()
    )
    if group is None:
        raise NotFoundError(_("No such sharing group."))
    return group


@dataclass(frozen=True)
class GroupData:
    """Parsed sharing-group input."""

    name: str
    description: str = ""
    active: bool = True
    hide_members: bool = False
    rule_org_kinds: tuple[str, ...] = ()
    rule_site_types: tuple[str, ...] = ()
    rule_regions: frozenset[int] = frozenset()


GROUP_FIELDS = frozenset(
    {
        "name",
        "description",
        "active",
        "hide_members",
        "rule_org_kinds",
        "rule_site_types",
        "rule_regions",
    }
)


def _group_name_problems(name: str) -> list[FieldError]:
    """A name is required and must fit its column (never silently truncated)."""
    if not name:
        return [FieldError("name", _("A name is required."), code="required")]
    if len(name) > 200:
        return [FieldError("name", _("At most 200 characters."), code="max_length")]
    return []


def parse_group(raw: Mapping[str, Any], *, base: GroupData | None = None) -> GroupData:
    """Check a sharing group's input (every problem at once; unknown fields refused)."""
    values: dict[str, Any] = dict(base.__dict__) if base is not None else {"name": ""}
    errors = [
        FieldError(k, _("Unknown field."), code="unknown_field")
        for k in raw
        if k not in GROUP_FIELDS
    ]
    for key, value in raw.items():
        try:
            if key in {"name", "description"}:
                if not isinstance(value, str):
                    raise TypeError
                values[key] = value.strip()
            elif key in {"active", "hide_members"}:
                if not isinstance(value, bool):
                    raise TypeError
                values[key] = value
            elif key == "rule_org_kinds":
                values[key] = tuple(sorted({OrgKind(v).value for v in value}))
            elif key == "rule_site_types":
                values[key] = tuple(sorted({SiteType(v).value for v in value}))
            elif key == "rule_regions":
                values[key] = items.region_ids(value)
        except LookupError:
            errors.append(FieldError(key, _("Unknown region."), code="unknown"))
        except (TypeError, ValueError):
            errors.append(FieldError(key, _("Invalid value."), code="invalid"))
    errors.extend(_group_name_problems(values.get("name") or ""))
    if errors:
        raise ValidationError(_("Invalid sharing group."), errors=errors)
    return GroupData(**values)


def _group_snapshot(group: SharingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "active": group.active,
        "hide_members": group.hide_members,
        "rule_org_kinds": list(group.rule_org_kinds),
        "rule_site_types": list(group.rule_site_types),
        "members": sorted(group.memberships.values_list("organisation_id", flat=True)),
    }


def _apply_rule(group: SharingGroup, data: GroupData) -> None:
    """Replace the rule-built members by the organisations the rule selects now."""
    from placeguard.web.sites.models import Site

    group.memberships.filter(via_rule=True).delete()
    if not (data.rule_org_kinds or data.rule_site_types or data.rule_regions):
        return
    orgs = Organisation.objects.filter(active=True, vetted=True)
    if data.rule_org_kinds:
        orgs = orgs.filter(kind__in=data.rule_org_kinds)
    if data.rule_site_types or data.rule_regions:
        sites = Site.objects.all()
        if data.rule_site_types:
            sites = sites.filter(site_type__in=data.rule_site_types)
        if data.rule_regions:
            sites = sites.filter(region_id__in=data.rule_regions)
        by_region = Q(regions__in=data.rule_regions) if data.rule_regions else Q(pk__in=[])
        orgs = orgs.filter(Q(pk__in=sites.values("operator_id")) | by_region)
    existing = set(group.memberships.values_list("organisation_id", flat=True))
    SharingGroupMember.objects.bulk_create(
        [
            SharingGroupMember(group=group, organisation_id=o, via_rule=True)
            for o in set(orgs.values_list("pk", flat=True))
            if o not in existing
        ]
    )


def create_group(raw: Mapping[str, Any], *, actor: User) -> SharingGroup:
    """Create a sharing group owned by the actor's organisation (W4)."""
    principal = _principal(actor)
    _deny(policy.can_create_group(principal))
    data = parse_group(raw)
    with transaction.atomic():
        group = SharingGroup(
            owner_id=principal.org_id,
            created_by=actor,
            name=data.name,
            description=data.description,
            active=data.active,
            hide_members=data.hide_members,
            rule_org_kinds=list(data.rule_org_kinds),
            rule_site_types=list(data.rule_site_types),
        )
        group.save()
        group.rule_regions.set(data.rule_regions)
        SharingGroupMember.objects.create(
            group=group, organisation_id=principal.org_id, extender=True
        )
        _apply_rule(group, data)
        audit.record(
            actor=actor,
            action="sharing_group.create",
            obj=group,
            diff=audit.diff_fields(None, _group_snapshot(group)),
        )
    return group


def _group_data(group: SharingGroup) -> GroupData:
    return GroupData(
        name=group.name,
        description=group.description,
        active=group.active,
        hide_members=group.hide_members,
        rule_org_kinds=tuple(group.rule_org_kinds),
        rule_site_types=tuple(group.rule_site_types),
        rule_regions=frozenset(group.rule_regions.values_list("pk", flat=True)),
    )


def update_group(group: SharingGroup, raw: Mapping[str, Any], *, actor: User) -> SharingGroup:
    """Edit a group's settings and rule (owner or extender, W4); the rule is re-applied."""
    principal = _principal(actor)
    _deny(policy.can_edit_group(principal, _group_value(group)))
    data = parse_group(raw, base=_group_data(group))
    before = _group_snapshot(group)
    with transaction.atomic():
        for name in ("name", "description", "active", "hide_members"):
            setattr(group, name, getattr(data, name))
        group.rule_org_kinds = list(data.rule_org_kinds)
        group.rule_site_types = list(data.rule_site_types)
        group.save()
        group.rule_regions.set(data.rule_regions)
        _apply_rule(group, data)
        audit.record(
            actor=actor,
            action="sharing_group.update",
            obj=group,
            diff=audit.diff_fields(before, _group_snapshot(group)),
        )
    return group


def set_group_members(
    group: SharingGroup, members: Mapping[int, bool], *, actor: User
) -> SharingGroup:
    """Set the explicit members (org id → extender); rule-built members stay (W4, I6)."""
    principal = _principal(actor)
    value = _group_value(group)
    _deny(policy.can_edit_group(principal, value))
    wanted = {int(k): bool(v) for k, v in members.items()}
    wanted[group.owner_id] = True  # the owner stays a member and extender
    if principal.org_id != group.owner_id:  # extenders cannot hand out or take extender rights
        wanted = {o: (o in value.extenders) for o in wanted}
    known = set(
        Organisation.objects.filter(pk__in=wanted, active=True).values_list("pk", flat=True)
    )
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise _problems_error(
            [Problem("I6", "members", f"Unknown or inactive organisation {o}.") for o in unknown]
        )
    before = _group_snapshot(group)
    with transaction.atomic():
        group.memberships.filter(via_rule=False).exclude(organisation_id__in=wanted).delete()
        rows = {m.organisation_id: m for m in group.memberships.all()}
        for org_id, ext in wanted.items():
            row = rows.get(org_id)
            if row is None:
                SharingGroupMember.objects.create(group=group, organisation_id=org_id, extender=ext)
            elif row.extender != ext or row.via_rule:
                row.extender, row.via_rule = ext, False
                row.save(update_fields=["extender", "via_rule"])
        audit.record(
            actor=actor,
            action="sharing_group.members",
            obj=group,
            diff=audit.diff_fields(before, _group_snapshot(group)),
        )
    return group


def link_provider(
    *, provider: Organisation, client: Organisation, actor: User | None
) -> ClientLink:
    """Register ``provider`` as ``client``'s security provider (R9: AMBER reaches it)."""
    with transaction.atomic():
        link, _created = ClientLink.objects.get_or_create(provider=provider, client=client)
        audit.record(actor=actor, action="sharing.client_link", obj=link)
    return link
