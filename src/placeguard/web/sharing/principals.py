"""From Django rows to the pure sharing policy's inputs: principals, items and the directory.

Everything is read *now* (memberships, client links, roles), so removing an organisation from a
group revokes its access on the next request. ``two_factor_ok`` and ``le_vetted`` are the only
places that decide those two flags, so they can be rewired when web/orgs grows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from placeguard.core.sharing.model import (
    INSTANCE_COMMUNITY,
    Audience,
    Caveat,
    Directory,
    Item,
    ItemKind,
    OrgRecord,
    Principal,
    SharingGroup,
    Status,
    UserRecord,
)
from placeguard.core.vocab import TLP, OrgKind, Role
from placeguard.web.orgs.models import Organisation, RoleGrant, User
from placeguard.web.sharing import models as m
from placeguard.web.sharing.shareable import SharedItem

__all__ = [
    "ack_item",
    "bulk_principals",
    "bulletin_item",
    "directory_for",
    "le_vetted",
    "principal_for",
    "shared_item",
    "two_factor_ok",
]


def two_factor_ok(user: User) -> bool:
    """Has ``user`` passed two-factor authentication in this request (R0: needed above CLEAR)?

    The one place this is decided. With ``PLACEGUARD_SHARING_REQUIRE_2FA`` off (development and
    test defaults) every signed-in user counts as verified. Otherwise the answer comes from the
    ``two_factor_check`` that web/orgs attaches to the user for the current session or API
    token (``orgs.twofactor.attach_two_factor_check``); a user without one is not verified.
    """
    if not settings.PLACEGUARD_SHARING_REQUIRE_2FA:
        return True
    check = getattr(user, "two_factor_check", None)
    return bool(check()) if callable(check) else False


def le_vetted(user: User, org: Organisation) -> bool:
    """Is ``user`` a vetted officer (R6)? Today: any user of a vetted law-enforcement force."""
    return org.kind == OrgKind.LAW_ENFORCEMENT and org.vetted and user.is_active


def _roles(user: User) -> frozenset[Role]:
    return frozenset(Role(r) for r in user.role_set)


def principal_for(user: User | AnonymousUser | None) -> Principal | None:
    """The policy's view of ``user``; None for anonymous callers and users without organisation.

    A user without organisation is not anonymous: callers must treat None from an authenticated
    user as "sees nothing" (``queries`` does).
    """
    if not isinstance(user, User) or user.organisation_id is None:
        return None
    org = user.organisation
    assert org is not None
    group_rows = list(
        m.SharingGroupMember.objects.filter(organisation_id=org.pk, group__active=True).values_list(
            "group_id", "extender"
        )
    )
    provider_for = frozenset(
        m.ClientLink.objects.filter(provider_id=org.pk).values_list("client_id", flat=True)
    )
    roles = _roles(user)
    return Principal(
        user_id=user.pk,
        org_id=org.pk,
        org_kind=OrgKind(org.kind),
        roles=roles,
        active=user.is_active,
        org_active=org.active,
        org_vetted=org.vetted,
        mfa=two_factor_ok(user),
        le_vetted=le_vetted(user, org),
        communities=frozenset({INSTANCE_COMMUNITY}) if org.vetted else frozenset(),
        groups=frozenset(g for g, _ in group_rows),
        extender_groups=frozenset(g for g, ext in group_rows if ext),
        provider_for=provider_for,
        break_glass=_break_glass(user) if Role.PLATFORM_ADMIN in roles else frozenset(),
    )


def _break_glass(user: User) -> frozenset[tuple[ItemKind, int]]:
    """The records ``user`` holds an approved, unexpired, unrevoked break-glass grant for."""
    live = m.BreakGlassGrant.objects.filter(
        requester_id=user.pk,
        approved_at__isnull=False,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    return frozenset((ItemKind(k), i) for k, i in live.values_list("item_kind", "item_id"))


def _caveats(record: SharedItem) -> frozenset[Caveat]:
    flags = {
        Caveat.LE_ONLY: record.le_only,
        Caveat.PII: record.pii,
        Caveat.SOURCE_PROTECTED: record.source_protected,
    }
    return frozenset(c for c, on in flags.items() if on)


def shared_item(
    record: SharedItem,
    *,
    kind: ItemKind,
    groups: Iterable[int] | None = None,
    orgs: Iterable[tuple[int, bool]] | None = None,
    users: Iterable[int] | None = None,
    need_to_know: Iterable[str] | None = None,
) -> Item:
    """The policy item of any shareable record (its audience rows read unless passed in).

    ``record`` is a :class:`~placeguard.web.sharing.shareable.SharedItem` whose row tables use
    the related names ``group_rows``, ``org_rows``, ``user_rows`` and ``ntk_rows``.
    """
    rows: Any = record
    if groups is None:
        groups = [r.group_id for r in rows.group_rows.all()]
    if orgs is None:
        orgs = [(r.org_id, r.via_rule) for r in rows.org_rows.all()]
    if users is None:
        users = [r.user_id for r in rows.user_rows.all()]
    if need_to_know is None:
        need_to_know = [r.token for r in rows.ntk_rows.all()]
    bulletin = record  # the field names below are those of every shareable record
    org_pairs = list(orgs)
    return Item(
        id=bulletin.pk or 0,
        kind=kind,
        author_id=bulletin.author_id,
        org_id=bulletin.org_id,
        org_kind=OrgKind(bulletin.org_kind),
        status=Status(bulletin.status),
        tlp=TLP(bulletin.tlp),
        audience=Audience(
            public=bulletin.audience_public,
            communities=frozenset({INSTANCE_COMMUNITY})
            if bulletin.audience_community
            else frozenset(),
            groups=frozenset(groups),
            orgs=frozenset(o for o, rule in org_pairs if not rule),
            rule_orgs=frozenset(o for o, rule in org_pairs if rule),
            users=frozenset(users),
        ),
        caveats=_caveats(bulletin),
        need_to_know=frozenset(need_to_know) if bulletin.has_need_to_know else None,
    )


def bulletin_item(
    bulletin: m.Bulletin,
    *,
    groups: Iterable[int] | None = None,
    orgs: Iterable[tuple[int, bool]] | None = None,
    users: Iterable[int] | None = None,
    need_to_know: Iterable[str] | None = None,
) -> Item:
    """The policy item of a bulletin (its audience rows read unless passed in)."""
    return shared_item(
        bulletin,
        kind=ItemKind.BULLETIN,
        groups=groups,
        orgs=orgs,
        users=users,
        need_to_know=need_to_know,
    )


def ack_item(ack: m.Acknowledgement, parent: Item) -> Item:
    """The policy item of an acknowledgement: W3's default child of its bulletin."""
    if parent.tlp is TLP.RED:
        audience = Audience(users=frozenset({parent.author_id, ack.user_id}))
    else:
        audience = Audience(orgs=frozenset({parent.org_id, ack.org_id}))
    return Item(
        id=ack.pk or 0,
        kind=ItemKind.ACK,
        author_id=ack.user_id,
        org_id=ack.org_id,
        org_kind=OrgKind(ack.org.kind),
        status=Status.PUBLISHED,
        tlp=parent.tlp,
        audience=audience,
        caveats=parent.caveats,
        parent_id=parent.id,
    )


def directory_for(
    *, orgs: Iterable[int] = (), groups: Iterable[int] = (), users: Iterable[int] = ()
) -> Directory:
    """The referenced organisations, groups and users, and the instance community (I2, I6)."""
    group_ids = set(groups)
    group_map: dict[int, SharingGroup] = {}
    members: dict[int, set[int]] = {g: set() for g in group_ids}
    extenders: dict[int, set[int]] = {g: set() for g in group_ids}
    for gid, oid, ext in m.SharingGroupMember.objects.filter(group_id__in=group_ids).values_list(
        "group_id", "organisation_id", "extender"
    ):
        members[gid].add(oid)
        if ext:
            extenders[gid].add(oid)
    org_ids = set(orgs)
    for group in m.SharingGroup.objects.filter(pk__in=group_ids):
        group_map[group.pk] = SharingGroup(
            id=group.pk,
            owner_org_id=group.owner_id,
            members=frozenset(members[group.pk]),
            extenders=frozenset(extenders[group.pk]),
            active=group.active,
            hide_members=group.hide_members,
        )
        org_ids |= members[group.pk] | {group.owner_id}
    user_map = {
        pk: UserRecord(org_id=org_id, active=active)
        for pk, org_id, active in User.objects.filter(
            pk__in=set(users), organisation__isnull=False
        ).values_list("pk", "organisation_id", "is_active")
    }
    org_ids |= {u.org_id for u in user_map.values()}
    org_map = {
        pk: OrgRecord(kind=OrgKind(kind), active=active, vetted=vetted)
        for pk, kind, active, vetted in Organisation.objects.filter(pk__in=org_ids).values_list(
            "pk", "kind", "active", "vetted"
        )
    }
    community = frozenset(
        Organisation.objects.filter(active=True, vetted=True).values_list("pk", flat=True)
    )
    return Directory(
        orgs=org_map,
        groups=group_map,
        users=user_map,
        communities={INSTANCE_COMMUNITY: community},
    )


def bulk_principals(users: QuerySet[User]) -> list[tuple[User, Principal]]:
    """Principals of many users with a fixed number of queries (publishing to thousands).

    Users are loaded with only the columns the policy needs; roles, organisations, group
    memberships and client links come in one query each.
    """
    rows = list(users.only("id", "is_active", "organisation_id"))
    org_ids = {u.organisation_id for u in rows}
    org_map = {o.pk: o for o in Organisation.objects.filter(pk__in=org_ids)}
    roles: dict[int, set[Role]] = {}
    for user_id, role in RoleGrant.objects.filter(user__in=users).values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(Role(role))
    groups: dict[int, set[int]] = {}
    extenders: dict[int, set[int]] = {}
    for org_id, group_id, ext in m.SharingGroupMember.objects.filter(
        organisation_id__in=org_ids, group__active=True
    ).values_list("organisation_id", "group_id", "extender"):
        groups.setdefault(org_id, set()).add(group_id)
        if ext:
            extenders.setdefault(org_id, set()).add(group_id)
    clients: dict[int, set[int]] = {}
    for provider_id, client_id in m.ClientLink.objects.filter(provider_id__in=org_ids).values_list(
        "provider_id", "client_id"
    ):
        clients.setdefault(provider_id, set()).add(client_id)
    out = []
    for user in rows:
        org = org_map[user.organisation_id]  # type: ignore[index]
        out.append(
            (
                user,
                Principal(
                    user_id=user.pk,
                    org_id=org.pk,
                    org_kind=OrgKind(org.kind),
                    roles=frozenset(roles.get(user.pk, ())),
                    active=user.is_active,
                    org_active=org.active,
                    org_vetted=org.vetted,
                    mfa=two_factor_ok(user),
                    le_vetted=le_vetted(user, org),
                    communities=frozenset({INSTANCE_COMMUNITY}) if org.vetted else frozenset(),
                    groups=frozenset(groups.get(org.pk, ())),
                    extender_groups=frozenset(extenders.get(org.pk, ())),
                    provider_for=frozenset(clients.get(org.pk, ())),
                ),
            )
        )
    return out
