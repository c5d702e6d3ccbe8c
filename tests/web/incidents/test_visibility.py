"""Who sees incidents and their children: the queryset == ``policy.can_view`` for every persona.

Incidents are written directly (not through the services) over a product of author × TLP ×
audience × status × caveat, so combinations the invariants would refuse are covered too: the
queryset must still agree with the pure policy (fail closed). Children follow their parent.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

from placeguard.core.sharing.model import ItemKind
from placeguard.core.sharing.policy import can_view
from placeguard.web.incidents import queries
from placeguard.web.incidents.models import (
    CustodyEntry,
    Evidence,
    Incident,
    IncidentGroup,
    IncidentNeedToKnow,
    IncidentOrg,
    IncidentUser,
    LessonLearned,
    Task,
    TimelineEntry,
)
from placeguard.web.sharing import principals
from placeguard.web.sharing.choices import TLP_RANK
from tests.conftest import World

pytestmark = pytest.mark.django_db

PERSONAS = [
    "police_n", "police_n_reader", "police_s", "police_s_reader", "rogue_police", "ministry",
    "mall_admin", "mall_reader", "hotel_admin", "hotel_reader", "programme", "platform_admin",
    "guard_pub", "guard_reader", "faith_reader", "auditor",
]  # fmt: skip
AUTHORS = ["police_n", "ministry", "mall_admin"]
TLPS = ["clear", "green", "amber", "amber+strict", "red"]
AUDIENCES = ["org_only", "mall", "north_group", "community", "public", "named"]
STATUSES = ["draft", "published", "withdrawn"]
CAVEATS: list[dict[str, Any]] = [
    {},
    {"le_only": True},
    {"source_protected": True},
    {"ntk": ["security-lead"]},
]


def _make(w: World, author: str, tlp: str, audience: str, status: str, *,
          caveat: dict[str, Any]
          ) -> Incident:  # fmt: skip
    user = w.users[author]
    org = user.organisation
    incident = Incident.objects.create(
        author=user, org=org, org_kind=org.kind, title=f"{author}/{tlp}/{audience}/{status}",
        tlp=tlp, tlp_rank=TLP_RANK[tlp], status=status,
        audience_public=audience == "public", audience_community=audience == "community",
        le_only=bool(caveat.get("le_only")), source_protected=bool(caveat.get("source_protected")),
        has_need_to_know="ntk" in caveat,
        withdrawn_at=timezone.now() if status == "withdrawn" else None,
    )  # fmt: skip
    if audience == "mall":
        IncidentOrg.objects.create(incident=incident, org=w.orgs["mall-co"])
    if audience == "north_group":
        IncidentGroup.objects.create(incident=incident, group=w.groups["north"])  # type: ignore[attr-defined]
    if audience == "named":
        IncidentUser.objects.create(incident=incident, user=w.users["mall_reader"])
    for token in caveat.get("ntk", []):
        IncidentNeedToKnow.objects.create(incident=incident, token=token)
    return incident


def test_queryset_matches_the_policy_for_every_persona(iworld: World) -> None:
    w = iworld
    combos = list(itertools.product(AUTHORS, TLPS, AUDIENCES, STATUSES))
    incidents = [
        _make(w, *combo, caveat=CAVEATS[n % len(CAVEATS)]) for n, combo in enumerate(combos)
    ]
    items = {i.pk: principals.shared_item(i, kind=ItemKind.INCIDENT) for i in incidents}
    seen_any = 0
    for name in PERSONAS:
        user = w.users[name]
        principal = principals.principal_for(user)
        visible: Any = queries.incidents_visible_to(user)
        rows = dict(visible.values_list("pk", "is_stub"))
        for pk, item in items.items():
            decision = can_view(principal, item)
            assert (pk in rows) == decision.allowed, (name, item)
            if pk in rows:
                assert rows[pk] == (not decision.content), (name, item)
        seen_any += len(rows)
    assert seen_any > 0  # the loop is not vacuous
    # Anonymous callers: public CLEAR live incidents only.
    anonymous = set(queries.incidents_visible_to(None).values_list("pk", flat=True))
    for pk, item in items.items():
        assert (pk in anonymous) == can_view(None, item).allowed


def test_children_are_never_visible_without_their_parent(iworld: World) -> None:
    w = iworld
    author = w.users["police_n"]
    visible = _make(w, "police_n", "amber", "mall", "published", caveat={})
    red = _make(w, "police_n", "red", "named", "published", caveat={})  # mall_reader only
    withdrawn = _make(w, "police_n", "amber", "mall", "withdrawn", caveat={})
    for incident in (visible, red, withdrawn):
        TimelineEntry.objects.create(incident=incident, occurred_at=timezone.now(), text="t",
                                     author=author)  # fmt: skip
        Task.objects.create(incident=incident, title="t", author=author)
        LessonLearned.objects.create(incident=incident, text="l", author=author)
        ev = Evidence.objects.create(
            incident=incident, original_name="a.pdf", storage_name=f"{incident.pk:032x}.bin",
            content_type="application/pdf", size=1, sha256="0" * 64, uploaded_by=author,
        )  # fmt: skip
        CustodyEntry.objects.create(evidence=ev, incident=incident, action="uploaded",
                                    actor=author, actor_org=author.organisation)  # fmt: skip
    readers = {
        queries.timeline_visible_to: TimelineEntry,
        queries.tasks_visible_to: Task,
        queries.evidence_visible_to: Evidence,
        queries.custody_visible_to: CustodyEntry,
        queries.lessons_visible_to: LessonLearned,
    }
    for name in PERSONAS:
        user = w.users[name]
        shown: Any = queries.incidents_visible_to(user)
        parents = {
            pk for pk, stub in shown.values_list("pk", "is_stub")
            if not stub
        }  # fmt: skip
        for reader, model in readers.items():
            got = set(reader(user).values_list("incident_id", flat=True))
            assert got == parents & {visible.pk, red.pk, withdrawn.pk}, (name, model)
    # Spot checks: Mall Co's admin sees the AMBER one but not the RED one (not named) nor the
    # withdrawn one (a stub); the named reader sees the RED one; the author sees all three.
    assert set(queries.evidence_visible_to(w.users["mall_admin"]).values_list(
        "incident_id", flat=True)) == {visible.pk}  # fmt: skip
    assert red.pk in set(queries.tasks_visible_to(w.users["mall_reader"]).values_list(
        "incident_id", flat=True))  # fmt: skip
    assert queries.custody_visible_to(author).count() == 3
    assert queries.timeline_visible_to(w.users["hotel_admin"]).count() == 0
