"""§9.0 oracle harness: every persona × every tlp × audience × caveat × status × kind.

Deterministic and exhaustive over the persona world, complementing the random search in
test_properties.py (which covers principals and items no persona spells out).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from placeguard.core.sharing import Audience, Caveat, ItemKind, Status, can_view
from placeguard.core.vocab import TLP, Role

from . import personas as p
from .test_properties import oracle

PRINCIPALS = [
    None,
    p.POLICE_A_ANALYST, p.POLICE_A_PUBLISHER, p.POLICE_A_ADMIN, p.POLICE_A_READER,
    p.POLICE_B_ANALYST, replace(p.POLICE_B_ANALYST, le_vetted=False), p.CITY_ANALYST,
    p.MALL_LEAD, p.MALL_READER, p.MALL_REPORTER, p.MALL_ADMIN, replace(p.MALL_LEAD, groups=frozenset()),
    replace(p.MALL_LEAD, mfa=False), replace(p.MALL_LEAD, org_vetted=False),
    replace(p.MALL_LEAD, active=False), p.HOTEL_LEAD, p.STADIUM_LEAD, p.SECURECO_LEAD,
    p.CHURCH_READER, p.PLATFORM_ADMIN, p.AUDITOR, p.person(p.SECURECO, Role.READER),
]  # fmt: skip
AUDIENCES = [
    p.PUBLIC, p.COMMUNITY, p.to_groups(p.MIXED_GROUP), p.to_groups(p.REGION_GROUP),
    p.to_orgs(p.MALL_X), p.to_orgs(p.POLICE_A), p.to_orgs(p.POLICE_B, p.SECURECO),
    Audience(rule_orgs=frozenset({p.HOTEL_Y})), p.to_users(p.MALL_READER),
    p.to_users(p.POLICE_B_ANALYST), p.to_orgs(p.CHURCH_W), Audience(),
]  # fmt: skip
CAVEATS = [frozenset(), frozenset({Caveat.LE_ONLY}), frozenset({Caveat.SOURCE_PROTECTED})]
AUTHORS = [p.POLICE_A_PUBLISHER, p.MALL_REPORTER]
KINDS = [ItemKind.BULLETIN, ItemKind.SAR, ItemKind.INCIDENT]
STATUSES = [Status.DRAFT, Status.PUBLISHED, Status.WITHDRAWN, Status.PURGED]


def test_every_persona_sees_exactly_what_the_oracle_says() -> None:
    mismatches = []
    checked = 0
    for author, kind, level, audience, caveats, status in itertools.product(
        AUTHORS, KINDS, TLP, AUDIENCES, CAVEATS, STATUSES
    ):
        item = p.bulletin(author, kind=kind, tlp=level, audience=audience, caveats=caveats,
                          status=status)  # fmt: skip
        for who in PRINCIPALS:
            decision = can_view(who, item)
            checked += 1
            if (decision.allowed, decision.stub_only) != oracle(who, item, None):
                mismatches.append((who, item, decision))
    assert checked > 40_000
    assert mismatches == []


def test_children_of_every_parent_follow_the_oracle() -> None:
    mismatches = []
    for level, audience, status in itertools.product(TLP, AUDIENCES, STATUSES):
        parent = p.bulletin(tlp=level, audience=audience, status=status)
        for child_audience in [p.COMMUNITY, p.to_orgs(p.POLICE_A, p.MALL_X), p.PUBLIC]:
            note = p.child(parent, p.MALL_LEAD, audience=child_audience, tlp=TLP.CLEAR)
            for who in PRINCIPALS:
                decision = can_view(who, note, parent=parent)
                if (decision.allowed, decision.stub_only) != oracle(who, note, parent):
                    mismatches.append((who, note, decision))
                if decision.allowed:
                    assert can_view(who, parent).content
    assert mismatches == []
