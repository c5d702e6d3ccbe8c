"""Write-time invariants I1–I8: what makes an item acceptable to store (else HTTP 422).

* :func:`check_invariants` — the item on its own (I1–I4, I6, the structural part of I7, R11).
* :func:`check_create` — a new item by an actor: adds I8 (author and originator are the actor's).
* :func:`check_update` — a change by an actor: adds I7 (immutable fields) and I5 (only the
  originator's publishers relax or widen).

Each returns every problem found, not just the first, so the API can report them all at once.
"""

from __future__ import annotations

from placeguard.core.sharing import tlp as tlp_rules
from placeguard.core.sharing.model import (
    PUBLISHER_ROLES,
    Caveat,
    Directory,
    Item,
    ItemKind,
    OrgId,
    Principal,
    Problem,
)
from placeguard.core.sharing.policy import can_change_tlp, can_widen_audience
from placeguard.core.vocab import TLP, OrgKind

__all__ = ["check_create", "check_invariants", "check_update"]

#: I7: which top-level kinds accept which children (None = any top-level kind).
_PARENT_KINDS: dict[ItemKind, frozenset[ItemKind] | None] = {
    ItemKind.COMMENT: None,
    ItemKind.ATTACHMENT: None,
    ItemKind.ACK: frozenset({ItemKind.BULLETIN}),
    ItemKind.TIMELINE_ENTRY: frozenset({ItemKind.INCIDENT}),
    ItemKind.REPORTER_IDENTITY: frozenset({ItemKind.SAR}),
}
_IMMUTABLE = ("id", "kind", "author_id", "org_id", "org_kind", "parent_id")


def _i1(item: Item) -> list[Problem]:
    if item.tlp is TLP.RED and not item.audience.users:
        return [Problem("I1", "audience", "TLP:RED needs named recipients.")]
    return [
        Problem("I1", "audience", f"TLP:{item.tlp.value} does not allow audience {kind.value}.")
        for kind in sorted(item.audience.kinds)
        if not tlp_rules.allows(item.tlp, kind)
    ]


def _audience_orgs(item: Item, directory: Directory) -> set[OrgId]:
    """``resolve(audience)`` at write time, the originating organisation included."""
    audience = item.audience
    orgs: set[OrgId] = {item.org_id, *audience.all_orgs}
    for group_id in audience.groups:
        group = directory.groups.get(group_id)
        if group is not None:
            orgs |= group.members | {group.owner_org_id}
    for community in audience.communities:
        orgs |= directory.communities.get(community, frozenset())
    orgs |= {directory.users[u].org_id for u in audience.users if u in directory.users}
    return orgs


def _i2(item: Item, directory: Directory | None) -> list[Problem]:
    if Caveat.LE_ONLY not in item.caveats:
        return []
    if item.audience.public:
        return [Problem("I2", "audience", "Law-enforcement-only items are never public.")]
    if item.org_kind is not OrgKind.LAW_ENFORCEMENT:
        return [Problem("I2", "caveats", "Only law enforcement marks items law-enforcement-only.")]
    if directory is None:
        return []  # I6 already reports the unverifiable references
    others = sorted(
        org
        for org in _audience_orgs(item, directory)
        if org != item.org_id
        and (org not in directory.orgs or directory.orgs[org].kind is not OrgKind.LAW_ENFORCEMENT)
    )
    if others:
        return [Problem("I2", "audience", f"Not law enforcement: organisations {others}.")]
    return []


def _i3(item: Item, parent: Item | None) -> list[Problem]:
    if parent is None:
        return []
    problems = []
    if item.tlp.rank < parent.tlp.rank:
        problems.append(Problem("I3", "tlp", "A child cannot be looser than its parent's TLP."))
    if not parent.caveats <= item.caveats:
        problems.append(Problem("I3", "caveats", "A child keeps every caveat of its parent."))
    return problems


def _i4(item: Item) -> list[Problem]:
    pending = [source.tlp for source in item.derived_from if not source.release_approved]
    floor = tlp_rules.strictest(*pending)
    if item.tlp.rank < floor.rank:
        msg = f"A source is TLP:{floor.value} and has not approved release."
        return [Problem("I4", "tlp", msg)]
    return []


def _i6(item: Item, directory: Directory | None) -> list[Problem]:
    audience = item.audience
    if directory is None:
        referenced = audience.groups or audience.all_orgs or audience.users or audience.communities
        if referenced:
            return [Problem("I6", "audience", "References cannot be verified without a directory.")]
        return []
    problems = []
    for org in sorted(audience.all_orgs):
        record = directory.orgs.get(org)
        if record is None or not record.active:
            problems.append(Problem("I6", "audience", f"Unknown or inactive organisation {org}."))
    for group_id in sorted(audience.groups):
        group = directory.groups.get(group_id)
        if group is None or not group.active:
            problems.append(Problem("I6", "audience", f"Unknown or inactive group {group_id}."))
        elif item.org_id not in group.members | {group.owner_org_id}:
            msg = f"Your organisation is not a member of group {group_id}."
            problems.append(Problem("I6", "audience", msg))
    for user in sorted(audience.users):
        person = directory.users.get(user)
        if person is None or not person.active:
            problems.append(Problem("I6", "audience", f"Unknown or inactive user {user}."))
    problems.extend(
        Problem("I6", "audience", f"Unknown community {community!r}.")
        for community in sorted(audience.communities)
        if community not in directory.communities
    )
    return problems


def _i7_structure(item: Item, parent: Item | None) -> list[Problem]:
    if not item.is_child:
        if item.parent_id is not None:
            return [Problem("I7", "parent", f"A {item.kind.value} has no parent.")]
        return []
    if item.parent_id is None:
        return [Problem("I7", "parent", f"A {item.kind.value} needs a parent.")]
    if parent is None or parent.id != item.parent_id:
        return [Problem("I7", "parent", "The parent was not supplied.")]
    accepted = _PARENT_KINDS[item.kind]
    if parent.is_child or (accepted is not None and parent.kind not in accepted):
        msg = f"A {item.kind.value} cannot hang under a {parent.kind.value}."
        return [Problem("I7", "parent", msg)]
    return []


def _r11(item: Item, directory: Directory | None) -> list[Problem]:
    problems = []
    if item.kind is ItemKind.SAR:
        audience = item.audience
        if audience.public or audience.communities or audience.groups or audience.users:
            msg = "A report goes to the site's responsible police only."
            problems.append(Problem("R11", "audience", msg))
        if directory is not None and any(
            org not in directory.orgs or directory.orgs[org].kind is not OrgKind.LAW_ENFORCEMENT
            for org in audience.all_orgs
        ):
            problems.append(Problem("R11", "audience", "A report goes to police forces only."))
    if item.kind is ItemKind.REPORTER_IDENTITY and not {
        Caveat.PII,
        Caveat.SOURCE_PROTECTED,
    } <= set(item.caveats):
        msg = "The reporter's identity is PII and source-protected."
        problems.append(Problem("R11", "caveats", msg))
    return problems


def check_invariants(
    item: Item, *, parent: Item | None = None, directory: Directory | None = None
) -> list[Problem]:
    """Every violated invariant of ``item`` as stored (empty when acceptable).

    ``directory`` holds the referenced organisations, groups, users and communities; without it,
    an item that references any is rejected (I6 fails closed).
    """
    return [
        *_i1(item),
        *_i2(item, directory),
        *_i3(item, parent),
        *_i4(item),
        *_i6(item, directory),
        *_i7_structure(item, parent),
        *_r11(item, directory),
    ]


def check_create(
    actor: Principal,
    item: Item,
    *,
    parent: Item | None = None,
    directory: Directory | None = None,
) -> list[Problem]:
    """Invariants of a new ``item`` created by ``actor``, I8 included."""
    problems = []
    synced = item.org_id in actor.sync_for
    if item.org_id != actor.org_id and not synced:
        msg = "Items are created for your own organisation."
        problems.append(Problem("I8", "org_id", msg))
    if item.author_id != actor.user_id and not synced:
        problems.append(Problem("I8", "author_id", "You are the author of what you create."))
    return [*problems, *check_invariants(item, parent=parent, directory=directory)]


def check_update(
    actor: Principal,
    before: Item,
    after: Item,
    *,
    parent: Item | None = None,
    directory: Directory | None = None,
) -> list[Problem]:
    """Invariants of changing ``before`` into ``after`` by ``actor``: I7, I5 and the rest.

    The caller has already checked :func:`~placeguard.core.sharing.policy.can_edit`.
    """
    problems = [
        Problem("I7", name, f"{name} cannot change.")
        for name in _IMMUTABLE
        if getattr(before, name) != getattr(after, name)
    ]
    # I1/I3/I4 of the final state are checked below on ``after``; here only who may change.
    if after.tlp is not before.tlp:
        decision = can_change_tlp(actor, before, after.tlp, parent=parent)
        if not decision.allowed and decision.rule != "I1":
            problems.append(Problem(decision.rule, "tlp", decision.reason))
    if after.audience != before.audience:
        decision = can_widen_audience(actor, before, after.audience, parent=parent)
        if not decision.allowed and decision.rule != "I1":
            problems.append(Problem(decision.rule, "audience", decision.reason))
    publisher = actor.org_id == before.org_id and actor.has_role(PUBLISHER_ROLES)
    if before.caveats - after.caveats and not publisher:
        msg = "Only a publisher or admin of the originator may remove a caveat."
        problems.append(Problem("I5", "caveats", msg))
    return [*problems, *check_invariants(after, parent=parent, directory=directory)]
