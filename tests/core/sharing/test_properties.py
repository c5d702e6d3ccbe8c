"""Hypothesis properties of the sharing policy, and an independent naive oracle.

The oracle below is written from research/info-sharing.md §8.3 and the §8.5 role matrix as one
flat conjunction (no early returns, no shared helpers with the policy), with PlaceGuard's
recorded product decisions (docs/sharing-policy.md "Decisions"). ``can_view`` must agree with it
on random principals × items. The same oracle shape is what the web layer's ``visible_to(user)``
queryset will be held to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.sharing import (
    RULES,
    Audience,
    Caveat,
    Decision,
    Item,
    ItemKind,
    Principal,
    Status,
    can_change_tlp,
    can_comment,
    can_edit,
    can_publish,
    can_view,
    can_widen_audience,
)
from placeguard.core.sharing.model import CHILD_KINDS
from placeguard.core.vocab import TLP, OrgKind, Role

USERS = st.integers(1, 6)
ORGS = st.integers(1, 4)
GROUPS = st.integers(1, 3)
COMMUNITIES = st.sampled_from(["instance", "other"])
NEEDS = st.sampled_from(["READER", "ANALYST", "PUBLISHER", "security-lead", "ops"])
TOP_KINDS = [k for k in ItemKind if k not in CHILD_KINDS]

audiences = st.builds(
    Audience,
    public=st.booleans(),
    communities=st.frozensets(COMMUNITIES, max_size=2),
    groups=st.frozensets(GROUPS, max_size=2),
    orgs=st.frozensets(ORGS, max_size=2),
    rule_orgs=st.frozensets(ORGS, max_size=1),
    users=st.frozensets(USERS, max_size=2),
)


def items(
    kinds: list[ItemKind] | None = None, parent_id: int | None = None
) -> st.SearchStrategy[Item]:
    return st.builds(
        Item,
        id=st.integers(1, 3),
        kind=st.sampled_from(kinds or list(ItemKind)),
        author_id=USERS,
        org_id=ORGS,
        org_kind=st.sampled_from(list(OrgKind)),
        status=st.sampled_from(list(Status)),
        tlp=st.sampled_from(list(TLP)),
        audience=audiences,
        caveats=st.frozensets(st.sampled_from(list(Caveat))),
        parent_id=st.just(parent_id) if parent_id is not None else st.none() | st.integers(1, 3),
        need_to_know=st.none() | st.frozensets(NEEDS, max_size=2),
        co_editors=st.frozensets(USERS, max_size=1),
    )


principals = st.builds(
    Principal,
    user_id=USERS,
    org_id=ORGS,
    org_kind=st.sampled_from(list(OrgKind)),
    roles=st.frozensets(st.sampled_from(list(Role)), max_size=3),
    active=st.booleans() | st.just(True),
    org_active=st.booleans() | st.just(True),
    org_vetted=st.booleans() | st.just(True),
    mfa=st.booleans() | st.just(True),
    le_vetted=st.booleans(),
    teams=st.frozensets(st.sampled_from(["security-lead", "ops"]), max_size=1),
    communities=st.frozensets(COMMUNITIES, max_size=2),
    groups=st.frozensets(GROUPS, max_size=2),
    provider_for=st.frozensets(ORGS, max_size=1),
)
maybe_principal = st.none() | principals


# --------------------------------------------------------------------------- the naive oracle

LE = OrgKind.LAW_ENFORCEMENT
READING_ROLES = {"READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"}  # §8.5 "Read" column
EDITORS = {"ANALYST", "PUBLISHER", "ORG_ADMIN"}
RANK = {"clear": 0, "green": 1, "amber": 2, "amber+strict": 3, "red": 4}


def oracle_own(u: Principal | None, x: Item) -> tuple[bool, bool]:
    """(visible, stub only) for ``x`` alone, straight from §8.3."""
    if x.status == "purged":
        return False, False
    live = x.status in ("published", "expired")
    public = x.tlp == "clear" and x.audience.public and x.kind != "sar"
    if u is None:
        return live and public and not ({"le_only", "source_protected"} & set(x.caveats)), False
    roles = {str(r) for r in u.roles}
    author = u.user_id == x.author_id
    same_org = u.org_id == x.org_id
    r0 = u.active and u.org_active and u.org_vetted and (u.mfa or x.tlp == "clear")
    r1 = (
        x.status != "draft" or author or u.user_id in x.co_editors or (same_org and roles & EDITORS)
    )
    r4 = x.tlp != "red" or author or u.user_id in x.audience.users
    r6 = "le_only" not in x.caveats or author or (u.org_kind == LE and u.le_vetted)
    r11_identity = (
        "source_protected" not in x.caveats
        or author
        or (u.org_kind == LE and u.org_id in (x.audience.orgs | x.audience.rule_orgs))
    )
    rank = RANK[x.tlp]
    recipient_orgs = x.audience.orgs | x.audience.rule_orgs
    need = x.need_to_know  # R8
    if need is None and rank in (2, 3) and x.org_kind in (LE, "AUTHORITY") and u.org_kind in (
        "OPERATOR", "SECURITY_PROVIDER", "COMMUNITY"
    ):  # fmt: skip
        need = frozenset({"ANALYST", "PUBLISHER", "ORG_ADMIN", "security-lead"})
    need_ok = rank not in (1, 2, 3) or need is None or bool((roles | u.teams) & need)
    if x.kind == "sar":
        member = (
            author
            or (x.status == "draft" and u.user_id in x.co_editors)
            or (same_org and bool(roles & {"ANALYST", "ORG_ADMIN"}))
            or (u.org_kind == LE and u.org_id in x.audience.orgs and need_ok)
        )
    else:
        by_org = (
            (rank <= 1 and bool(x.audience.communities & u.communities))
            or (rank <= 3 and bool(x.audience.groups & u.groups))
            or (rank <= 3 and u.org_id in recipient_orgs)
            or (rank <= 2 and bool(u.provider_for & recipient_orgs))
        )
        member = (
            author
            or (x.status == "draft" and u.user_id in x.co_editors)
            or same_org
            or u.user_id in x.audience.users
            or (by_org and need_ok)
        )
    granted = (public and x.status != "draft") or (bool(roles & READING_ROLES) and member)
    visible = bool(r0 and r1 and r4 and r6 and r11_identity and granted)
    return visible, visible and x.status == "withdrawn" and not same_org


def oracle(u: Principal | None, x: Item, parent: Item | None) -> tuple[bool, bool]:
    """R7 on top: a child needs its parent's content."""
    if x.parent_id is None and x.kind not in CHILD_KINDS:
        return oracle_own(u, x)
    if parent is None or parent.id != x.parent_id:
        return False, False
    seen, stub = oracle(u, parent, None)
    if not seen or stub:
        return False, False
    return oracle_own(u, x)


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=250, deadline=None, database=None)


@FAST
@given(u=maybe_principal, x=items(TOP_KINDS), parent=st.none() | items(TOP_KINDS))
def test_e_can_view_agrees_with_naive_oracle_top_level(
    u: Principal | None, x: Item, parent: Item | None
) -> None:
    decision = can_view(u, x, parent=parent)
    assert (decision.allowed, decision.stub_only) == oracle(u, x, parent)
    assert decision.rule in RULES


@FAST
@given(u=maybe_principal, parent=items(TOP_KINDS), data=st.data())
def test_e_can_view_agrees_with_naive_oracle_children(
    u: Principal | None, parent: Item, data: st.DataObject
) -> None:
    x = data.draw(items(sorted(CHILD_KINDS), parent_id=parent.id) | items(sorted(CHILD_KINDS)))
    decision = can_view(u, x, parent=parent)
    assert (decision.allowed, decision.stub_only) == oracle(u, x, parent)


@FAST
@given(u=maybe_principal, x=items(TOP_KINDS), tighter=st.sampled_from(list(TLP)))
def test_a_tightening_tlp_never_adds_a_reader(u: Principal | None, x: Item, tighter: TLP) -> None:
    if tighter.rank >= x.tlp.rank:
        after = can_view(u, replace(x, tlp=tighter))
        before = can_view(u, x)
        assert not after.allowed or before.allowed
        assert not after.content or before.content


@FAST
@given(u=maybe_principal, x=items(TOP_KINDS), data=st.data())
def test_a_narrowing_audience_or_adding_caveats_never_adds_a_reader(
    u: Principal | None, x: Item, data: st.DataObject
) -> None:
    a = x.audience
    narrower = Audience(
        public=a.public and data.draw(st.booleans()),
        communities=frozenset(
            data.draw(st.sets(st.sampled_from(sorted(a.communities)))) if a.communities else ()
        ),
        groups=frozenset(data.draw(st.sets(st.sampled_from(sorted(a.groups)))) if a.groups else ()),
        orgs=frozenset(data.draw(st.sets(st.sampled_from(sorted(a.orgs)))) if a.orgs else ()),
        rule_orgs=frozenset(),
        users=frozenset(data.draw(st.sets(st.sampled_from(sorted(a.users)))) if a.users else ()),
    )
    assert a.covers(narrower)
    extra = data.draw(st.frozensets(st.sampled_from(list(Caveat))))
    need = data.draw(st.none() | st.frozensets(NEEDS))
    tightened = replace(x, audience=narrower, caveats=x.caveats | extra)
    if need is not None and x.need_to_know is not None:
        tightened = replace(tightened, need_to_know=x.need_to_know & need)
    after = can_view(u, tightened)
    assert not after.allowed or can_view(u, x).allowed


@FAST
@given(u=maybe_principal, parent=items(TOP_KINDS), data=st.data())
def test_b_child_never_visible_to_someone_who_cannot_see_its_parent(
    u: Principal | None, parent: Item, data: st.DataObject
) -> None:
    x = data.draw(items(sorted(CHILD_KINDS), parent_id=parent.id))
    if can_view(u, x, parent=parent).allowed:
        assert can_view(u, parent).content


@FAST
@given(u=principals, x=items(TOP_KINDS))
def test_c_author_always_sees_own_non_purged_item(u: Principal, x: Item) -> None:
    author = replace(u, active=True, org_active=True, org_vetted=True, mfa=True,
                     roles=u.roles | {Role.READER})  # fmt: skip
    mine = replace(x, author_id=author.user_id, parent_id=None)
    if mine.status is not Status.PURGED:
        assert can_view(author, mine).allowed


@FAST
@given(u=principals, x=items(TOP_KINDS), new_tlp=st.sampled_from(list(TLP)), a=audiences)
def test_d_platform_admin_flag_alone_grants_nothing(
    u: Principal, x: Item, new_tlp: TLP, a: Audience
) -> None:
    plain = replace(u, roles=u.roles - {Role.PLATFORM_ADMIN})
    admin = replace(u, roles=u.roles | {Role.PLATFORM_ADMIN})
    assert admin.is_platform_admin and not plain.is_platform_admin
    checks: list[Callable[[Principal], Decision]] = [
        lambda p: can_view(p, x),
        lambda p: can_edit(p, x),
        lambda p: can_publish(p, x),
        lambda p: can_comment(p, x),
        lambda p: can_change_tlp(p, x, new_tlp),
        lambda p: can_widen_audience(p, x, a),
    ]
    for check in checks:
        with_flag, without = check(admin), check(plain)
        assert (with_flag.allowed, with_flag.stub_only) == (without.allowed, without.stub_only)


@FAST
@given(x=items(TOP_KINDS))
def test_nothing_above_clear_is_ever_shown_to_anonymous_readers(x: Item) -> None:
    if x.tlp is not TLP.CLEAR:
        assert not can_view(None, x).allowed


@FAST
@given(u=principals, x=items(TOP_KINDS))
def test_every_decision_names_a_documented_rule(u: Principal, x: Item) -> None:
    for decision in [can_view(u, x), can_edit(u, x), can_publish(u, x), can_comment(u, x)]:
        assert decision.rule in RULES
