"""Section 9 scenarios that the pure policy decides, named after the catalogue (and its origins).

Past leaks in MISP, OpenCTI and IRIS came from side doors: org admins and site admins reading
everything, sharing-group extenders, discussion threads under private events, recipients
relabelling TLP, disabled accounts keeping access. Each scenario asserts the denial and the
allowed case beside it, so a broken fixture cannot pass.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from placeguard.core.sharing import (
    Caveat,
    ItemKind,
    SourceRef,
    Status,
    Token,
    can_acknowledge,
    can_change_tlp,
    can_comment,
    can_edit,
    can_edit_group,
    can_forward,
    can_publish,
    can_view,
    can_widen_audience,
    check_create,
    check_invariants,
    check_update,
    default_child,
    disclose_hit,
    effective_principal,
)
from placeguard.core.sharing.model import CHILD_KINDS
from placeguard.core.sharing.policy import HitShow
from placeguard.core.vocab import TLP, OrgKind, Role

from .personas import (
    CHURCH_READER,
    CITY,
    COMMUNITY,
    DIRECTORY,
    HOTEL_LEAD,
    HOTEL_Y,
    MALL_ADMIN,
    MALL_LEAD,
    MALL_READER,
    MALL_REPORTER,
    MALL_X,
    MIXED_GROUP,
    PLATFORM_ADMIN,
    POLICE_A,
    POLICE_A_ADMIN,
    POLICE_A_ANALYST,
    POLICE_A_PUBLISHER,
    POLICE_A_READER,
    POLICE_B,
    POLICE_B_ANALYST,
    PUBLIC,
    REGION_GROUP,
    SECURECO_LEAD,
    STADIUM_LEAD,
    bulletin,
    child,
    person,
    to_groups,
    to_orgs,
    to_users,
)

TOP_KINDS = [ItemKind.BULLETIN, ItemKind.INCIDENT, ItemKind.PRACTICE, ItemKind.SAR]


# ----------------------------------------------------------------- the brief's MISP-style stories


def test_org_admin_reads_red_is_denied() -> None:
    """MISP org admins see all their org's events; TLP:RED must not follow (R4)."""
    red = bulletin(POLICE_A_ANALYST, tlp=TLP.RED, audience=to_users(MALL_LEAD))
    assert can_view(MALL_LEAD, red).allowed
    assert can_view(POLICE_A_ADMIN, red).rule == "R4"
    assert can_view(MALL_ADMIN, red).rule == "R4"


def test_platform_admin_reads_amber_is_denied() -> None:
    """MISP site admins get no conditions at all; ours get no content (R10)."""
    amber = bulletin(tlp=TLP.AMBER, audience=to_orgs(MALL_X))
    assert can_view(MALL_LEAD, amber).allowed
    assert not can_view(PLATFORM_ADMIN, amber).allowed
    everything = replace(PLATFORM_ADMIN, roles=frozenset(Role) - {Role.READER, Role.REPORTER,
                         Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN})  # fmt: skip
    assert can_view(everything, amber).rule == "R10"


def test_sharing_group_extender_does_not_leak_to_non_member() -> None:
    """An extender may edit a group; it may not pass group items to non-members (W4, R5, R9)."""
    city_publisher = person(CITY, Role.PUBLISHER)
    item = bulletin(city_publisher, audience=to_groups(REGION_GROUP))
    assert can_view(HOTEL_LEAD, item).allowed  # extender member
    assert not can_view(STADIUM_LEAD, item).allowed  # non-member
    assert not can_forward(HOTEL_LEAD, item, target_org=STADIUM_LEAD.org_id,
                           target_kind=OrgKind.OPERATOR).allowed  # fmt: skip
    group = DIRECTORY.groups[REGION_GROUP]
    assert can_edit_group(HOTEL_LEAD, group).allowed
    assert not can_edit_group(STADIUM_LEAD, group).allowed
    assert city_publisher.org_id == group.owner_org_id


def test_child_comment_on_red_item_is_not_visible_to_community() -> None:
    """CVE-2020-8894-style: a thread under a private item leaks when it has its own ACL (R7)."""
    red = bulletin(tlp=TLP.RED, audience=to_users(MALL_LEAD))
    comment = child(red, MALL_LEAD, tlp=TLP.GREEN, audience=COMMUNITY)  # mislabelled child
    assert "I3" in {p.rule for p in check_invariants(comment, parent=red, directory=DIRECTORY)}
    assert can_view(MALL_LEAD, comment, parent=red).allowed
    for outsider in [CHURCH_READER, HOTEL_LEAD, POLICE_A_ADMIN]:
        assert can_view(outsider, comment, parent=red).rule == "R7"


def test_relaxing_tlp_by_a_non_originator_is_denied() -> None:
    """Recipients cannot relabel AMBER as GREEN (I5); the originator's publisher can."""
    amber = bulletin()
    assert can_change_tlp(MALL_ADMIN, amber, TLP.GREEN).rule == "I5"
    assert can_change_tlp(POLICE_A_PUBLISHER, amber, TLP.GREEN).allowed


def test_deactivated_org_member_keeps_no_access() -> None:
    """MISP test_disabled_org_tokens_dead: org or user deactivation revokes everything (R0)."""
    item = bulletin()
    assert can_view(MALL_LEAD, item).allowed
    assert can_view(replace(MALL_LEAD, org_active=False), item).rule == "R0"
    assert can_view(replace(MALL_LEAD, active=False), item).rule == "R0"
    public = bulletin(tlp=TLP.CLEAR, audience=PUBLIC)
    assert can_view(replace(MALL_LEAD, org_active=False), public).rule == "R0"
    token = Token(scopes=frozenset(Role))
    assert effective_principal(replace(MALL_LEAD, org_active=False), token) is None


# ----------------------------------------------------------------- 9.1–9.2


def test_3_token_read_only_cannot_write_or_mint_and_scope_is_intersection() -> None:
    acting = effective_principal(MALL_ADMIN, Token(scopes=frozenset({Role.READER}), read_only=True))
    assert acting is not None and acting.roles == frozenset()
    assert not can_comment(acting, bulletin()).allowed
    assert can_comment(MALL_ADMIN, bulletin()).allowed


def test_7_mfa_enforced_for_non_clear_content() -> None:
    no_mfa = replace(MALL_LEAD, mfa=False)
    assert can_view(no_mfa, bulletin(tlp=TLP.CLEAR, audience=to_orgs(MALL_X))).allowed
    assert can_view(no_mfa, bulletin(tlp=TLP.GREEN, audience=to_orgs(MALL_X))).rule == "R0"


@pytest.mark.parametrize("kind", TOP_KINDS)
def test_10_view_foreign_item_denied_for_every_kind(kind: ItemKind) -> None:
    item = bulletin(MALL_LEAD, kind=kind, audience=to_orgs(POLICE_A))
    assert can_view(MALL_LEAD, item).allowed
    assert not can_view(HOTEL_LEAD, item).allowed
    assert not can_view(POLICE_B_ANALYST, item).allowed


@pytest.mark.parametrize("kind", sorted(CHILD_KINDS))
def test_10_view_foreign_child_denied_for_every_child_kind(kind: ItemKind) -> None:
    parent = bulletin(audience=to_orgs(MALL_X))
    item = child(parent, MALL_LEAD, kind)
    assert can_view(MALL_LEAD, item, parent=parent).allowed
    assert not can_view(HOTEL_LEAD, item, parent=parent).allowed
    assert not can_view(HOTEL_LEAD, replace(item, audience=to_orgs(HOTEL_Y)), parent=parent).allowed


def test_11_edit_publish_foreign_item_denied() -> None:
    draft = bulletin(POLICE_A_ANALYST, status=Status.DRAFT)
    assert can_edit(POLICE_A_ANALYST, draft).allowed
    assert not can_edit(POLICE_A_READER, draft).allowed  # same org, another author, no EDIT_ORG
    assert not can_edit(POLICE_B_ANALYST, draft).allowed
    assert can_publish(POLICE_A_PUBLISHER, draft).allowed
    assert not can_publish(person(POLICE_B, Role.PUBLISHER), draft).allowed


def test_12_attachment_requires_parent_visibility() -> None:
    parent = bulletin(audience=to_orgs(MALL_X))
    attachment = child(parent, POLICE_A_ANALYST, ItemKind.ATTACHMENT)
    assert can_view(MALL_LEAD, attachment, parent=parent).allowed
    gone = replace(parent, audience=to_orgs(HOTEL_Y))
    assert can_view(MALL_LEAD, attachment, parent=gone).rule == "R7"


def test_13_comment_thread_inherits_parent_acl_and_withdrawn_parent_hides_thread() -> None:
    parent = bulletin()
    comment = child(parent, MALL_LEAD, audience=to_orgs(POLICE_A, MALL_X))
    assert can_view(MALL_LEAD, comment, parent=parent).allowed
    withdrawn = replace(parent, status=Status.WITHDRAWN)
    assert can_view(MALL_LEAD, comment, parent=withdrawn).rule == "R7"
    assert can_view(POLICE_A_ANALYST, comment, parent=withdrawn).allowed


def test_20_red_only_named_users() -> None:
    red = bulletin(POLICE_A_ANALYST, tlp=TLP.RED, audience=to_users(POLICE_B_ANALYST))
    assert can_view(POLICE_B_ANALYST, red).allowed
    for denied in [POLICE_A_READER, POLICE_A_PUBLISHER, POLICE_A_ADMIN, PLATFORM_ADMIN,
                   person(POLICE_B, Role.ORG_ADMIN)]:  # fmt: skip
        assert not can_view(denied, red).allowed


def test_21_amber_strict_no_client_forwarding_amber_only_to_client_links() -> None:
    amber = bulletin(audience=to_orgs(MALL_X))
    assert can_view(SECURECO_LEAD, amber).allowed  # Mall X's registered provider
    assert not can_view(SECURECO_LEAD, replace(amber, tlp=TLP.AMBER_STRICT)).allowed
    assert not can_view(HOTEL_LEAD, amber).allowed
    mall_publisher = person(MALL_X, Role.PUBLISHER)
    assert not can_forward(mall_publisher, amber, target_org=HOTEL_Y,
                           target_kind=OrgKind.OPERATOR).allowed  # fmt: skip
    provider_amber = bulletin(audience=to_orgs(SECURECO_LEAD.org_id))
    assert can_forward(SECURECO_LEAD, provider_amber, target_org=MALL_X,
                       target_kind=OrgKind.OPERATOR).allowed  # fmt: skip
    assert not can_forward(SECURECO_LEAD, replace(provider_amber, tlp=TLP.AMBER_STRICT),
                           target_org=MALL_X, target_kind=OrgKind.OPERATOR).allowed  # fmt: skip


def test_22_green_never_public() -> None:
    green = bulletin(tlp=TLP.GREEN, audience=PUBLIC)  # mislabelled: I1 rejects, R5 ignores
    assert "I1" in {p.rule for p in check_invariants(green)}
    assert not can_view(None, green).allowed
    assert not can_view(CHURCH_READER, green).allowed
    assert can_view(None, replace(green, tlp=TLP.CLEAR)).allowed


def test_23_recipient_cannot_widen_originator_can_with_audit() -> None:
    item = bulletin()
    wider = to_orgs(MALL_X, HOTEL_Y)
    assert can_widen_audience(MALL_ADMIN, item, wider).rule == "I5"
    decision = can_widen_audience(POLICE_A_PUBLISHER, item, wider)
    assert decision.allowed and "audited" in decision.reason
    updated = replace(item, audience=wider)
    assert "I5" in {p.rule for p in check_update(MALL_ADMIN, item, updated, directory=DIRECTORY)}


def test_24_effective_visibility_is_intersection_of_child_and_parent() -> None:
    parent = bulletin(audience=to_orgs(MALL_X, HOTEL_Y))
    note = child(parent, MALL_LEAD, audience=to_orgs(POLICE_A, MALL_X))
    assert can_view(MALL_LEAD, note, parent=parent).allowed  # in both
    assert not can_view(HOTEL_LEAD, note, parent=parent).allowed  # parent only
    stadium = replace(note, audience=to_orgs(POLICE_A, MALL_X, 6))
    assert not can_view(STADIUM_LEAD, stadium, parent=parent).allowed  # child only


def test_25_derived_bulletin_inherits_max_tlp_until_release_approved() -> None:
    sar_source = SourceRef(item_id=1, org_id=MALL_X, tlp=TLP.AMBER_STRICT)
    derived = bulletin(tlp=TLP.AMBER_STRICT, derived_from=frozenset({sar_source}))
    assert can_change_tlp(POLICE_A_PUBLISHER, derived, TLP.AMBER).rule == "I4"
    released = replace(
        derived, derived_from=frozenset({replace(sar_source, release_approved=True)})
    )
    assert can_change_tlp(POLICE_A_PUBLISHER, released, TLP.AMBER).allowed


def test_26_need_to_know_front_line_reader_cannot_see_amber_lead_can() -> None:
    amber = bulletin()
    assert can_view(MALL_LEAD, amber).allowed
    assert can_view(MALL_READER, amber).rule == "R8"


def test_27_le_only_caveat_overrides_group_membership() -> None:
    item = bulletin(audience=to_groups(MIXED_GROUP), caveats=frozenset({Caveat.LE_ONLY}))
    assert MIXED_GROUP in MALL_LEAD.groups
    assert can_view(POLICE_A_READER, item).allowed
    assert can_view(MALL_LEAD, item).rule == "R6"
    assert can_view(MALL_LEAD, replace(item, caveats=frozenset())).allowed


def test_28_platform_admin_no_content_access_even_in_own_org_items() -> None:
    own = bulletin(person(PLATFORM_ADMIN.org_id, Role.PUBLISHER), tlp=TLP.GREEN, audience=COMMUNITY)
    assert can_view(CHURCH_READER, own).allowed
    assert can_view(PLATFORM_ADMIN, own).rule == "R10"


def test_29_draft_private_by_default_unlike_misp() -> None:
    draft = bulletin(tlp=TLP.GREEN, audience=COMMUNITY, status=Status.DRAFT)
    assert can_view(POLICE_A_ANALYST, draft).allowed
    assert can_view(CHURCH_READER, draft).rule == "R1"


def test_30_withdrawn_stub_only_purged_gone() -> None:
    item = bulletin(tlp=TLP.CLEAR, audience=PUBLIC)
    assert can_view(None, item).content
    assert not can_view(None, replace(item, status=Status.WITHDRAWN)).allowed
    assert can_view(MALL_LEAD, replace(item, status=Status.WITHDRAWN)).stub_only
    assert not can_view(POLICE_A_PUBLISHER, replace(item, status=Status.PURGED)).allowed


def test_33_sg_membership_removal_revokes_read_immediately() -> None:
    item = bulletin(audience=to_groups(MIXED_GROUP))
    assert can_view(MALL_LEAD, item).allowed
    assert not can_view(replace(MALL_LEAD, groups=frozenset()), item).allowed


def test_34_sg_reference_by_foreign_or_stale_id_rejected() -> None:
    ok = bulletin(audience=to_groups(MIXED_GROUP))
    assert check_create(POLICE_A_PUBLISHER, ok, directory=DIRECTORY) == []
    foreign = bulletin(HOTEL_LEAD, audience=to_groups(MIXED_GROUP))
    assert {p.rule for p in check_create(HOTEL_LEAD, foreign, directory=DIRECTORY)} == {"I6"}


def test_39_sar_audience_fixed_to_reporter_org_and_responsible_le() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    assert can_view(POLICE_A_ANALYST, sar).allowed
    for outsider in [POLICE_B_ANALYST, HOTEL_LEAD, person(3, Role.ANALYST), SECURECO_LEAD]:
        assert not can_view(outsider, sar).allowed
    assert not can_widen_audience(MALL_ADMIN, sar, to_orgs(POLICE_A, POLICE_B)).allowed
    assert not can_forward(POLICE_A_PUBLISHER, sar, target_org=POLICE_B,
                           target_kind=OrgKind.LAW_ENFORCEMENT).allowed  # fmt: skip


def test_41_sar_vetting_notes_hidden_from_reporting_org() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    tlp, audience, caveats = default_child(POLICE_A_ANALYST, sar)
    notes = child(sar, POLICE_A_ANALYST, tlp=tlp, audience=audience,
                  caveats=caveats | {Caveat.LE_ONLY})  # fmt: skip
    assert can_view(MALL_REPORTER, sar).allowed
    assert not can_view(MALL_REPORTER, notes, parent=sar).allowed
    assert can_view(POLICE_A_ANALYST, notes, parent=sar).allowed


def test_47_correlation_hits_respect_visibility_and_notify_owner() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    hit = disclose_hit(HOTEL_LEAD, sar)
    assert hit.show is HitShow.EXISTS and hit.notify_owner
    assert disclose_hit(POLICE_A_ANALYST, sar).show is HitShow.ITEM


def test_49_acks_default_to_originator_and_own_org_never_from_private_parent() -> None:
    item = bulletin(audience=to_orgs(MALL_X, HOTEL_Y))
    tlp, audience, caveats = default_child(MALL_LEAD, item)
    ack = child(item, MALL_LEAD, ItemKind.ACK, tlp=tlp, audience=audience, caveats=caveats)
    assert can_view(POLICE_A_ANALYST, ack, parent=item).allowed
    assert not can_view(HOTEL_LEAD, ack, parent=item).allowed  # another recipient
    assert can_acknowledge(MALL_LEAD, item).allowed
    assert not can_acknowledge(STADIUM_LEAD, item).allowed


def test_56_update_cannot_change_immutable_fields() -> None:
    item = bulletin(POLICE_A_ANALYST)
    moved = replace(item, org_id=POLICE_B)
    assert "I7" in {
        p.rule for p in check_update(POLICE_A_ANALYST, item, moved, directory=DIRECTORY)
    }


def test_57_nested_child_ids_scoped_to_parent() -> None:
    a, b = bulletin(), bulletin(audience=to_orgs(HOTEL_Y))
    comment_of_b = child(b, HOTEL_LEAD)
    assert can_view(HOTEL_LEAD, comment_of_b, parent=b).allowed
    assert can_view(MALL_LEAD, comment_of_b, parent=a).rule == "R7"
    assert "I7" in {p.rule for p in check_invariants(comment_of_b, parent=a, directory=DIRECTORY)}


def test_58_create_as_other_org_rejected_unless_sync_bound() -> None:
    forged = bulletin(POLICE_A_PUBLISHER)
    assert {p.rule for p in check_create(MALL_ADMIN, forged, directory=DIRECTORY)} == {"I8"}
    bound = replace(MALL_ADMIN, sync_for=frozenset({POLICE_A}))
    assert check_create(bound, forged, directory=DIRECTORY) == []
