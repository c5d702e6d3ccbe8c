"""The persona harness of research/info-sharing.md §9.0, as plain principals.

Organisations: two police forces, a city authority, a mall and a hotel in one region, a stadium
in another, a security contractor registered by the mall, a church (community organisation)
and the platform host.
"""

from __future__ import annotations

from dataclasses import replace

from placeguard.core.sharing import (
    Audience,
    Directory,
    Item,
    ItemKind,
    OrgRecord,
    Principal,
    SharingGroup,
    UserRecord,
)
from placeguard.core.sharing.model import INSTANCE_COMMUNITY, Status
from placeguard.core.vocab import TLP, OrgKind, Role

POLICE_A, POLICE_B, CITY, MALL_X, HOTEL_Y, STADIUM_Z, SECURECO, CHURCH_W, HOST = range(1, 10)
ORG_KINDS = {
    POLICE_A: OrgKind.LAW_ENFORCEMENT,
    POLICE_B: OrgKind.LAW_ENFORCEMENT,
    CITY: OrgKind.AUTHORITY,
    MALL_X: OrgKind.OPERATOR,
    HOTEL_Y: OrgKind.OPERATOR,
    STADIUM_Z: OrgKind.OPERATOR,
    SECURECO: OrgKind.SECURITY_PROVIDER,
    CHURCH_W: OrgKind.COMMUNITY,
    HOST: OrgKind.PROGRAMME,
}
MIXED_GROUP = 50  # Police A + Mall X: the group of test 27
REGION_GROUP = 51  # Mall X, Hotel Y; owner City; extender Hotel Y

_next_user = iter(range(100, 10_000))


def person(org: int, *roles: Role, **changes: object) -> Principal:
    """A fresh user of ``org`` holding ``roles`` (READER when none), vetted LE by default."""
    kind = ORG_KINDS[org]
    base = Principal(
        user_id=next(_next_user),
        org_id=org,
        org_kind=kind,
        roles=frozenset(roles or {Role.READER}),
        le_vetted=kind is OrgKind.LAW_ENFORCEMENT,
        groups=frozenset(g for g, members in GROUP_MEMBERS.items() if org in members),
        provider_for=frozenset({MALL_X}) if org == SECURECO else frozenset(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]  # test-only overrides


GROUP_MEMBERS = {MIXED_GROUP: {POLICE_A, MALL_X}, REGION_GROUP: {CITY, MALL_X, HOTEL_Y}}

POLICE_A_ANALYST = person(POLICE_A, Role.ANALYST)
POLICE_A_PUBLISHER = person(POLICE_A, Role.ANALYST, Role.PUBLISHER)
POLICE_A_ADMIN = person(POLICE_A, Role.ORG_ADMIN)
POLICE_A_READER = person(POLICE_A, Role.READER)
POLICE_B_ANALYST = person(POLICE_B, Role.ANALYST)
CITY_ANALYST = person(CITY, Role.ANALYST, Role.PUBLISHER)
MALL_LEAD = person(MALL_X, Role.ANALYST, teams=frozenset({"security-lead"}))
MALL_READER = person(MALL_X, Role.READER)
MALL_REPORTER = person(MALL_X, Role.REPORTER)
MALL_ADMIN = person(MALL_X, Role.ORG_ADMIN)
HOTEL_LEAD = person(HOTEL_Y, Role.ANALYST, Role.PUBLISHER)
STADIUM_LEAD = person(STADIUM_Z, Role.ANALYST)
SECURECO_LEAD = person(SECURECO, Role.ANALYST, Role.PUBLISHER)
CHURCH_READER = person(CHURCH_W, Role.READER)
PLATFORM_ADMIN = person(HOST, Role.PLATFORM_ADMIN)
AUDITOR = person(HOST, Role.AUDITOR)

DIRECTORY = Directory(
    orgs={org: OrgRecord(kind=kind) for org, kind in ORG_KINDS.items()},
    groups={
        MIXED_GROUP: SharingGroup(
            id=MIXED_GROUP, owner_org_id=POLICE_A, members=frozenset(GROUP_MEMBERS[MIXED_GROUP])
        ),
        REGION_GROUP: SharingGroup(
            id=REGION_GROUP,
            owner_org_id=CITY,
            members=frozenset(GROUP_MEMBERS[REGION_GROUP]),
            extenders=frozenset({HOTEL_Y}),
        ),
    },
    users={
        p.user_id: UserRecord(org_id=p.org_id)
        for p in [POLICE_A_ANALYST, POLICE_B_ANALYST, MALL_LEAD, MALL_READER, HOTEL_LEAD]
    },
    communities={INSTANCE_COMMUNITY: frozenset(ORG_KINDS)},
)

_next_item = iter(range(1000, 100_000))


def bulletin(
    author: Principal = POLICE_A_PUBLISHER,
    *,
    tlp: TLP = TLP.AMBER,
    audience: Audience | None = None,
    **changes: object,
) -> Item:
    """A published bulletin by ``author`` (to Mall X by default)."""
    base = Item(
        id=next(_next_item),
        kind=ItemKind.BULLETIN,
        author_id=author.user_id,
        org_id=author.org_id,
        org_kind=author.org_kind,
        tlp=tlp,
        status=Status.PUBLISHED,
        audience=audience if audience is not None else Audience(orgs=frozenset({MALL_X})),
    )
    return replace(base, **changes)  # type: ignore[arg-type]  # test-only overrides


def child(
    parent: Item,
    author: Principal,
    kind: ItemKind = ItemKind.COMMENT,
    **changes: object,
) -> Item:
    """A published child of ``parent`` with the parent's TLP, caveats and audience."""
    base = Item(
        id=next(_next_item),
        kind=kind,
        author_id=author.user_id,
        org_id=author.org_id,
        org_kind=author.org_kind,
        tlp=parent.tlp,
        status=Status.PUBLISHED,
        audience=parent.audience,
        caveats=parent.caveats,
        parent_id=parent.id,
    )
    return replace(base, **changes)  # type: ignore[arg-type]  # test-only overrides


COMMUNITY = Audience(communities=frozenset({INSTANCE_COMMUNITY}))
PUBLIC = Audience(public=True)


def to_orgs(*orgs: int) -> Audience:
    """An audience of the given organisations."""
    return Audience(orgs=frozenset(orgs))


def to_users(*people: Principal) -> Audience:
    """An audience of the given named people."""
    return Audience(users=frozenset(p.user_id for p in people))


def to_groups(*groups: int) -> Audience:
    """An audience of the given sharing groups."""
    return Audience(groups=frozenset(groups))
