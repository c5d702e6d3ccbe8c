"""One test per read rule R0–R12; each denial is paired with the allowed case."""

from __future__ import annotations

from dataclasses import replace

from placeguard.core.sharing import Caveat, HitDisclosure, ItemKind, Status, can_view, disclose_hit
from placeguard.core.sharing.policy import DEFAULT_NEED_TO_KNOW, HitShow
from placeguard.core.vocab import TLP, Role

from .personas import (
    AUDITOR,
    CHURCH_READER,
    COMMUNITY,
    HOTEL_LEAD,
    MALL_ADMIN,
    MALL_LEAD,
    MALL_READER,
    MALL_REPORTER,
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
    SECURECO_LEAD,
    STADIUM_LEAD,
    bulletin,
    child,
    to_groups,
    to_orgs,
    to_users,
)


def test_r0_inactive_user_unvetted_or_inactive_org_and_missing_mfa_see_nothing() -> None:
    item = bulletin(tlp=TLP.GREEN, audience=COMMUNITY)
    assert can_view(HOTEL_LEAD, item).allowed
    for broken in [
        replace(HOTEL_LEAD, active=False),
        replace(HOTEL_LEAD, org_active=False),
        replace(HOTEL_LEAD, org_vetted=False),
        replace(HOTEL_LEAD, mfa=False),
    ]:
        decision = can_view(broken, item)
        assert not decision.allowed
        assert decision.rule == "R0"


def test_r0_without_mfa_only_clear_and_anonymous_only_public_clear() -> None:
    clear = bulletin(tlp=TLP.CLEAR, audience=PUBLIC)
    assert can_view(replace(HOTEL_LEAD, mfa=False), clear).allowed
    assert can_view(None, clear).allowed
    assert can_view(None, bulletin(tlp=TLP.CLEAR, audience=COMMUNITY)).rule == "R0"
    assert not can_view(replace(HOTEL_LEAD, active=False), clear).allowed


def test_r1_draft_private_to_author_editors_and_co_editors() -> None:
    draft = bulletin(status=Status.DRAFT, co_editors=frozenset({MALL_LEAD.user_id}))
    assert can_view(POLICE_A_PUBLISHER, draft).allowed  # author
    assert can_view(POLICE_A_ANALYST, draft).allowed  # editor of the originator
    assert can_view(MALL_LEAD, draft).rule == "R1"  # co-editor
    assert can_view(POLICE_A_READER, draft).rule == "R1"
    assert not can_view(POLICE_A_READER, draft).allowed
    assert not can_view(MALL_READER, draft).allowed  # audience does not see drafts


def test_r2_purged_nobody_withdrawn_stub_outside_originator() -> None:
    item = bulletin()
    assert can_view(MALL_LEAD, item).content
    withdrawn = replace(item, status=Status.WITHDRAWN)
    stub = can_view(MALL_LEAD, withdrawn)
    assert stub.allowed and stub.stub_only and not stub.content and stub.rule == "R2"
    assert can_view(POLICE_A_ANALYST, withdrawn).content
    purged = replace(item, status=Status.PURGED)
    assert can_view(POLICE_A_PUBLISHER, purged).rule == "R2"
    assert not can_view(POLICE_A_PUBLISHER, purged).allowed


def test_r3_originator_org_sees_its_items_other_orgs_do_not() -> None:
    item = bulletin(tlp=TLP.AMBER_STRICT, audience=to_orgs())  # ORG_ONLY
    assert can_view(POLICE_A_READER, item).rule == "R3"
    assert not can_view(POLICE_B_ANALYST, item).allowed


def test_r4_red_named_people_and_author_only_not_org_admin_nor_platform_admin() -> None:
    red = bulletin(tlp=TLP.RED, audience=to_users(MALL_LEAD))
    assert can_view(MALL_LEAD, red).allowed
    assert can_view(POLICE_A_PUBLISHER, red).allowed  # author
    for outsider in [POLICE_A_ANALYST, POLICE_A_ADMIN, MALL_ADMIN, PLATFORM_ADMIN]:
        assert can_view(outsider, red).rule == "R4"


def test_r5_each_audience_form_admits_its_members_only() -> None:
    assert can_view(CHURCH_READER, bulletin(tlp=TLP.GREEN, audience=COMMUNITY)).rule == "R5"
    assert can_view(MALL_LEAD, bulletin(audience=to_groups(MIXED_GROUP))).allowed
    assert not can_view(HOTEL_LEAD, bulletin(audience=to_groups(MIXED_GROUP))).allowed
    assert can_view(MALL_LEAD, bulletin(audience=to_orgs(3, 4))).allowed
    assert can_view(HOTEL_LEAD, bulletin(audience=to_users(HOTEL_LEAD))).allowed
    assert can_view(STADIUM_LEAD, bulletin()).rule == "R5"


def test_r5_group_membership_is_read_at_read_time() -> None:
    item = bulletin(audience=to_groups(MIXED_GROUP))
    assert can_view(MALL_LEAD, item).allowed
    removed = replace(MALL_LEAD, groups=frozenset())
    assert not can_view(removed, item).allowed


def test_r6_le_only_needs_vetted_law_enforcement() -> None:
    item = bulletin(audience=to_orgs(POLICE_B), caveats=frozenset({Caveat.LE_ONLY}))
    assert can_view(POLICE_B_ANALYST, item).allowed
    assert can_view(replace(POLICE_B_ANALYST, le_vetted=False), item).rule == "R6"


def test_r7_child_never_visible_without_its_parent() -> None:
    parent = bulletin()
    note = child(parent, MALL_LEAD)
    assert can_view(MALL_LEAD, note, parent=parent).allowed
    assert can_view(MALL_LEAD, note).rule == "R7"  # parent not supplied: fail closed
    hidden_parent = replace(parent, audience=to_orgs(POLICE_B))
    wide_note = replace(note, tlp=TLP.GREEN, audience=COMMUNITY)
    assert can_view(MALL_LEAD, wide_note, parent=hidden_parent).rule == "R7"


def test_r8_need_to_know_default_for_official_amber_to_private_recipients() -> None:
    item = bulletin()  # police AMBER to Mall X
    assert can_view(MALL_LEAD, item).allowed
    assert can_view(MALL_ADMIN, item).allowed
    assert can_view(MALL_READER, item).rule == "R8"
    assert "security-lead" in DEFAULT_NEED_TO_KNOW
    listed = replace(item, need_to_know=frozenset({"front-desk"}))
    assert can_view(replace(MALL_READER, teams=frozenset({"front-desk"})), listed).allowed
    assert can_view(MALL_LEAD, listed).rule == "R8"
    assert can_view(POLICE_A_READER, listed).allowed  # the originator is exempt


def test_r9_amber_reaches_registered_security_provider_not_amber_strict() -> None:
    assert can_view(SECURECO_LEAD, bulletin()).rule == "R9"
    assert can_view(SECURECO_LEAD, bulletin(tlp=TLP.AMBER_STRICT)).rule == "R5"
    assert not can_view(SECURECO_LEAD, bulletin(audience=to_orgs(POLICE_B))).allowed


def test_r10_platform_admin_and_auditor_are_not_content_readers() -> None:
    own = bulletin(tlp=TLP.GREEN, audience=COMMUNITY)
    assert can_view(CHURCH_READER, own).allowed
    assert can_view(PLATFORM_ADMIN, own).rule == "R10"
    assert can_view(AUDITOR, own).rule == "R10"
    assert can_view(PLATFORM_ADMIN, bulletin(tlp=TLP.CLEAR, audience=PUBLIC)).allowed


def test_r11_sar_goes_to_reporting_org_and_responsible_police_only() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    assert can_view(MALL_REPORTER, sar).allowed
    assert can_view(MALL_LEAD, sar).allowed  # analyst of the reporting org
    assert can_view(MALL_READER, sar).rule == "R11"
    assert can_view(POLICE_A_ANALYST, sar).rule == "R11"
    assert can_view(POLICE_B_ANALYST, sar).rule == "R11"
    assert not can_view(POLICE_B_ANALYST, sar).allowed
    assert not can_view(HOTEL_LEAD, sar).allowed


def test_r11_reporter_identity_for_author_and_receiving_police_only() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    identity = child(
        sar,
        MALL_REPORTER,
        ItemKind.REPORTER_IDENTITY,
        caveats=frozenset({Caveat.PII, Caveat.SOURCE_PROTECTED}),
    )
    assert can_view(MALL_REPORTER, identity, parent=sar).allowed
    assert can_view(POLICE_A_ANALYST, identity, parent=sar).allowed
    assert can_view(MALL_LEAD, identity, parent=sar).rule == "R11"
    assert can_view(MALL_ADMIN, identity, parent=sar).rule == "R11"


def test_r11_vetting_notes_are_le_only_children_the_reporting_org_cannot_read() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    notes = child(sar, POLICE_A_ANALYST, caveats=frozenset({Caveat.LE_ONLY}))
    assert can_view(POLICE_A_ANALYST, notes, parent=sar).allowed
    assert can_view(MALL_LEAD, notes, parent=sar).rule == "R6"


def test_r12_hits_on_hidden_items_follow_hit_disclosure() -> None:
    hidden = bulletin(HOTEL_LEAD, tlp=TLP.AMBER, audience=to_orgs())
    assert disclose_hit(HOTEL_LEAD, hidden).show is HitShow.ITEM
    answer = disclose_hit(POLICE_B_ANALYST, hidden)
    assert (answer.show, answer.notify_owner) == (HitShow.EXISTS, True)
    opened = replace(hidden, hit_disclosure=HitDisclosure.OPEN)
    assert disclose_hit(POLICE_B_ANALYST, opened).show is HitShow.ORIGINATOR_CONTACT
    assert disclose_hit(MALL_LEAD, opened).show is HitShow.EXISTS
    red = replace(hidden, tlp=TLP.RED, audience=to_users(HOTEL_LEAD))
    answer = disclose_hit(POLICE_B_ANALYST, red)
    assert (answer.show, answer.notify_owner) == (HitShow.NOTHING, True)
    le_only = bulletin(
        POLICE_A_ANALYST, audience=to_orgs(POLICE_B), caveats=frozenset({Caveat.LE_ONLY})
    )
    assert disclose_hit(MALL_LEAD, le_only).show is HitShow.NOTHING


def test_r5_named_user_at_amber_skips_need_to_know_but_not_other_rules() -> None:
    item = bulletin(audience=to_users(MALL_READER))
    assert can_view(MALL_READER, item).allowed
    assert can_view(replace(MALL_READER, roles=frozenset({Role.AUDITOR})), item).rule == "R10"
