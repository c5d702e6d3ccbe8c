"""The one sharing policy: who may see an item (R0–R12) and who may change it (W1–W6, I5).

Every function is pure and returns a :class:`Decision` naming the rule that decided. The web
layer's ``visible_to(user)`` queryset must select exactly the items for which
:func:`can_view` returns ``content`` or ``stub_only`` (docs/sharing-policy.md lists the mapping,
and the oracle tests hold both to the same answers).

Reading is a conjunction evaluated in a fixed order; the first failing check names the rule:

R2 purged → R0 principal → R1 draft → R4 RED → R6 law-enforcement-only → R11 source-protected →
grant (public, R10 content role, author/R3 originator, R11 SAR, R5 audience, R9 provider) →
R8 need-to-know → R2 withdrawn stub → R7 parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import (
    CONTENT_ROLES,
    EDITOR_ROLES,
    PUBLISHER_ROLES,
    Audience,
    AudienceKind,
    Caveat,
    CommunityId,
    Decision,
    HitDisclosure,
    Item,
    ItemKind,
    OrgId,
    Principal,
    SharingGroup,
    Status,
    Token,
)
from placeguard.core.vocab import TLP, OrgKind, Role

__all__ = [
    "DEFAULT_NEED_TO_KNOW",
    "HitAnswer",
    "HitShow",
    "can_acknowledge",
    "can_change_tlp",
    "can_comment",
    "can_create_group",
    "can_delete_group",
    "can_edit",
    "can_edit_group",
    "can_forward",
    "can_manage_user",
    "can_mint_token",
    "can_publish",
    "can_view",
    "can_view_group_members",
    "can_widen_audience",
    "can_withdraw",
    "default_child",
    "disclose_hit",
    "effective_hit_disclosure",
    "effective_need_to_know",
    "effective_principal",
    "principal_is_valid",
]

#: R8 default for AMBER/AMBER+STRICT sent by police or an authority to private organisations.
DEFAULT_NEED_TO_KNOW = frozenset(
    {Role.ANALYST.value, Role.PUBLISHER.value, Role.ORG_ADMIN.value, "security-lead"}
)
_OFFICIAL_KINDS = frozenset({OrgKind.LAW_ENFORCEMENT, OrgKind.AUTHORITY})
_PRIVATE_KINDS = frozenset({OrgKind.OPERATOR, OrgKind.SECURITY_PROVIDER, OrgKind.COMMUNITY})
_NEED_TO_KNOW_LEVELS = frozenset({TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT})
_SAR_ORG_READERS = frozenset({Role.ANALYST, Role.ORG_ADMIN})
_COMMENTER_ROLES = EDITOR_ROLES | {Role.REPORTER}
_LIVE = frozenset({Status.PUBLISHED, Status.EXPIRED})
#: Roles an organisation admin may grant (W5): everything but platform admin.
_GRANTABLE = frozenset(Role) - {Role.PLATFORM_ADMIN}


# --------------------------------------------------------------------------- reading


def principal_is_valid(principal: Principal) -> bool:
    """R0 without the two-factor part: an active user of an active, vetted organisation."""
    return principal.active and principal.org_active and principal.org_vetted


def effective_need_to_know(principal: Principal, item: Item) -> frozenset[str] | None:
    """R8: the roles/teams a recipient must hold, or None when the item has no restriction."""
    if item.tlp not in _NEED_TO_KNOW_LEVELS:
        return None
    if item.need_to_know is not None:
        return item.need_to_know
    if (
        item.tlp.rank >= TLP.AMBER.rank
        and item.org_kind in _OFFICIAL_KINDS
        and principal.org_kind in _PRIVATE_KINDS
    ):
        return DEFAULT_NEED_TO_KNOW
    return None


def _is_public(item: Item) -> bool:
    """R5 PUBLIC: only CLEAR, and never a suspicious-activity report (R11)."""
    return (
        item.audience.public
        and tlp_rules.allows(item.tlp, AudienceKind.PUBLIC)
        and item.kind is not ItemKind.SAR
    )


def _has_reading_caveat(item: Item) -> bool:
    return bool(item.caveats & {Caveat.LE_ONLY, Caveat.SOURCE_PROTECTED})


def _view_anonymous(item: Item) -> Decision:
    if item.status in _LIVE and _is_public(item) and not _has_reading_caveat(item):
        return Decision.allow("R5", "Public TLP:CLEAR item.")
    return Decision.deny("R0", "Sign in to see this item.")


def _audience_grant(principal: Principal, item: Item) -> Decision | None:  # noqa: PLR0911 - rule chain
    """R5, R9 and R11: the organisation-level path that admits a reader from elsewhere."""
    audience, level = item.audience, item.tlp
    if item.kind is ItemKind.SAR:
        if principal.org_kind is OrgKind.LAW_ENFORCEMENT and principal.org_id in audience.orgs:
            return Decision.allow("R11", "Your force is responsible for the reported site.")
        return None
    if audience.communities & principal.communities and tlp_rules.allows(
        level, AudienceKind.COMMUNITY
    ):
        return Decision.allow("R5", "Shared with your community.")
    if audience.groups & principal.groups and tlp_rules.allows(level, AudienceKind.GROUPS):
        return Decision.allow("R5", "Shared with a sharing group your organisation belongs to.")
    if tlp_rules.allows(level, AudienceKind.ORGS):
        if principal.org_id in audience.all_orgs:
            return Decision.allow("R5", "Your organisation is a recipient.")
        if tlp_rules.reaches_providers(level) and principal.provider_for & audience.all_orgs:
            return Decision.allow("R9", "You are the registered security provider of a recipient.")
    return None


def _is_named(principal: Principal, item: Item) -> bool:
    return (
        item.kind is not ItemKind.SAR
        and principal.user_id in item.audience.users
        and tlp_rules.allows(item.tlp, AudienceKind.USERS)
    )


def _view_own(principal: Principal | None, item: Item) -> Decision:  # noqa: PLR0911, PLR0912 - rule chain
    """Every rule but R7, for ``item`` alone."""
    if item.status is Status.PURGED:
        return Decision.deny("R2", "This item was purged.")
    if principal is None:
        return _view_anonymous(item)
    if not principal_is_valid(principal):
        return Decision.deny("R0", "Your account or organisation is inactive or not vetted.")
    if not principal.mfa and item.tlp is not TLP.CLEAR:
        return Decision.deny("R0", "Two-factor authentication is required above TLP:CLEAR.")
    is_author = principal.user_id == item.author_id
    same_org = principal.org_id == item.org_id
    if item.status is Status.DRAFT and not (
        is_author
        or principal.user_id in item.co_editors
        or (same_org and principal.has_role(EDITOR_ROLES))
    ):
        return Decision.deny("R1", "Drafts are private to their author and editors.")
    if item.tlp is TLP.RED and not (is_author or principal.user_id in item.audience.users):
        return Decision.deny("R4", "TLP:RED is for its named recipients only.")
    is_le_officer = principal.org_kind is OrgKind.LAW_ENFORCEMENT and principal.le_vetted
    if Caveat.LE_ONLY in item.caveats and not (is_author or is_le_officer):
        return Decision.deny("R6", "Law-enforcement only.")
    if Caveat.SOURCE_PROTECTED in item.caveats and not (
        is_author
        or (
            principal.org_kind is OrgKind.LAW_ENFORCEMENT
            and principal.org_id in item.audience.all_orgs
        )
    ):
        return Decision.deny("R11", "The reporter's identity is for the receiving police only.")

    if _is_public(item) and item.status is not Status.DRAFT:
        grant = Decision.allow("R5", "Public TLP:CLEAR item.")
    elif principal.is_platform_admin and (item.kind, item.id) in principal.break_glass:
        # After R1, R4, R6 and R11: break-glass never opens a draft, RED, a law-enforcement-only
        # item or a protected source; it lifts R10 (and the audience) for one item, for a while.
        grant = Decision.allow("R10", "Break-glass access: two-person approved, time-boxed.")
    elif not principal.has_role(CONTENT_ROLES):
        return Decision.deny("R10", "Platform admins and auditors are not content readers.")
    elif is_author:
        grant = Decision.allow("R3", "You wrote this item.")
    elif item.status is Status.DRAFT and principal.user_id in item.co_editors:
        grant = Decision.allow("R1", "You are a co-editor of this draft.")
    elif same_org and (item.kind is not ItemKind.SAR or principal.has_role(_SAR_ORG_READERS)):
        grant = Decision.allow("R3", "Your organisation originated this item.")
    elif _is_named(principal, item):
        grant = Decision.allow("R5", "You are a named recipient.")
    else:
        found = _audience_grant(principal, item)
        if found is None:
            if principal.is_platform_admin:
                return Decision.deny("R10", "Platform admins are not content readers.")
            if item.kind is ItemKind.SAR:
                return Decision.deny(
                    "R11", "Reports are seen by their author, analysts and police."
                )
            return Decision.deny("R5", "You are not in this item's audience.")
        grant = found
        need = effective_need_to_know(principal, item)
        held = {role.value for role in principal.roles} | principal.teams
        if need is not None and not held & need:
            return Decision.deny("R8", "Need-to-know: your role or team is not on the list.")

    if item.status is Status.WITHDRAWN and not same_org:
        return Decision.allow("R2", "Withdrawn by its originator.", stub_only=True)
    return grant


def can_view(principal: Principal | None, item: Item, *, parent: Item | None = None) -> Decision:
    """May ``principal`` (None = anonymous) see ``item``? R0–R11; R7 needs ``parent``.

    A child is judged on its own rules *and* on its parent's: it is visible only if the parent's
    content is (a withdrawn parent's stub does not expose its children). Children hang one level
    deep (I7), so ``parent`` is always a top-level item.
    """
    own = _view_own(principal, item)
    if item.parent_id is None and not item.is_child:
        return own
    if parent is None or parent.id != item.parent_id:
        return Decision.deny("R7", "The item's parent is unknown.")
    if not own.allowed:
        return own
    if not can_view(principal, parent).content:  # a parent that itself has a parent: denied
        return Decision.deny("R7", "You cannot see the item this belongs to.")
    return own


class HitShow(StrEnum):
    """What a matching query reveals about an item (R12)."""

    ITEM = "item"
    ORIGINATOR_CONTACT = "originator_contact"
    EXISTS = "exists"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class HitAnswer:
    """R12: what to show the caller, and whether to tell the item's owner about the match."""

    show: HitShow
    notify_owner: bool


def effective_hit_disclosure(item: Item) -> HitDisclosure:
    """R12 defaults: NONE for RED and law-enforcement-only items, OWNER_ONLY otherwise."""
    if item.hit_disclosure is not None:
        return item.hit_disclosure
    if item.tlp is TLP.RED or Caveat.LE_ONLY in item.caveats:
        return HitDisclosure.NONE
    return HitDisclosure.OWNER_ONLY


def disclose_hit(
    principal: Principal | None, item: Item, *, parent: Item | None = None
) -> HitAnswer:
    """R12: a query by ``principal`` matched ``item`` (same plate, drone id, dedup key…)."""
    if can_view(principal, item, parent=parent).content:
        return HitAnswer(HitShow.ITEM, notify_owner=False)
    if principal is None or not principal_is_valid(principal):
        return HitAnswer(HitShow.NOTHING, notify_owner=False)
    disclosure = effective_hit_disclosure(item)
    if disclosure is HitDisclosure.NONE:
        return HitAnswer(HitShow.NOTHING, notify_owner=True)
    if disclosure is HitDisclosure.OPEN and principal.org_kind is OrgKind.LAW_ENFORCEMENT:
        return HitAnswer(HitShow.ORIGINATOR_CONTACT, notify_owner=True)
    return HitAnswer(HitShow.EXISTS, notify_owner=True)


# --------------------------------------------------------------------------- writing


def _writer(principal: Principal, level: TLP = TLP.AMBER) -> Decision | None:
    """R0 and W6 for any write: valid principal, two-factor above CLEAR, not read-only."""
    if not principal_is_valid(principal):
        return Decision.deny("R0", "Your account or organisation is inactive or not vetted.")
    if not principal.mfa and level is not TLP.CLEAR:
        return Decision.deny("R0", "Two-factor authentication is required above TLP:CLEAR.")
    if principal.read_only:
        return Decision.deny("W6", "This token is read-only.")
    return None


def _originator_writer(principal: Principal, item: Item, parent: Item | None) -> Decision | None:
    """Checks shared by every originator-side change: writer, sees the item, same organisation."""
    denied = _writer(principal, item.tlp)
    if denied is not None:
        return denied
    seen = can_view(principal, item, parent=parent)
    if not seen.content:
        return Decision.deny(seen.rule, seen.reason)
    if principal.org_id != item.org_id:
        return Decision.deny("I5", "Only the originating organisation may change this item.")
    return None


def can_edit(principal: Principal, item: Item, *, parent: Item | None = None) -> Decision:
    """W1: the author, or an analyst/publisher/org admin of the originating organisation."""
    denied = _originator_writer(principal, item, parent)
    if denied is not None:
        return Decision.deny("W1", denied.reason) if denied.rule == "I5" else denied
    if principal.user_id == item.author_id:
        return Decision.allow("W1", "You wrote this item.")
    if principal.has_role(EDITOR_ROLES):
        return Decision.allow("W1", "You edit for the originating organisation.")
    return Decision.deny("W1", "Only the author and analysts and above may edit.")


def can_publish(principal: Principal, item: Item, *, parent: Item | None = None) -> Decision:
    """W2: publish a draft. Write-time invariants are checked separately (``check_invariants``).

    Publishers and org admins publish; a SAR is submitted by its author (or an analyst/org
    admin); a child is published by its author (W3). Broadcasts need a second approver.
    """
    denied = _originator_writer(principal, item, parent)
    if denied is not None:
        return Decision.deny("W2", denied.reason) if denied.rule == "I5" else denied
    if item.status is not Status.DRAFT:
        return Decision.deny("W2", "Only a draft can be published.")
    is_author = principal.user_id == item.author_id
    if item.kind is ItemKind.SAR:
        allowed = is_author or principal.has_role(_SAR_ORG_READERS)
    elif item.is_child:
        allowed = is_author
    else:
        allowed = principal.has_role(PUBLISHER_ROLES)
    if not allowed:
        return Decision.deny("W2", "Only publishers and organisation admins publish.")
    broadcast = _is_public(item) or bool(item.audience.communities)
    return Decision.allow(
        "W2",
        "Needs a second approver before broadcast." if broadcast else "You may publish.",
        needs_approval=broadcast,
    )


def can_withdraw(principal: Principal, item: Item, *, parent: Item | None = None) -> Decision:
    """W2: withdraw a published item (publishers and org admins of the originator)."""
    denied = _originator_writer(principal, item, parent)
    if denied is not None:
        return Decision.deny("W2", denied.reason) if denied.rule == "I5" else denied
    if item.status not in _LIVE:
        return Decision.deny("W2", "Only a published item can be withdrawn.")
    if not principal.has_role(PUBLISHER_ROLES):
        return Decision.deny("W2", "Only publishers and organisation admins withdraw.")
    return Decision.allow("W2", "You may withdraw this item.")


_NOT_RECALLED = ("Copies already delivered are not recalled.",)


def can_change_tlp(  # noqa: PLR0911 - one return per rule
    principal: Principal, item: Item, new_tlp: TLP, *, parent: Item | None = None
) -> Decision:
    """I5 (with I1, I3, I4, R11): may ``principal`` set ``item``'s TLP to ``new_tlp``?"""
    denied = _originator_writer(principal, item, parent)
    if denied is not None:
        return denied
    relaxing = tlp_rules.is_relaxation(item.tlp, new_tlp)
    if relaxing and item.kind is ItemKind.SAR:
        return Decision.deny("R11", "A suspicious-activity report can never be widened.")
    if relaxing and not principal.has_role(PUBLISHER_ROLES):
        return Decision.deny("I5", "Only a publisher or admin of the originator may relax TLP.")
    if not relaxing and not can_edit(principal, item, parent=parent):
        return Decision.deny("I5", "Only editors of the originator may change TLP.")
    bad = [kind for kind in item.audience.kinds if not tlp_rules.allows(new_tlp, kind)]
    if bad:
        return Decision.deny("I1", f"TLP:{new_tlp.value} does not allow audience {bad[0].value}.")
    if parent is not None and new_tlp.rank < parent.tlp.rank:
        return Decision.deny("I3", "A child cannot be looser than its parent.")
    sources = [s.tlp for s in item.derived_from if not s.release_approved]
    if new_tlp.rank < tlp_rules.strictest(*sources).rank:
        return Decision.deny("I4", "A source has not approved release at this level.")
    if relaxing:
        return Decision.allow("I5", "The originator relaxes TLP (audited).")
    return Decision.allow("I5", "The originator tightens TLP.", warnings=_NOT_RECALLED)


def can_widen_audience(  # noqa: PLR0911 - one return per rule
    principal: Principal, item: Item, new_audience: Audience, *, parent: Item | None = None
) -> Decision:
    """I5 (with I1, R11, W2): may ``principal`` replace ``item``'s audience by ``new_audience``?

    Any change that adds a recipient is a widening (publisher or admin of the originator);
    a pure narrowing needs only an editor of the originator and warns that copies stay delivered.
    """
    denied = _originator_writer(principal, item, parent)
    if denied is not None:
        return denied
    widening = not item.audience.covers(new_audience)
    if widening and item.kind is ItemKind.SAR:
        return Decision.deny("R11", "A suspicious-activity report can never be widened.")
    if widening and not principal.has_role(PUBLISHER_ROLES):
        return Decision.deny("I5", "Only a publisher or admin of the originator may widen.")
    if not widening and not can_edit(principal, item, parent=parent):
        return Decision.deny("I5", "Only editors of the originator may narrow the audience.")
    bad = [kind for kind in new_audience.kinds if not tlp_rules.allows(item.tlp, kind)]
    if bad:
        return Decision.deny("I1", f"TLP:{item.tlp.value} does not allow audience {bad[0].value}.")
    if not widening:
        return Decision.allow("I5", "The originator narrows the audience.", warnings=_NOT_RECALLED)
    broadcast = (new_audience.public and not item.audience.public) or bool(
        new_audience.communities - item.audience.communities
    )
    return Decision.allow(
        "I5", "The originator widens the audience (audited).", needs_approval=broadcast
    )


def can_forward(  # noqa: PLR0911 - one return per rule
    principal: Principal,
    item: Item,
    *,
    target_org: OrgId,
    target_kind: OrgKind,
    target_communities: frozenset[CommunityId] = frozenset(),
    parent: Item | None = None,
) -> Decision:
    """R9: may a recipient's publisher grant ``item`` to another organisation (logged)?"""
    denied = _writer(principal, item.tlp)
    if denied is not None:
        return denied
    seen = can_view(principal, item, parent=parent)
    if not seen.content:
        return Decision.deny(seen.rule, seen.reason)
    if principal.org_id == item.org_id:
        return Decision.deny("I5", "The originator widens the audience instead of forwarding.")
    if item.kind is ItemKind.SAR:
        return Decision.deny("R11", "A suspicious-activity report can never be widened.")
    if not principal.has_role(PUBLISHER_ROLES):
        return Decision.deny("R9", "Only a recipient's publisher may forward.")
    if Caveat.LE_ONLY in item.caveats and target_kind is not OrgKind.LAW_ENFORCEMENT:
        return Decision.deny("R6", "Law-enforcement only.")
    rule = tlp_rules.forwarding(item.tlp)
    allowed = {
        tlp_rules.Forwarding.ANYONE: True,
        tlp_rules.Forwarding.COMMUNITY: bool(target_communities & principal.communities),
        tlp_rules.Forwarding.CLIENTS: target_org in principal.provider_for,
        tlp_rules.Forwarding.NOBODY: False,
    }[rule]
    if not allowed:
        return Decision.deny("R9", f"TLP:{item.tlp.value} may be forwarded to {rule.value} only.")
    return Decision.allow("R9", "You may forward this item (logged with a reason).")


def can_comment(principal: Principal, parent: Item) -> Decision:
    """W3: add a comment under ``parent`` (reporters and above who see its content)."""
    denied = _writer(principal, parent.tlp)
    if denied is not None:
        return denied
    seen = can_view(principal, parent)
    if not seen.content:
        return Decision.deny(seen.rule, seen.reason)
    if not principal.has_role(_COMMENTER_ROLES):
        return Decision.deny("W3", "Readers acknowledge; reporters and above comment.")
    return Decision.allow("W3", "You may comment.")


def can_acknowledge(principal: Principal, parent: Item) -> Decision:
    """W3: acknowledge a published bulletin addressed to one's organisation."""
    denied = _writer(principal, parent.tlp)
    if denied is not None:
        return denied
    seen = can_view(principal, parent)
    if not seen.content:
        return Decision.deny(seen.rule, seen.reason)
    if parent.kind is not ItemKind.BULLETIN or parent.status not in _LIVE:
        return Decision.deny("W3", "Only a published bulletin can be acknowledged.")
    if principal.org_id == parent.org_id:
        return Decision.deny("W3", "Recipients acknowledge; the originator does not.")
    return Decision.allow("W3", "You may acknowledge.")


def default_child(principal: Principal, parent: Item) -> tuple[TLP, Audience, frozenset[Caveat]]:
    """W3: the TLP, audience and caveats a new child of ``parent`` gets by default.

    The parent's organisation and the writer's (MISP's sighting default); for a RED parent, its
    author and the writer by name.
    """
    if parent.tlp is TLP.RED:
        audience = Audience(users=frozenset({parent.author_id, principal.user_id}))
    else:
        audience = Audience(orgs=frozenset({parent.org_id, principal.org_id}))
    return parent.tlp, audience, parent.caveats


# --------------------------------------------------------------------------- groups, users, tokens


def can_create_group(principal: Principal) -> Decision:
    """W4: publishers and organisation admins create sharing groups."""
    denied = _writer(principal)
    if denied is not None:
        return denied
    if not principal.has_role(PUBLISHER_ROLES):
        return Decision.deny("W4", "Only publishers and organisation admins create groups.")
    return Decision.allow("W4", "You may create a sharing group.")


def can_edit_group(principal: Principal, group: SharingGroup) -> Decision:
    """W4: the owner organisation or an extender member edits membership."""
    denied = can_create_group(principal)
    if not denied.allowed:
        return denied
    if principal.org_id != group.owner_org_id and principal.org_id not in group.extenders:
        return Decision.deny("W4", "Only the owner and extenders edit a group.")
    return Decision.allow("W4", "You may edit this group.")


def can_delete_group(principal: Principal, group: SharingGroup) -> Decision:
    """W4: only the owner organisation deletes a group."""
    denied = can_create_group(principal)
    if not denied.allowed:
        return denied
    if principal.org_id != group.owner_org_id:
        return Decision.deny("W4", "Only the owner deletes a group.")
    return Decision.allow("W4", "You may delete this group.")


def can_view_group_members(principal: Principal, group: SharingGroup) -> Decision:
    """W4: members see the member list; when hidden, only the owner and extenders do."""
    if not principal_is_valid(principal):
        return Decision.deny("R0", "Your account or organisation is inactive or not vetted.")
    managers = group.extenders | {group.owner_org_id}
    allowed_orgs = managers if group.hide_members else managers | group.members
    if principal.org_id not in allowed_orgs:
        return Decision.deny("W4", "Only members see a group's members.")
    return Decision.allow("W4", "You may see this group's members.")


def can_manage_user(  # noqa: PLR0911 - one return per rule
    admin: Principal,
    *,
    target_org: OrgId,
    target_roles: frozenset[Role],
    new_roles: frozenset[Role] = frozenset(),
    new_org: OrgId | None = None,
) -> Decision:
    """W5: may ``admin`` change a user of ``target_org`` (roles, or move to ``new_org``)?"""
    denied = _writer(admin)
    if denied is not None:
        return denied
    if admin.is_platform_admin:
        return Decision.allow("W5", "Platform admins manage users (not content).")
    if not admin.has_role(frozenset({Role.ORG_ADMIN})):
        return Decision.deny("W5", "Only organisation admins manage users.")
    if target_org != admin.org_id:
        return Decision.deny("W5", "Organisation admins manage their own organisation only.")
    if new_org is not None and new_org != target_org:
        return Decision.deny("W5", "Users cannot be moved between organisations.")
    if Role.PLATFORM_ADMIN in target_roles:
        return Decision.deny("W5", "Organisation admins cannot change a platform admin.")
    if not new_roles <= _GRANTABLE:
        return Decision.deny("W5", "Organisation admins cannot grant platform admin.")
    return Decision.allow("W5", "You may manage this user.")


def effective_principal(principal: Principal, token: Token) -> Principal | None:
    """W6: the principal a token acts as, or None when the token is dead.

    Roles are the intersection of the user's roles and the token's scopes; a read-only token
    yields a read-only principal.
    """
    if token.expired or not token.ip_allowed or not principal_is_valid(principal):
        return None
    return Principal(
        user_id=principal.user_id,
        org_id=principal.org_id,
        org_kind=principal.org_kind,
        roles=principal.roles & token.scopes,
        active=principal.active,
        org_active=principal.org_active,
        org_vetted=principal.org_vetted,
        mfa=principal.mfa,
        le_vetted=principal.le_vetted,
        teams=principal.teams,
        communities=principal.communities,
        groups=principal.groups,
        extender_groups=principal.extender_groups,
        provider_for=principal.provider_for,
        sync_for=principal.sync_for,
        read_only=principal.read_only or token.read_only,
    )


def can_mint_token(principal: Principal) -> Decision:
    """W6: only a writable principal with an admin role mints or resets tokens."""
    denied = _writer(principal)
    if denied is not None:
        return denied
    if not principal.has_role(frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN})):
        return Decision.deny("W6", "Minting tokens needs an admin role.")
    return Decision.allow("W6", "You may mint a token.")
