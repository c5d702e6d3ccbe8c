"""The audience and author fields every shareable kind's API shows (``api/shared_fields.py``).

``load_audiences`` reads a page's audience rows as plain ids; it is checked against the naive
per-record read through the related managers, for its fixed number of queries, and for leaving
no model instance in a reference cycle (the list endpoint's p95 depended on it). Authors and
named users of another organisation stay unnamed for incidents and practices as for bulletins
(catalogue 54).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placeguard.web.incidents.models import Incident
from placeguard.web.practices import services as practices
from placeguard.web.practices.models import Practice
from placeguard.web.sharing import services
from placeguard.web.sharing.audiences import AudienceIds, audience_ids, load_audiences
from placeguard.web.sharing.models import Bulletin, BulletinOrg
from placeguard.web.sharing.shareable import SharedItem
from tests.conftest import World
from tests.web.helpers import token_client
from tests.web.incidents.conftest import shared_incident
from tests.web.practices.conftest import build_practice_world, practice_raw
from tests.web.sharing.conftest import bulletin_raw

EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


@pytest.fixture
def pworld(db: None) -> World:
    """The sharing world with the programme's publisher (practices)."""
    return build_practice_world()


def _naive(record: SharedItem) -> AudienceIds:
    """The audience read row by row through the related managers (the reference)."""
    rows: Any = type(record).objects.get(pk=record.pk)
    orgs = [(r.org_id, r.via_rule) for r in rows.org_rows.all()]
    return AudienceIds(
        groups=tuple(sorted(r.group_id for r in rows.group_rows.all())),
        orgs=tuple(sorted(o for o, rule in orgs if not rule)),
        rule_orgs=tuple(sorted(o for o, rule in orgs if rule)),
        users=tuple(sorted(r.user_id for r in rows.user_rows.all())),
        need_to_know=tuple(sorted(r.token for r in rows.ntk_rows.all())),
    )


def _bulletins(w: World) -> list[Bulletin]:
    police = w.users["police_n"]
    group = w.groups["north"]  # type: ignore[attr-defined]
    raws = [
        bulletin_raw(),  # no audience rows at all
        bulletin_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=["ANALYST", "READER"]),
        bulletin_raw(groups=[group.pk], orgs=[w.orgs["hotel-co"].pk, w.orgs["mall-co"].pk]),
        bulletin_raw(tlp="red", users=[w.users["mall_admin"].pk, w.users["police_n_reader"].pk]),
    ]
    made = [services.create_bulletin(raw, actor=police) for raw in raws]
    # A rule-resolved recipient beside a named one (written as publishing's rule resolution does).
    BulletinOrg.objects.create(bulletin=made[2], org=w.orgs["police-south"], via_rule=True)
    return made


def test_load_audiences_matches_the_naive_read_in_four_queries(sworld: World) -> None:
    made = _bulletins(sworld)
    fresh = list(Bulletin.objects.filter(pk__in=[b.pk for b in made]).order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        load_audiences(fresh)
        got = [audience_ids(b) for b in fresh]  # attached: no further query
    assert len(queries.captured_queries) == 4
    assert got == [_naive(b) for b in made]
    assert got[0] == AudienceIds()
    assert got[2].rule_orgs == (sworld.orgs["police-south"].pk,)
    assert got[2].orgs == tuple(sorted([sworld.orgs["hotel-co"].pk, sworld.orgs["mall-co"].pk]))
    assert got[1].need_to_know == ("ANALYST", "READER")


def test_audience_ids_reads_a_single_record_when_nothing_is_attached(sworld: World) -> None:
    made = _bulletins(sworld)
    record, expected = Bulletin.objects.get(pk=made[3].pk), _naive(made[3])
    with CaptureQueriesContext(connection) as queries:
        assert audience_ids(record) == expected
        assert audience_ids(record) == expected  # attached by the first call
    assert len(queries.captured_queries) == 4


def test_load_audiences_of_unsaved_records_is_empty(sworld: World) -> None:
    unsaved = [Bulletin(title="x"), Bulletin(title="y")]
    with CaptureQueriesContext(connection) as queries:
        load_audiences(unsaved)
    assert not queries.captured_queries
    assert [audience_ids(b) for b in unsaved] == [AudienceIds(), AudienceIds()]


def test_incident_and_practice_audiences_match_the_naive_read(pworld: World) -> None:
    incidents = [
        shared_incident(pworld),
        shared_incident(pworld, groups=[pworld.groups["north"].pk]),  # type: ignore[attr-defined]
    ]
    pub = pworld.users["prog_pub"]
    practice = practices.create_practice(
        practice_raw(orgs=[pworld.orgs["mall-co"].pk], need_to_know=EVERYONE), actor=pub
    )
    fresh_incidents = list(Incident.objects.filter(pk__in=[i.pk for i in incidents]))
    load_audiences(fresh_incidents)
    assert {i.pk: audience_ids(i) for i in fresh_incidents} == {i.pk: _naive(i) for i in incidents}
    fresh_practice = Practice.objects.get(pk=practice.pk)
    assert audience_ids(fresh_practice) == _naive(practice)
    assert audience_ids(fresh_practice).need_to_know == tuple(sorted(EVERYONE))


# ---------------------------------------------------------------- the list leaves no cycles


@pytest.fixture
def saved_garbage() -> Iterator[list[Any]]:
    """Objects that only Python's cycle collector would free, found while the test runs."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("/api/v1/bulletins/", Bulletin),
        ("/api/v1/incidents/", Incident),
        ("/api/v1/practices/", Practice),
    ],
)
def test_list_leaves_no_record_in_a_reference_cycle(
    pworld: World, saved_garbage: list[Any], url: str, model: type[SharedItem]
) -> None:
    _bulletins(pworld)
    for b in Bulletin.objects.all():
        services.publish_bulletin(b, actor=pworld.users["police_n"])
    shared_incident(pworld)
    pub = pworld.users["prog_pub"]
    practices.publish_practice(
        practices.create_practice(practice_raw(orgs=[pworld.orgs["mall-co"].pk]), actor=pub),
        actor=pub,
    )
    client = token_client(pworld.users["mall_admin"])
    gc.collect()
    saved_garbage.clear()
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["results"], url  # something was listed
    del response
    gc.collect()
    cyclic = [o for o in saved_garbage if isinstance(o, model)]
    assert not cyclic, f"{len(cyclic)} {model.__name__} rows left to the cycle collector"


# ---------------------------------------------------------------- 54: people stay unnamed


def test_incident_author_and_named_users_are_shown_only_inside_the_originating_org(
    pworld: World,
) -> None:
    incident = shared_incident(
        pworld, tlp="red", orgs=[], users=[pworld.users["mall_admin"].pk,
                                           pworld.users["police_n_reader"].pk],
    )  # fmt: skip
    named = sorted([pworld.users["mall_admin"].pk, pworld.users["police_n_reader"].pk])
    inside = token_client(pworld.users["police_n_reader"])
    for data in (
        inside.get(f"/api/v1/incidents/{incident.pk}/").json(),
        inside.get("/api/v1/incidents/").json()["results"][0],
    ):
        assert (data["author"], data["users"]) == ("police_n", named)
    outside = token_client(pworld.users["mall_admin"])
    for data in (
        outside.get(f"/api/v1/incidents/{incident.pk}/").json(),
        outside.get("/api/v1/incidents/").json()["results"][0],
    ):
        assert data["title"] == incident.title  # the content is theirs to read
        assert (data["author"], data["users"]) == (None, [pworld.users["mall_admin"].pk])


def test_practice_author_is_shown_only_inside_the_originating_org(pworld: World) -> None:
    pub = pworld.users["prog_pub"]
    practice = practices.publish_practice(
        practices.create_practice(practice_raw(orgs=[pworld.orgs["mall-co"].pk]), actor=pub),
        actor=pub,
    )
    assert token_client(pub).get(f"/api/v1/practices/{practice.pk}/").json()["author"] == (
        "prog_pub"
    )
    outside = token_client(pworld.users["mall_admin"])
    detail = outside.get(f"/api/v1/practices/{practice.pk}/")
    assert detail.status_code == 200 and detail.json()["author"] is None
    assert "prog_pub" not in detail.content.decode()
    assert [r["author"] for r in outside.get("/api/v1/practices/").json()["results"]] == [None]
