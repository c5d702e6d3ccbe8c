"""Plain inputs of the sharing policy: principals, shareable items, audiences, decisions.

Everything here is a frozen dataclass built by the web layer from ORM rows at request time
(memberships and client links are read *then*, so removing an organisation from a group revokes
its access on the next request). Identifiers are the database primary keys.

The vocabulary follows ``placeguard.core.vocab`` (``OrgKind``, ``Role``, ``TLP``) and section 8.1
of ``research/info-sharing.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from placeguard.core.vocab import TLP, OrgKind, Role

__all__ = [
    "CHILD_KINDS",
    "CONTENT_ROLES",
    "EDITOR_ROLES",
    "INSTANCE_COMMUNITY",
    "PUBLISHER_ROLES",
    "Audience",
    "AudienceKind",
    "Caveat",
    "CommunityId",
    "Decision",
    "Directory",
    "GroupId",
    "HitDisclosure",
    "Item",
    "ItemId",
    "ItemKind",
    "OrgId",
    "OrgRecord",
    "Principal",
    "Problem",
    "SharingGroup",
    "SourceRef",
    "Status",
    "Token",
    "UserId",
    "UserRecord",
]

UserId: TypeAlias = int
OrgId: TypeAlias = int
GroupId: TypeAlias = int
ItemId: TypeAlias = int
CommunityId: TypeAlias = str

#: The TLP:GREEN community of this instance: all vetted organisations (section 8.1 default).
INSTANCE_COMMUNITY: CommunityId = "instance"

#: Roles that read shared content. PLATFORM_ADMIN and AUDITOR manage and audit; they do not read
#: (R10 and the role matrix of section 8.5).
CONTENT_ROLES = frozenset(
    {Role.READER, Role.REPORTER, Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN}
)
#: Roles that see and edit the organisation's drafts and items (R1, W1): "ANALYST and above".
EDITOR_ROLES = frozenset({Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN})
#: Roles that publish, withdraw, relax TLP, widen audiences and forward (W2, I5, R9).
PUBLISHER_ROLES = frozenset({Role.PUBLISHER, Role.ORG_ADMIN})


class ItemKind(StrEnum):
    """What is shared. The last five are children and always have a parent."""

    BULLETIN = "bulletin"
    INCIDENT = "incident"
    SAR = "sar"
    PRACTICE = "practice"
    COMMENT = "comment"
    ACK = "ack"
    ATTACHMENT = "attachment"
    TIMELINE_ENTRY = "timeline_entry"
    REPORTER_IDENTITY = "reporter_identity"


#: Kinds that only exist under a parent (R7: never visible without it).
CHILD_KINDS = frozenset(
    {
        ItemKind.COMMENT,
        ItemKind.ACK,
        ItemKind.ATTACHMENT,
        ItemKind.TIMELINE_ENTRY,
        ItemKind.REPORTER_IDENTITY,
    }
)


class Status(StrEnum):
    """Life cycle of an item (section 8.1)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    PURGED = "purged"


class Caveat(StrEnum):
    """Handling caveats: LE_ONLY and SOURCE_PROTECTED restrict reading, PII export and sync."""

    LE_ONLY = "le_only"
    PII = "pii"
    SOURCE_PROTECTED = "source_protected"


class AudienceKind(StrEnum):
    """The audience forms of section 8.1; an :class:`Audience` may combine several."""

    PUBLIC = "public"
    COMMUNITY = "community"
    GROUPS = "groups"
    ORGS = "orgs"
    USERS = "users"
    ORG_ONLY = "org_only"


class HitDisclosure(StrEnum):
    """What a matching query may learn about an item it cannot see (R12)."""

    OPEN = "open"
    OWNER_ONLY = "owner_only"
    NONE = "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class Audience:
    """Who an item is addressed to, besides its originating organisation (always implied, R3).

    Components combine with OR. An audience with no component is ``ORG_ONLY``.
    ``rule_orgs`` are the organisations a targeting rule (site type × region) resolved to when the
    item was published; they behave exactly like ``orgs`` afterwards.
    """

    public: bool = False
    communities: frozenset[CommunityId] = frozenset()
    groups: frozenset[GroupId] = frozenset()
    orgs: frozenset[OrgId] = frozenset()
    rule_orgs: frozenset[OrgId] = frozenset()
    users: frozenset[UserId] = frozenset()

    @property
    def kinds(self) -> frozenset[AudienceKind]:
        """The audience forms present (``{ORG_ONLY}`` when nothing else is)."""
        present = {
            AudienceKind.PUBLIC: self.public,
            AudienceKind.COMMUNITY: bool(self.communities),
            AudienceKind.GROUPS: bool(self.groups),
            AudienceKind.ORGS: bool(self.orgs or self.rule_orgs),
            AudienceKind.USERS: bool(self.users),
        }
        kinds = frozenset(kind for kind, on in present.items() if on)
        return kinds or frozenset({AudienceKind.ORG_ONLY})

    @property
    def all_orgs(self) -> frozenset[OrgId]:
        """Recipient organisations named directly or by a resolved targeting rule."""
        return self.orgs | self.rule_orgs

    def covers(self, other: Audience) -> bool:
        """True if every recipient of ``other`` is also a recipient of this audience."""
        return (
            (self.public or not other.public)
            and other.communities <= self.communities
            and other.groups <= self.groups
            and other.all_orgs <= self.all_orgs
            and other.users <= self.users
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    """A source of a derived product (I4): its TLP and whether its originator approved release."""

    item_id: ItemId
    org_id: OrgId
    tlp: TLP
    release_approved: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """A shareable record: bulletin, incident, SAR, practice, or a child of one of them."""

    id: ItemId
    kind: ItemKind
    author_id: UserId
    org_id: OrgId
    org_kind: OrgKind
    status: Status = Status.PUBLISHED
    tlp: TLP = TLP.AMBER
    audience: Audience = field(default_factory=Audience)
    caveats: frozenset[Caveat] = frozenset()
    parent_id: ItemId | None = None
    need_to_know: frozenset[str] | None = None
    co_editors: frozenset[UserId] = frozenset()
    derived_from: frozenset[SourceRef] = frozenset()
    hit_disclosure: HitDisclosure | None = None

    @property
    def is_child(self) -> bool:
        """True for comments, acknowledgements, attachments, timeline entries, identities."""
        return self.kind in CHILD_KINDS


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """A signed-in user, as the sharing policy sees them.

    ``groups`` are the *active* sharing groups the user's organisation is a member of, and
    ``extender_groups`` the subset where it may edit membership. ``provider_for`` are the
    organisations that registered the user's organisation as their security provider (its
    clients, ``ClientLink(provider=org, client=…)``). ``sync_for`` are the organisations this
    account may create items for by sync (I8). ``read_only`` marks a read-only API token (W6).
    ``break_glass`` are the items a platform admin holds an approved, unexpired break-glass
    grant for (R10: two persons, time-boxed, logged, shown to the originator).
    """

    user_id: UserId
    org_id: OrgId
    org_kind: OrgKind
    roles: frozenset[Role] = frozenset({Role.READER})
    active: bool = True
    org_active: bool = True
    org_vetted: bool = True
    mfa: bool = True
    le_vetted: bool = False
    teams: frozenset[str] = frozenset()
    communities: frozenset[CommunityId] = frozenset({INSTANCE_COMMUNITY})
    groups: frozenset[GroupId] = frozenset()
    extender_groups: frozenset[GroupId] = frozenset()
    provider_for: frozenset[OrgId] = frozenset()
    sync_for: frozenset[OrgId] = frozenset()
    read_only: bool = False
    break_glass: frozenset[tuple[ItemKind, ItemId]] = frozenset()

    @property
    def is_platform_admin(self) -> bool:
        """Manages organisations and users; never an implicit reader of content (R10)."""
        return Role.PLATFORM_ADMIN in self.roles

    def has_role(self, roles: frozenset[Role]) -> bool:
        """True if the principal holds any of ``roles``."""
        return bool(self.roles & roles)


@dataclass(frozen=True, slots=True, kw_only=True)
class SharingGroup:
    """A sharing group: its owner, members and extenders (members that may edit it)."""

    id: GroupId
    owner_org_id: OrgId
    members: frozenset[OrgId]
    extenders: frozenset[OrgId] = frozenset()
    active: bool = True
    hide_members: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OrgRecord:
    """What write-time checks need to know about a referenced organisation."""

    kind: OrgKind
    active: bool = True
    vetted: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRecord:
    """What write-time checks need to know about a referenced user."""

    org_id: OrgId
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Directory:
    """The referenced organisations, groups and users, looked up by the web layer (I2, I6)."""

    orgs: dict[OrgId, OrgRecord] = field(default_factory=dict)
    groups: dict[GroupId, SharingGroup] = field(default_factory=dict)
    users: dict[UserId, UserRecord] = field(default_factory=dict)
    communities: dict[CommunityId, frozenset[OrgId]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Token:
    """An API token: the roles it may exercise, and its state (W6)."""

    scopes: frozenset[Role]
    read_only: bool = False
    expired: bool = False
    ip_allowed: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    """An allow/deny answer with the rule that decided it and a plain-language reason.

    ``stub_only`` means the item may be listed as a withdrawn stub but its content may not be
    shown (R2). ``needs_approval`` means a second person must approve (W2 broadcast).
    ``warnings`` are shown to the actor (I5: narrowing does not recall delivered copies).
    """

    allowed: bool
    rule: str
    reason: str
    stub_only: bool = False
    needs_approval: bool = False
    warnings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def content(self) -> bool:
        """True if the item's content (not just a stub) may be shown."""
        return self.allowed and not self.stub_only

    @classmethod
    def allow(
        cls,
        rule: str,
        reason: str,
        *,
        stub_only: bool = False,
        needs_approval: bool = False,
        warnings: tuple[str, ...] = (),
    ) -> Decision:
        """An allowing decision."""
        return cls(True, rule, reason, stub_only, needs_approval, warnings)

    @classmethod
    def deny(cls, rule: str, reason: str) -> Decision:
        """A denying decision."""
        return cls(False, rule, reason)


@dataclass(frozen=True, slots=True)
class Problem:
    """A violated write-time invariant: rule id, offending field and message (HTTP 422)."""

    rule: str
    field: str
    message: str
