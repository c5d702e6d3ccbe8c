"""One test per write-time invariant I1–I8 (plus the R11 shape of a report)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from placeguard.core.sharing import (
    Audience,
    Caveat,
    ItemKind,
    Problem,
    SourceRef,
    check_create,
    check_invariants,
    check_update,
)
from placeguard.core.sharing.model import INSTANCE_COMMUNITY, AudienceKind, OrgRecord
from placeguard.core.sharing.tlp import ALLOWED_AUDIENCES
from placeguard.core.vocab import TLP

from .personas import (
    COMMUNITY,
    DIRECTORY,
    MALL_LEAD,
    MALL_REPORTER,
    MALL_X,
    MIXED_GROUP,
    POLICE_A,
    POLICE_A_ANALYST,
    POLICE_A_PUBLISHER,
    POLICE_B,
    POLICE_B_ANALYST,
    PUBLIC,
    REGION_GROUP,
    bulletin,
    child,
    to_groups,
    to_orgs,
    to_users,
)

AUDIENCE_OF = {
    AudienceKind.PUBLIC: PUBLIC,
    AudienceKind.COMMUNITY: COMMUNITY,
    AudienceKind.GROUPS: to_groups(MIXED_GROUP),
    AudienceKind.ORGS: to_orgs(MALL_X),
    AudienceKind.USERS: to_users(MALL_LEAD),
    AudienceKind.ORG_ONLY: Audience(),
}
EXPECTED_VALID = {  # section 8.2 I1, written out by hand
    TLP.CLEAR: {"public", "community", "groups", "orgs", "users", "org_only"},
    TLP.GREEN: {"community", "groups", "orgs", "users", "org_only"},
    TLP.AMBER: {"groups", "orgs", "users", "org_only"},
    TLP.AMBER_STRICT: {"groups", "orgs", "users", "org_only"},
    TLP.RED: {"users"},
}


def rules(problems: list[Problem]) -> set[str]:
    return {p.rule for p in problems}


@pytest.mark.parametrize("level", list(TLP))
@pytest.mark.parametrize("kind", list(AudienceKind))
def test_i1_tlp_audience_matrix_all_30_combinations(level: TLP, kind: AudienceKind) -> None:
    item = bulletin(tlp=level, audience=AUDIENCE_OF[kind])
    problems = check_invariants(item, directory=DIRECTORY)
    assert ("I1" not in rules(problems)) is (kind.value in EXPECTED_VALID[level])
    assert (kind in ALLOWED_AUDIENCES[level]) is (kind.value in EXPECTED_VALID[level])


def test_i1_red_needs_named_recipients() -> None:
    assert rules(check_invariants(bulletin(tlp=TLP.RED, audience=Audience()))) == {"I1"}
    named = bulletin(tlp=TLP.RED, audience=to_users(MALL_LEAD))
    assert check_invariants(named, directory=DIRECTORY) == []


def test_i2_le_only_audience_must_be_law_enforcement() -> None:
    ok = bulletin(POLICE_A_ANALYST, audience=to_orgs(POLICE_B), caveats=frozenset({Caveat.LE_ONLY}))
    assert check_invariants(ok, directory=DIRECTORY) == []
    to_mall = replace(ok, audience=to_orgs(POLICE_B, MALL_X))
    assert rules(check_invariants(to_mall, directory=DIRECTORY)) == {"I2"}
    via_group = replace(ok, audience=to_groups(MIXED_GROUP))
    assert rules(check_invariants(via_group, directory=DIRECTORY)) == {"I2"}
    by_operator = bulletin(
        MALL_LEAD, audience=to_orgs(POLICE_A), caveats=frozenset({Caveat.LE_ONLY})
    )
    assert "I2" in rules(check_invariants(by_operator, directory=DIRECTORY))


def test_i3_child_not_looser_than_parent_and_keeps_caveats() -> None:
    parent = bulletin(tlp=TLP.AMBER_STRICT, caveats=frozenset({Caveat.PII}))
    ok = child(parent, MALL_LEAD)
    assert check_invariants(ok, parent=parent, directory=DIRECTORY) == []
    looser = replace(ok, tlp=TLP.GREEN)
    assert rules(check_invariants(looser, parent=parent, directory=DIRECTORY)) == {"I3"}
    dropped = replace(ok, caveats=frozenset())
    assert rules(check_invariants(dropped, parent=parent, directory=DIRECTORY)) == {"I3"}


def test_i4_derived_product_inherits_max_source_tlp_until_release_approved() -> None:
    source = SourceRef(item_id=1, org_id=MALL_X, tlp=TLP.AMBER_STRICT)
    derived = bulletin(tlp=TLP.AMBER, derived_from=frozenset({source}))
    assert rules(check_invariants(derived, directory=DIRECTORY)) == {"I4"}
    assert check_invariants(replace(derived, tlp=TLP.AMBER_STRICT), directory=DIRECTORY) == []
    released = replace(derived, derived_from=frozenset({replace(source, release_approved=True)}))
    assert check_invariants(released, directory=DIRECTORY) == []


def test_i5_update_by_recipient_cannot_relax_or_widen_originator_can() -> None:
    before = bulletin(tlp=TLP.AMBER)
    relaxed = replace(before, tlp=TLP.GREEN, audience=COMMUNITY)
    assert check_update(POLICE_A_PUBLISHER, before, relaxed, directory=DIRECTORY) == []
    assert "I5" in rules(check_update(MALL_LEAD, before, relaxed, directory=DIRECTORY))
    assert "I5" in rules(check_update(POLICE_A_ANALYST, before, relaxed, directory=DIRECTORY))
    uncaveated = bulletin(POLICE_A_ANALYST, caveats=frozenset({Caveat.PII}))
    removed = replace(uncaveated, caveats=frozenset())
    assert rules(check_update(POLICE_A_ANALYST, uncaveated, removed, directory=DIRECTORY)) == {"I5"}


def test_i6_references_must_exist_be_active_and_groups_include_the_originator() -> None:
    ok = bulletin(audience=to_groups(MIXED_GROUP))
    assert check_invariants(ok, directory=DIRECTORY) == []
    foreign = replace(ok, audience=to_groups(REGION_GROUP))  # Police A not a member
    assert rules(check_invariants(foreign, directory=DIRECTORY)) == {"I6"}
    stale = replace(ok, audience=to_groups(999))
    assert rules(check_invariants(stale, directory=DIRECTORY)) == {"I6"}
    inactive_orgs = {
        **DIRECTORY.orgs,
        MALL_X: OrgRecord(kind=DIRECTORY.orgs[MALL_X].kind, active=False),
    }
    to_inactive = replace(ok, audience=to_orgs(MALL_X))
    assert rules(
        check_invariants(to_inactive, directory=replace(DIRECTORY, orgs=inactive_orgs))
    ) == {"I6"}
    assert rules(check_invariants(ok)) == {"I6"}  # no directory: fail closed
    unknown_user = replace(ok, audience=Audience(users=frozenset({424242})))
    assert rules(check_invariants(unknown_user, directory=DIRECTORY)) == {"I6"}
    assert rules(check_invariants(replace(ok, tlp=TLP.GREEN, audience=Audience(communities=frozenset({"xx"}))),
                                  directory=DIRECTORY)) == {"I6"}  # fmt: skip
    assert check_invariants(replace(ok, tlp=TLP.GREEN, audience=Audience(
        communities=frozenset({INSTANCE_COMMUNITY}))), directory=DIRECTORY) == []  # fmt: skip


def test_i7_immutable_fields_and_child_structure() -> None:
    before = bulletin(POLICE_A_ANALYST)
    for name, value in [("author_id", MALL_LEAD.user_id), ("org_id", MALL_X),
                        ("kind", ItemKind.INCIDENT), ("id", 1), ("parent_id", 5)]:  # fmt: skip
        after = replace(before, **{name: value})  # type: ignore[arg-type]
        assert "I7" in rules(check_update(POLICE_A_ANALYST, before, after, directory=DIRECTORY))
    same = replace(before, need_to_know=frozenset({"x"}))
    assert check_update(POLICE_A_ANALYST, before, same, directory=DIRECTORY) == []
    orphan = replace(child(before, MALL_LEAD), parent_id=None)
    assert "I7" in rules(check_invariants(orphan, directory=DIRECTORY))
    ack_on_comment = child(child(before, MALL_LEAD), MALL_LEAD, ItemKind.ACK)
    comment = child(before, MALL_LEAD)
    ack_on_comment = replace(ack_on_comment, parent_id=comment.id)
    assert "I7" in rules(check_invariants(ack_on_comment, parent=comment, directory=DIRECTORY))
    timeline_on_bulletin = child(before, POLICE_A_ANALYST, ItemKind.TIMELINE_ENTRY)
    assert "I7" in rules(check_invariants(timeline_on_bulletin, parent=before, directory=DIRECTORY))
    wrong_parent = child(before, MALL_LEAD)
    assert "I7" in rules(check_invariants(wrong_parent, parent=bulletin(), directory=DIRECTORY))


def test_i8_originator_is_the_authors_org_unless_sync_bound() -> None:
    item = bulletin(POLICE_A_ANALYST)
    assert check_create(POLICE_A_ANALYST, item, directory=DIRECTORY) == []
    spoofed = rules(check_create(POLICE_B_ANALYST, item, directory=DIRECTORY))
    assert spoofed == {"I8"}
    sync = replace(POLICE_B_ANALYST, sync_for=frozenset({POLICE_A}))
    assert check_create(sync, item, directory=DIRECTORY) == []


def test_r11_sar_audience_is_police_only_and_identity_carries_caveats() -> None:
    sar = bulletin(MALL_REPORTER, kind=ItemKind.SAR, audience=to_orgs(POLICE_A))
    assert check_invariants(sar, directory=DIRECTORY) == []
    assert "R11" in rules(check_invariants(replace(sar, audience=to_orgs(POLICE_A, 5)),
                                           directory=DIRECTORY))  # fmt: skip
    assert "R11" in rules(check_invariants(replace(sar, audience=to_groups(MIXED_GROUP)),
                                           directory=DIRECTORY))  # fmt: skip
    identity = child(sar, MALL_REPORTER, ItemKind.REPORTER_IDENTITY)
    assert "R11" in rules(check_invariants(identity, parent=sar, directory=DIRECTORY))
    protected = replace(identity, caveats=frozenset({Caveat.PII, Caveat.SOURCE_PROTECTED}))
    assert check_invariants(protected, parent=sar, directory=DIRECTORY) == []
