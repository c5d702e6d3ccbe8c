"""Who sees which practice: ``practices_visible_to`` == ``policy.can_view`` for every persona,
and search, facet counts and the CSV export never reveal a hidden practice."""

from __future__ import annotations

import csv
import io
import itertools

from django.test import Client

from placeguard.core.sharing.model import ItemKind
from placeguard.core.sharing.policy import can_view
from placeguard.web.orgs.models import User
from placeguard.web.practices import queries, services
from placeguard.web.practices.models import (
    Practice,
    PracticeGroup,
    PracticeNeedToKnow,
    PracticeOrg,
    PracticeUser,
)
from placeguard.web.practices.tags import tag_index
from placeguard.web.sharing import principals
from placeguard.web.sharing.choices import TLP_RANK
from tests.conftest import PASSWORD, World
from tests.web.practices.conftest import practice_raw

PERSONAS = [
    "police_n", "police_n_reader", "police_s", "police_s_reader", "rogue_police", "ministry",
    "mall_admin", "mall_reader", "hotel_admin", "hotel_reader", "programme", "prog_pub",
    "platform_admin", "guard_pub", "guard_reader", "faith_reader", "auditor",
]  # fmt: skip
AUTHORS = ["police_n", "ministry", "mall_admin", "programme"]
AUDIENCES = ["public", "community", "org:mall-co", "org:programme", "group:north", "user",
             "ntk"]  # fmt: skip
TLPS = ["clear", "green", "amber", "amber+strict", "red"]
STATUSES = ["draft", "published", "withdrawn", "purged"]


def _generate(w: World) -> list[Practice]:
    """Rows written directly (not through the services): mislabelled ones must fail closed."""
    rows = []
    combos = itertools.product(AUTHORS, TLPS, AUDIENCES)
    for i, (author_name, tlp, audience) in enumerate(combos):
        author: User = w.users[author_name]
        org = author.organisation
        assert org is not None
        p = Practice.objects.create(
            author=author, org=org, org_kind=org.kind, title=f"P{i}", tlp=tlp,
            tlp_rank=TLP_RANK[tlp], status=STATUSES[i % len(STATUSES)],
            audience_public=audience == "public", audience_community=audience == "community",
            le_only=i % 11 == 0, source_protected=i % 13 == 0,
            has_need_to_know=audience == "ntk", tag_index=tag_index({"site_type": ["retail"]}),
            site_types=["retail"],
        )  # fmt: skip
        if audience.startswith("org:"):
            PracticeOrg.objects.create(practice=p, org=w.orgs[audience[4:]])
        elif audience == "group:north":
            PracticeGroup.objects.create(practice=p, group=w.groups["north"])  # type: ignore[attr-defined]
        elif audience == "user":
            PracticeUser.objects.create(practice=p, user=w.users["mall_reader"])
        elif audience == "ntk":
            PracticeOrg.objects.create(practice=p, org=w.orgs["hotel-co"])
            PracticeNeedToKnow.objects.create(practice=p, token="READER")
        rows.append(p)
    return rows


def test_visible_to_equals_can_view_for_every_persona(pworld: World) -> None:
    rows = _generate(pworld)
    items = {p.pk: principals.shared_item(p, kind=ItemKind.PRACTICE) for p in rows}
    for name in PERSONAS:
        user = User.objects.select_related("organisation").get(username=name)
        principal = principals.principal_for(user)
        assert principal is not None
        seen = {p.pk: p.is_stub for p in queries.practices_visible_to(user)}
        for pk, item in items.items():
            decision = can_view(principal, item)
            expected = decision.allowed
            assert (pk in seen) == expected, (name, pk, decision)
            if expected:
                assert seen[pk] == decision.stub_only, (name, pk)
    anonymous = {p.pk for p in queries.practices_visible_to(None)}
    expected_public = {p.pk for p in rows if p.audience_public and p.tlp == "clear"
                       and p.status in {"published"} and not p.le_only
                       and not p.source_protected}  # fmt: skip
    assert anonymous == expected_public and anonymous


def _hidden_and_visible(w: World) -> tuple[Practice, Practice]:
    police = w.users["police_n"]
    hidden = services.create_practice(
        practice_raw(title="Secret hotel drill", measures=["DECONTAMINATION_CAPABILITY"],
                     scenarios=["cbrn"], orgs=[w.orgs["hotel-co"].pk]), actor=police)  # fmt: skip
    shown = services.create_practice(
        practice_raw(title="Mall drill", orgs=[w.orgs["mall-co"].pk, w.orgs["hotel-co"].pk]),
        actor=police,
    )
    for p in (hidden, shown):
        services.publish_practice(p, actor=police)
    return hidden, shown


def test_search_and_facets_never_reveal_hidden_practices(pworld: World) -> None:
    hidden, shown = _hidden_and_visible(pworld)
    outsider, insider = pworld.users["mall_admin"], pworld.users["hotel_admin"]
    out = queries.facet_counts(outsider)
    inside = queries.facet_counts(insider)
    assert "DECONTAMINATION_CAPABILITY" not in out["measure"] and "cbrn" not in out["scenario"]
    assert inside["measure"]["DECONTAMINATION_CAPABILITY"] == 1 and inside["scenario"]["cbrn"] == 1
    assert out["site_type"]["retail"] == 1 and inside["site_type"]["retail"] == 2
    for kwargs in ({"q": "drill"}, {"measure": "DECONTAMINATION_CAPABILITY"},
                   {"scenario": "cbrn"}, {"site_type": "retail"}, {"q": "Secret"}):  # fmt: skip
        found_out = set(queries.search_practices(outsider, **kwargs).values_list("pk", flat=True))
        found_in = set(queries.search_practices(insider, **kwargs).values_list("pk", flat=True))
        assert hidden.pk not in found_out
        assert hidden.pk in found_in
    assert set(queries.search_practices(outsider, q="drill").values_list("pk", flat=True)) == {
        shown.pk
    }
    # Tag filters combine; an unknown value matches nothing instead of everything.
    assert not queries.search_practices(insider, measure="NOPE").exists()
    assert not queries.search_practices(insider, scenario="cbrn", kind="lesson").exists()
    assert queries.search_practices(insider, scenario="cbrn", kind="practice").count() == 1
    # Facets follow the search: counting a filtered result.
    narrowed = queries.facet_counts(insider, queries.SearchParams(scenario="cbrn"))
    assert narrowed["site_type"] == {"retail": 1}


def test_withdrawn_stub_is_listed_but_never_searched(pworld: World) -> None:
    hidden, shown = _hidden_and_visible(pworld)
    services.withdraw_practice(shown, reason="Old.", actor=pworld.users["police_n"])
    mall = pworld.users["mall_admin"]
    listed = {p.pk: p.is_stub for p in queries.search_practices(mall)}
    assert listed == {shown.pk: True}
    assert not queries.search_practices(mall, q="drill").exists()
    assert queries.facet_counts(mall)["site_type"] == {}
    police = pworld.users["police_n"]  # the originator still reads and finds it
    assert shown.pk in set(queries.search_practices(police, q="drill").values_list("pk", flat=True))
    del hidden


def test_csv_export_neutralises_formulas_and_holds_only_visible_rows(pworld: World) -> None:
    police = pworld.users["police_n"]
    hidden, _shown = _hidden_and_visible(pworld)
    evil = services.create_practice(
        practice_raw(title="=cmd()", source="+SUM(A1)", orgs=[pworld.orgs["mall-co"].pk]),
        actor=police,
    )
    services.publish_practice(evil, actor=police)
    client = Client()
    assert client.login(username="mall_admin", password=PASSWORD)
    response = client.get("/practices/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    ids = {int(r["id"]) for r in rows}
    assert hidden.pk not in ids and evil.pk in ids and len(ids) == 2
    row = next(r for r in rows if int(r["id"]) == evil.pk)
    assert row["title"] == "'=cmd()" and row["source"] == "'+SUM(A1)"
    filtered = client.get("/practices/export.csv", {"q": "cmd"})
    body = b"".join(filtered.streaming_content).decode()
    assert "'=cmd()" in body and "Mall drill" not in body
    insider = Client()
    assert insider.login(username="hotel_admin", password=PASSWORD)
    assert (
        "Secret hotel drill"
        in b"".join(insider.get("/practices/export.csv").streaming_content).decode()
    )
