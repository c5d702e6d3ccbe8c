"""One test per write rule W1–W6 (and I5's TLP/audience changes, R9 forwarding)."""

from __future__ import annotations

from dataclasses import replace

from placeguard.core.sharing import (
    Audience,
    ItemKind,
    SharingGroup,
    Status,
    Token,
    can_acknowledge,
    can_change_tlp,
    can_comment,
    can_create_group,
    can_delete_group,
    can_edit,
    can_edit_group,
    can_forward,
    can_manage_user,
    can_mint_token,
    can_publish,
    can_view,
    can_view_group_members,
    can_widen_audience,
    can_withdraw,
    default_child,
    effective_principal,
)
from placeguard.core.sharing.model import INSTANCE_COMMUNITY
from placeguard.core.vocab import TLP, OrgKind, Role

from .personas import (
    CITY,
    CITY_ANALYST,
    COMMUNITY,
    HOTEL_LEAD,
    HOTEL_Y,
    MALL_ADMIN,
    MALL_LEAD,
    MALL_READER,
    MALL_REPORTER,
    MALL_X,
    PLATFORM_ADMIN,
    POLICE_A,
    POLICE_A_ADMIN,
    POLICE_A_ANALYST,
    POLICE_A_PUBLISHER,
    POLICE_A_READER,
    POLICE_B,
    SECURECO_LEAD,
    STADIUM_Z,
    bulletin,
    person,
    to_orgs,
    to_users,
)


def test_w1_author_and_originator_editors_edit_recipients_do_not() -> None:
    item = bulletin(POLICE_A_READER, tlp=TLP.GREEN)
    assert can_edit(POLICE_A_READER, item).rule == "W1"  # author (EDIT_OWN)
    assert can_edit(POLICE_A_ANALYST, item).allowed
    other_reader = person(POLICE_A, Role.READER)
    assert not can_edit(other_reader, item).allowed
    assert can_edit(MALL_LEAD, item).rule == "W1"
    assert not can_edit(MALL_LEAD, item).allowed


def test_w1_editing_needs_visibility_red_colleague_cannot_edit() -> None:
    red = bulletin(tlp=TLP.RED, audience=to_users(MALL_LEAD))
    assert can_edit(POLICE_A_PUBLISHER, red).allowed
    assert can_edit(POLICE_A_ADMIN, red).rule == "R4"


def test_w1_read_only_token_cannot_edit() -> None:
    item = bulletin()
    assert can_edit(POLICE_A_ANALYST, item).allowed
    assert can_edit(replace(POLICE_A_ANALYST, read_only=True), item).rule == "W6"


def test_w2_only_publishers_of_originator_publish_and_withdraw() -> None:
    draft = bulletin(POLICE_A_ANALYST, status=Status.DRAFT)
    assert can_publish(POLICE_A_PUBLISHER, draft).allowed
    assert can_publish(POLICE_A_ADMIN, draft).allowed
    assert can_publish(POLICE_A_ANALYST, draft).rule == "W2"
    assert not can_publish(POLICE_A_ANALYST, draft).allowed
    assert not can_publish(MALL_ADMIN, draft).allowed
    published = replace(draft, status=Status.PUBLISHED)
    assert not can_publish(POLICE_A_PUBLISHER, published).allowed
    assert can_withdraw(POLICE_A_PUBLISHER, published).allowed
    assert not can_withdraw(POLICE_A_ANALYST, published).allowed


def test_w2_broadcast_to_community_needs_a_second_approver() -> None:
    orgs = bulletin(status=Status.DRAFT, tlp=TLP.GREEN)
    broadcast = replace(orgs, audience=COMMUNITY)
    assert not can_publish(POLICE_A_PUBLISHER, orgs).needs_approval
    assert can_publish(POLICE_A_PUBLISHER, broadcast).needs_approval


def test_w2_reporter_submits_own_sar() -> None:
    sar = bulletin(
        MALL_REPORTER, kind=ItemKind.SAR, status=Status.DRAFT, audience=to_orgs(POLICE_A)
    )
    assert can_publish(MALL_REPORTER, sar).allowed
    assert not can_publish(person(MALL_X, Role.REPORTER), sar).allowed


def test_w3_recipients_comment_and_acknowledge_within_role() -> None:
    item = bulletin(tlp=TLP.AMBER, need_to_know=frozenset({"READER", "REPORTER", "ANALYST"}))
    assert can_comment(MALL_REPORTER, item).allowed
    assert can_comment(MALL_READER, item).rule == "W3"
    assert can_acknowledge(MALL_READER, item).allowed
    assert can_acknowledge(POLICE_A_ANALYST, item).rule == "W3"  # originator
    assert not can_comment(HOTEL_LEAD, item).allowed  # not a recipient
    assert not can_acknowledge(MALL_READER, replace(item, status=Status.WITHDRAWN)).allowed


def test_w3_default_child_audience_is_originator_and_commenter_orgs() -> None:
    tlp, audience, caveats = default_child(MALL_LEAD, bulletin())
    assert (tlp, audience) == (TLP.AMBER, to_orgs(POLICE_A, MALL_X))
    red = bulletin(tlp=TLP.RED, audience=to_users(MALL_LEAD))
    assert default_child(MALL_LEAD, red)[1] == to_users(POLICE_A_PUBLISHER, MALL_LEAD)
    assert caveats == frozenset()


def test_w4_sharing_group_create_edit_delete_and_member_list() -> None:
    group = SharingGroup(
        id=7, owner_org_id=CITY, members=frozenset({CITY, MALL_X, HOTEL_Y}),
        extenders=frozenset({HOTEL_Y}),
    )  # fmt: skip
    assert can_create_group(CITY_ANALYST).allowed
    assert not can_create_group(MALL_LEAD).allowed  # ANALYST lacks the permission
    assert can_edit_group(HOTEL_LEAD, group).allowed  # extender
    assert not can_edit_group(MALL_ADMIN, group).allowed  # plain member
    assert can_delete_group(CITY_ANALYST, group).allowed
    assert can_delete_group(HOTEL_LEAD, group).rule == "W4"
    assert can_view_group_members(MALL_READER, group).allowed
    assert not can_view_group_members(SECURECO_LEAD, group).allowed
    hidden = replace(group, hide_members=True)
    assert not can_view_group_members(MALL_READER, hidden).allowed
    assert can_view_group_members(HOTEL_LEAD, hidden).allowed


def test_w5_org_admin_manages_own_org_only_and_cannot_escalate() -> None:
    ok = can_manage_user(MALL_ADMIN, target_org=MALL_X, target_roles=frozenset({Role.READER}),
                         new_roles=frozenset({Role.ANALYST}))  # fmt: skip
    assert ok.allowed
    assert not can_manage_user(MALL_ADMIN, target_org=HOTEL_Y, target_roles=frozenset()).allowed
    assert not can_manage_user(MALL_ADMIN, target_org=MALL_X, target_roles=frozenset(),
                               new_roles=frozenset({Role.PLATFORM_ADMIN})).allowed  # fmt: skip
    assert not can_manage_user(MALL_ADMIN, target_org=MALL_X, target_roles=frozenset(),
                               new_org=STADIUM_Z).allowed  # fmt: skip
    assert not can_manage_user(MALL_ADMIN, target_org=MALL_X,
                               target_roles=frozenset({Role.PLATFORM_ADMIN})).allowed  # fmt: skip
    assert can_manage_user(MALL_LEAD, target_org=MALL_X, target_roles=frozenset()).rule == "W5"
    assert can_manage_user(PLATFORM_ADMIN, target_org=MALL_X, target_roles=frozenset()).allowed


def test_w6_token_rights_are_the_intersection_and_read_only_writes_nothing() -> None:
    token = Token(scopes=frozenset({Role.READER, Role.PLATFORM_ADMIN}))
    acting = effective_principal(POLICE_A_PUBLISHER, token)
    assert acting is not None and acting.roles == frozenset()  # PUBLISHER not in scope
    full = effective_principal(POLICE_A_PUBLISHER, Token(scopes=frozenset(Role)))
    assert full is not None and full.roles == POLICE_A_PUBLISHER.roles
    assert effective_principal(POLICE_A_PUBLISHER, replace(token, expired=True)) is None
    assert effective_principal(replace(POLICE_A_PUBLISHER, active=False), token) is None
    read_only = effective_principal(MALL_ADMIN, Token(scopes=frozenset(Role), read_only=True))
    assert read_only is not None
    assert can_mint_token(MALL_ADMIN).allowed
    assert can_mint_token(read_only).rule == "W6"
    assert not can_mint_token(MALL_LEAD).allowed


def test_i5_only_originator_publisher_relaxes_tlp_editors_tighten() -> None:
    item = bulletin(tlp=TLP.AMBER)
    assert can_change_tlp(POLICE_A_PUBLISHER, item, TLP.GREEN).allowed
    assert can_change_tlp(POLICE_A_ANALYST, item, TLP.GREEN).rule == "I5"
    tightened = can_change_tlp(POLICE_A_ANALYST, item, TLP.AMBER_STRICT)
    assert tightened.allowed and tightened.warnings
    assert can_change_tlp(MALL_ADMIN, item, TLP.GREEN).rule == "I5"
    assert can_change_tlp(POLICE_A_PUBLISHER, item, TLP.RED).rule == "I1"  # orgs not allowed


def test_i5_widening_audience_needs_originator_publisher_narrowing_warns() -> None:
    item = bulletin(audience=to_orgs(MALL_X, HOTEL_Y))
    wider = to_orgs(MALL_X, HOTEL_Y, STADIUM_Z)
    assert can_widen_audience(POLICE_A_PUBLISHER, item, wider).allowed
    assert can_widen_audience(POLICE_A_ANALYST, item, wider).rule == "I5"
    assert can_widen_audience(MALL_ADMIN, item, wider).rule == "I5"
    narrower = can_widen_audience(POLICE_A_ANALYST, item, to_orgs(MALL_X))
    assert narrower.allowed and narrower.warnings
    assert can_widen_audience(POLICE_A_PUBLISHER, item, COMMUNITY).rule == "I1"  # AMBER


def test_r11_nobody_widens_a_sar() -> None:
    sar = bulletin(MALL_ADMIN, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    assert can_widen_audience(MALL_ADMIN, sar, to_orgs(POLICE_A, POLICE_B)).rule == "R11"
    assert can_change_tlp(MALL_ADMIN, sar, TLP.GREEN).rule == "R11"
    assert can_change_tlp(MALL_ADMIN, sar, TLP.AMBER_STRICT).allowed


def test_r9_forwarding_amber_to_clients_green_in_community_strict_never() -> None:
    item = bulletin(audience=to_orgs(SECURECO_LEAD.org_id))
    client = {"target_org": MALL_X, "target_kind": OrgKind.OPERATOR}
    assert can_forward(SECURECO_LEAD, item, **client).allowed  # type: ignore[arg-type]
    other = {"target_org": HOTEL_Y, "target_kind": OrgKind.OPERATOR}
    assert can_forward(SECURECO_LEAD, item, **other).rule == "R9"  # type: ignore[arg-type]
    strict = replace(item, tlp=TLP.AMBER_STRICT)
    assert not can_forward(SECURECO_LEAD, strict, **client).allowed  # type: ignore[arg-type]
    green = replace(item, tlp=TLP.GREEN)
    inside = can_forward(SECURECO_LEAD, green, target_org=HOTEL_Y, target_kind=OrgKind.OPERATOR,
                         target_communities=frozenset({INSTANCE_COMMUNITY}))  # fmt: skip
    assert inside.allowed
    assert not can_forward(
        SECURECO_LEAD, green, target_org=HOTEL_Y, target_kind=OrgKind.OPERATOR
    ).allowed
    assert can_forward(POLICE_A_PUBLISHER, item, **other).rule == "I5"  # type: ignore[arg-type]


def test_write_predicates_agree_with_visibility_for_invisible_items() -> None:
    hidden = bulletin(audience=to_orgs(POLICE_B))
    assert not can_view(MALL_ADMIN, hidden).allowed
    for decision in [can_comment(MALL_ADMIN, hidden), can_acknowledge(MALL_ADMIN, hidden),
                     can_edit(MALL_ADMIN, hidden), can_change_tlp(MALL_ADMIN, hidden, TLP.RED),
                     can_widen_audience(MALL_ADMIN, hidden, Audience())]:  # fmt: skip
        assert not decision.allowed
        assert decision.rule == "R5"
