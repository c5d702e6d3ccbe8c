"""Site API: permission matrix, scoping, validation as problem+json, query budget."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sites.models import Site
from tests.conftest import World, site_raw
from tests.web.helpers import assert_problem, token_client

LIST = "/api/v1/sites/"


def detail(site: Site) -> str:
    return f"/api/v1/sites/{site.pk}/"


# ------------------------------------------------------------------ permission matrix
# (endpoint, method, persona, expected status) — for every endpoint: anonymous 401,
# outsider 404, insufficient role 403, permitted 2xx.
MATRIX = [
    ("list", "get", None, 401),
    ("list", "get", "mall_reader", 200),
    ("detail", "get", None, 401),
    ("detail", "get", "hotel_admin", 404),
    ("detail", "get", "platform_admin", 404),
    ("detail", "get", "mall_reader", 200),
    ("detail", "get", "police_n", 200),
    ("create", "post", None, 401),
    ("create", "post", "mall_reader", 403),
    ("create", "post", "programme", 403),
    ("create", "post", "mall_admin", 201),
    ("update", "patch", None, 401),
    ("update", "patch", "hotel_admin", 404),
    ("update", "patch", "police_s", 404),
    ("update", "patch", "mall_reader", 403),
    ("update", "patch", "police_n_reader", 403),
    ("update", "patch", "mall_admin", 200),
    ("update", "patch", "police_n", 200),
    ("archive", "post", None, 401),
    ("archive", "post", "hotel_admin", 404),
    ("archive", "post", "mall_reader", 403),
    ("archive", "post", "mall_admin", 200),
]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(
    world: World, endpoint: str, method: str, persona: str | None, status: int
) -> None:
    client = token_client(world.users[persona] if persona else None)
    site = world.sites["mall_north"]
    url = {"list": LIST, "create": LIST, "detail": detail(site), "update": detail(site),
           "archive": detail(site) + "archive/"}[endpoint]  # fmt: skip
    body: dict[str, Any] = {
        "create": site_raw(name="New Mall"),
        "update": {"capacity": 1500},
        "archive": {"archived": True},
    }.get(endpoint, {})
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert_problem(response, status)


def test_anonymous_list_says_how_to_authenticate(world: World) -> None:
    response = token_client(None).get(LIST)
    body = assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert "sites" not in str(body)


def test_outsider_404_is_indistinguishable_from_a_missing_site(world: World) -> None:
    client = token_client(world.users["hotel_admin"])
    hidden = client.get(detail(world.sites["mall_north"]))
    missing = client.get("/api/v1/sites/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


# ------------------------------------------------------------------ scoping
def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_police_list_is_its_jurisdiction(world: World) -> None:
    assert names(token_client(world.users["police_n"]).get(LIST)) == {"North Mall", "North Hotel"}
    assert names(token_client(world.users["police_s"]).get(LIST)) == {"South Mall", "South Hotel"}


def test_operator_list_is_its_own_sites(world: World) -> None:
    assert names(token_client(world.users["mall_reader"]).get(LIST)) == {"North Mall", "South Mall"}


def test_filters_by_type_region_and_text(world: World) -> None:
    client = token_client(world.users["ministry"])
    assert names(client.get(LIST, {"site_type": "hospitality"})) == {"North Hotel", "South Hotel"}
    assert names(client.get(LIST, {"region": "south-a"})) == {"South Mall", "South Hotel"}
    assert names(client.get(LIST, {"region": "south-a", "site_type": "retail"})) == {"South Mall"}
    assert names(client.get(LIST, {"q": "north"})) == {"North Mall", "North Hotel"}
    assert names(client.get(LIST, {"tag": "crowded-place", "operator": "hotel-co"})) == {
        "North Hotel",
        "South Hotel",
    }


def test_filters_never_widen_visibility(world: World) -> None:
    client = token_client(world.users["mall_reader"])
    assert names(client.get(LIST, {"operator": "hotel-co"})) == set()


def test_bad_filter_value_is_a_400_problem(world: World) -> None:
    response = token_client(world.users["ministry"]).get(LIST, {"site_type": "castle"})
    body = assert_problem(response, 400, "validation_error")
    assert body["errors"][0]["field"] == "site_type"


def test_pagination(world: World) -> None:
    page = token_client(world.users["ministry"]).get(LIST, {"page_size": 3}).json()
    assert page["count"] == 4
    assert len(page["results"]) == 3
    assert page["next"]


# ------------------------------------------------------------------ writes
def test_create_records_an_audit_event_and_returns_the_site(world: World) -> None:
    before = AuditEvent.objects.count()
    response = token_client(world.users["mall_admin"]).post(
        LIST, site_raw(name="Riverside Mall"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["operator"] == "mall-co"
    assert body["responsible_le"] == ["police-north", "rogue-police"]
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 2  # token issue + site create
    assert event is not None
    assert (event.action, event.object_id, event.actor_label) == (
        "site.create",
        str(body["id"]),
        "mall_admin",
    )
    assert event.diff["name"] == [None, "Riverside Mall"]


def test_invalid_input_lists_every_field_error(world: World) -> None:
    bad = site_raw(
        latitude=123, capacity=-5, region="atlantis", site_type="castle", time_zone="Mars/Base"
    )
    response = token_client(world.users["mall_admin"]).post(LIST, bad, format="json")
    body = assert_problem(response, 400, "validation_error")
    fields = {e["field"] for e in body["errors"]}
    assert {"latitude", "capacity", "site_type"} <= fields


def test_references_are_validated_by_the_service(world: World) -> None:
    bad = site_raw(region="atlantis", time_zone="Mars/Base", responsible_le=["mall-co"],
                   time_profile={"weekly": {"funday": [["25:00", "26:00"]]}})  # fmt: skip
    response = token_client(world.users["mall_admin"]).post(LIST, bad, format="json")
    body = assert_problem(response, 400, "validation_error")
    fields = {e["field"] for e in body["errors"]}
    assert {"region", "time_zone", "responsible_le", "time_profile.weekly.funday"} <= fields
    assert not Site.objects.filter(name="Test Site").exists()


def test_operator_cannot_register_a_site_for_another_operator(world: World) -> None:
    response = token_client(world.users["mall_admin"]).post(
        LIST, site_raw(operator="hotel-co"), format="json"
    )
    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "operator"


def test_police_register_sites_only_inside_their_jurisdiction(world: World) -> None:
    client = token_client(world.users["police_n"])
    inside = client.post(LIST, site_raw(name="Old Square", site_type="public_space"), format="json")
    assert inside.status_code == 201, inside.content
    outside = client.post(LIST, site_raw(region="south-a", latitude=41.0), format="json")
    assert assert_problem(outside, 400)["errors"][0]["field"] == "region"


def test_police_cannot_move_a_site_out_of_their_jurisdiction(world: World) -> None:
    response = token_client(world.users["police_n"]).patch(
        detail(world.sites["hotel_north"]), {"region": "south-a"}, format="json"
    )
    assert_problem(response, 400)
    assert Site.objects.get(pk=world.sites["hotel_north"].pk).region.code == "north-b"


def test_patch_changes_only_given_fields_and_audits_the_diff(world: World) -> None:
    site = world.sites["mall_north"]
    response = token_client(world.users["mall_admin"]).patch(
        detail(site), {"capacity": 4321}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == 4321
    assert response.json()["name"] == "North Mall"
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.action == "site.update"
    assert event.diff == {"capacity": [1200, 4321]}


def test_archive_and_restore(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    url = detail(world.sites["mall_north"]) + "archive/"
    assert client.post(url, {"archived": True}, format="json").json()["status"] == "archived"
    assert client.post(url, {"archived": False}, format="json").json()["status"] == "active"


def test_malformed_json_is_a_400_problem(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    response = client.generic("POST", LIST, "{not json", content_type="application/json")
    assert_problem(response, 400, "parse_error")


# ------------------------------------------------------------------ query budget
def _add_sites(n: int) -> None:
    from placeguard.web.sites.services import import_sites

    import_sites([site_raw(name=f"Extra {i}", tags=["a", f"t{i}"]) for i in range(n)], actor=None)


@pytest.mark.parametrize("persona", ["police_n", "ministry", "mall_admin"])
def test_list_query_count_does_not_grow_with_rows(
    world: World, persona: str, django_assert_max_num_queries: Any
) -> None:
    client = token_client(world.users[persona])
    _add_sites(30)
    # auth token (1) + last-used (≤1) + count + page + 2 prefetches + authority region check
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= 30
