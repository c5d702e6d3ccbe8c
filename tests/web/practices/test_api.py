"""/api/v1/practices/: list with search, detail, create, edit, publish, withdraw, curate and
facets; refusals are problem+json (422 for strict input) beside the allowed case."""

from __future__ import annotations

from typing import Any

from placeguard.web.practices import services
from placeguard.web.practices.models import Practice
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.practices.conftest import practice_raw

URL = "/api/v1/practices/"


def _published(w: World, **overrides: Any) -> Practice:
    police = w.users["police_n"]
    overrides.setdefault("orgs", [w.orgs["mall-co"].pk])
    p = services.create_practice(practice_raw(**overrides), actor=police)
    return services.publish_practice(p, actor=police)


def test_create_publish_read_and_search(pworld: World) -> None:
    police = token_client(pworld.users["police_n"])
    created = police.post(URL, practice_raw(orgs=[pworld.orgs["mall-co"].pk]), format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["measures"] == [
        "QUEUE_PROTECTION"
    ]
    mall = token_client(pworld.users["mall_admin"])
    assert_problem(mall.get(f"{URL}{pk}/"), 404)  # a draft is the author's
    published = police.post(f"{URL}{pk}/publish/", {}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert mall.get(f"{URL}{pk}/").json()["title"] == "Protect the queue"
    assert [r["id"] for r in mall.get(URL, {"site_type": "retail"}).json()["results"]] == [pk]
    assert mall.get(URL, {"site_type": "venue"}).json()["count"] == 0
    assert mall.get(URL, {"q": "queue", "kind": "practice"}).json()["count"] == 1
    assert mall.get(URL, {"kind": "lesson"}).json()["count"] == 0
    assert_problem(token_client(pworld.users["hotel_admin"]).get(f"{URL}{pk}/"), 404)


def test_strict_input_is_422_with_every_problem(pworld: World) -> None:
    police = token_client(pworld.users["police_n"])
    bad = police.post(URL, practice_raw(tlp="red", orgs=[pworld.orgs["mall-co"].pk]),
                      format="json")  # fmt: skip
    assert assert_problem(bad, 422)["errors"]
    body = assert_problem(police.post(URL, practice_raw(measures=["LASERS"], colour=1,
                                                        curated=True), format="json"), 422)  # fmt: skip
    assert {e["field"] for e in body["errors"]} == {"curated", "measures", "colour"}
    body = assert_problem(police.post(URL, practice_raw(measures=["LASERS"], colour=1),
                                      format="json"), 422)  # fmt: skip
    assert {e["code"] for e in body["errors"]} == {"unknown_value", "unknown_field"}
    assert not Practice.objects.exists()
    p = _published(pworld)
    patched = police.patch(f"{URL}{p.pk}/", {"scenarios": ["arson"]}, format="json")
    assert patched.status_code == 200 and patched.json()["scenarios"] == ["arson"]
    assert_problem(
        police.patch(f"{URL}{p.pk}/", {"org": pworld.orgs["mall-co"].pk}, format="json"), 422
    )
    assert_problem(token_client(pworld.users["mall_admin"]).patch(
        f"{URL}{p.pk}/", {"title": "x"}, format="json"), 403)  # fmt: skip


def test_withdraw_and_curate(pworld: World) -> None:
    p = _published(pworld, orgs=[pworld.orgs["mall-co"].pk, pworld.orgs["programme"].pk])
    prog = token_client(pworld.users["prog_pub"])
    assert_problem(token_client(pworld.users["programme"]).post(
        f"{URL}{p.pk}/curate/", {"curated": True}, format="json"), 403)  # fmt: skip
    assert_problem(prog.post(f"{URL}{p.pk}/curate/", {"curated": "yes"}, format="json"), 400)
    ok = prog.post(f"{URL}{p.pk}/curate/", {"curated": True}, format="json")
    assert ok.status_code == 200 and ok.json()["curated"] is True
    police = token_client(pworld.users["police_n"])
    assert_problem(police.post(f"{URL}{p.pk}/withdraw/", {"why": "x"}, format="json"), 422)
    done = police.post(f"{URL}{p.pk}/withdraw/", {"reason": "Old."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    stub = token_client(pworld.users["mall_admin"]).get(f"{URL}{p.pk}/").json()
    assert stub["is_stub"] and "title" not in stub


def test_facets_count_only_visible_practices(pworld: World) -> None:
    _published(pworld)
    _published(pworld, measures=["DECONTAMINATION_CAPABILITY"], orgs=[pworld.orgs["hotel-co"].pk])
    mall = token_client(pworld.users["mall_admin"]).get(f"{URL}facets/").json()
    hotel = token_client(pworld.users["hotel_admin"]).get(f"{URL}facets/").json()
    assert mall["total"] == 1 and "DECONTAMINATION_CAPABILITY" not in mall["measure"]
    assert hotel["total"] == 1 and hotel["measure"] == {"DECONTAMINATION_CAPABILITY": 1}
    narrowed = token_client(pworld.users["police_n"]).get(f"{URL}facets/", {"site_type": "retail"})
    assert narrowed.json()["total"] == 2 and narrowed.json()["kind"] == {"practice": 2}


def test_list_has_a_query_budget(pworld: World, django_assert_max_num_queries: Any) -> None:
    for i in range(15):
        _published(pworld, title=f"P{i}")
    client = token_client(pworld.users["mall_admin"])
    # Constant in the number of rows: auth, the reader's principal, count, page, 4 prefetches.
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"page_size": 200})
    assert response.status_code == 200 and response.json()["count"] == 15
