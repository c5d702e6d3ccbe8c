"""Engineering API: a permission matrix over every endpoint, problem+json errors, shapes."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.engineering import services
from placeguard.web.engineering.models import EngineeringStudy
from tests.conftest import World
from tests.web.engineering.conftest import (
    EVAC_PARAMS,
    VEHICLE_PARAMS,
    bad_layout,
    layout,
    site_file,
)
from tests.web.helpers import assert_problem, token_client

API = "/api/v1"


def _study(w: World) -> EngineeringStudy:
    return services.create_study(actor=None, site=w.sites["mall_north"], kind="evacuation",
                                 name="Doors", geojson=layout(), parameters={"runs": 0})  # fmt: skip


def _detail(w: World) -> str:
    return f"{API}/engineering-studies/{_study(w).pk}/"


def _create_body(w: World) -> dict[str, Any]:
    return {"site": w.sites["mall_north"].pk, "kind": "evacuation", "name": "Doors",
            "geojson": layout(), "parameters": {"runs": 0}}  # fmt: skip


#: How to reach each endpoint against North Mall (operator Mall Co, region north-a).
PREPARE: dict[str, Any] = {
    "list": lambda w: (f"{API}/engineering-studies/", {}),
    "create": lambda w: (f"{API}/engineering-studies/", _create_body(w)),
    "detail": lambda w: (_detail(w), {}),
    "delete": lambda w: (_detail(w), {}),
    "status": lambda w: (f"{_detail(w)}status/", {}),
}

#: Who does not see North Mall: another force, the unvetted police, another operator, the
#: programme and the platform admin.
OUTSIDERS = ["police_s", "rogue_police", "hotel_admin", "programme", "platform_admin"]
READERS = ["mall_reader", "police_n_reader"]
EDITORS = ["mall_admin", "police_n", "ministry"]

MATRIX = [
    ("list", "get", None, 401),
    *[("list", "get", p, 200) for p in [*READERS, *OUTSIDERS[:1]]],  # outsiders: empty list
    ("create", "post", None, 401),
    *[("create", "post", p, 404) for p in OUTSIDERS],
    *[("create", "post", p, 403) for p in READERS],
    *[("create", "post", p, 202) for p in EDITORS],
]
for _endpoint, _method, _ok in [
    ("detail", "get", 200),
    ("delete", "delete", 204),
    ("status", "get", 200),
]:
    MATRIX.append((_endpoint, _method, None, 401))
    MATRIX += [(_endpoint, _method, p, 404) for p in OUTSIDERS]
    MATRIX += [(_endpoint, _method, p, 200 if _method == "get" else 403) for p in READERS]
    MATRIX += [(_endpoint, _method, p, _ok) for p in EDITORS]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(
    world: World, endpoint: str, method: str, persona: str | None, status: int
) -> None:
    url, body = PREPARE[endpoint](world)
    client = token_client(world.users[persona] if persona else None)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert_problem(response, status)


#: Each route of the app (ids as 1) and the matrix endpoints that exercise it.
ROUTES = {
    f"{API}/engineering-studies/": {"list", "create"},
    f"{API}/engineering-studies/1/": {"detail", "delete"},
    f"{API}/engineering-studies/1/status/": {"status"},
}


def test_every_route_is_in_the_matrix() -> None:
    from tests.web.common.test_routes import api_routes

    assert {u for u in api_routes() if u.startswith(f"{API}/engineering-studies")} == set(ROUTES)
    assert set().union(*ROUTES.values()) == set(PREPARE) == {e for e, *_ in MATRIX}
    for endpoint in PREPARE:
        statuses = {s for e, _m, _p, s in MATRIX if e == endpoint}
        assert 401 in statuses and any(s < 300 for s in statuses), endpoint
        if endpoint != "list":
            assert 404 in statuses, endpoint
        if endpoint in {"create", "delete"}:
            assert 403 in statuses, endpoint


def test_list_is_scoped_and_light(world: World) -> None:
    _study(world)
    mall = token_client(world.users["mall_reader"]).get(f"{API}/engineering-studies/").json()
    assert mall["count"] == 1 and "result" not in mall["results"][0]
    south = token_client(world.users["police_s"]).get(f"{API}/engineering-studies/").json()
    assert south["count"] == 0
    filtered = token_client(world.users["police_n"]).get(
        f"{API}/engineering-studies/", {"kind": "vehicle"}
    )
    assert filtered.json()["count"] == 0


def test_create_returns_the_result(world: World) -> None:
    client = token_client(world.users["police_n"])
    body = {"site": world.sites["mall_north"].pk, "kind": "vehicle", "name": "HVM",
            "geojson": site_file(), "parameters": VEHICLE_PARAMS}  # fmt: skip
    created = client.post(f"{API}/engineering-studies/", body, format="json").json()
    assert created["result"]["summary"]["max_impact_speed_kmh"] > 100
    assert created["created_by"] == "police_n" and created["status"] == "complete"
    assert created["parameters"]["vehicle"] == "car"
    detail = client.get(f"{API}/engineering-studies/{created['id']}/").json()
    assert detail["result"] == created["result"]


def test_invalid_input_is_problem_json_with_every_problem(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    body = {
        **_create_body(world),
        "geojson": bad_layout(),
        "parameters": {**EVAC_PARAMS, "runs": 9999},
    }
    problem = assert_problem(client.post(f"{API}/engineering-studies/", body, format="json"), 400)
    fields = {e["field"] for e in problem["errors"]}
    assert "parameters.runs" in fields and "geojson.layout" in fields
    assert any(f.startswith("geojson.features[0]") for f in fields)
    typed = client.post(f"{API}/engineering-studies/", {"kind": "boat"}, format="json")
    assert {e["field"] for e in assert_problem(typed, 400)["errors"]} >= {"site", "kind", "geojson"}
    assert not EngineeringStudy.objects.exists()
