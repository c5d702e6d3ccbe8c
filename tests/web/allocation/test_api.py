"""Allocation API: a permission matrix over every endpoint, problem+json errors, exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from placeguard.web.allocation import services
from placeguard.web.allocation.models import PatrolPlan
from tests.conftest import World
from tests.web.allocation.conftest import build_force, north_site_ids
from tests.web.allocation.test_services import plan_raw, write_roads
from tests.web.helpers import assert_problem, token_client

API = "/api/v1"


def _plan(w: World) -> PatrolPlan:
    return services.run_patrol_plan(plan_raw(w), actor=w.users["police_n"])


def _team(w: World) -> str:
    return f"{API}/patrol-teams/{w.teams['a'].pk}/"  # type: ignore[attr-defined]


def _station(w: World) -> str:
    return f"{API}/response-stations/{w.stations['hq'].pk}/"  # type: ignore[attr-defined]


Prepared = tuple[str, dict[str, Any]]

#: How to reach each endpoint against Police North's data: URL and body.
PREPARE: dict[str, Any] = {
    "teams_list": lambda w: (f"{API}/patrol-teams/", {}),
    "team_create": lambda w: (f"{API}/patrol-teams/", {"name": "New", "districts": []}),
    "team_detail": lambda w: (_team(w), {}),
    "team_update": lambda w: (_team(w), {"name": "Alpha 2"}),
    "team_delete": lambda w: (_team(w), {}),
    "stations_list": lambda w: (f"{API}/response-stations/", {}),
    "station_create": lambda w: (
        f"{API}/response-stations/",
        {"name": "East", "latitude": 43.1, "longitude": -28.0},
    ),
    "station_detail": lambda w: (_station(w), {}),
    "station_update": lambda w: (_station(w), {"latitude": 43.05}),
    "station_delete": lambda w: (_station(w), {}),
    "plans_list": lambda w: (f"{API}/patrol-plans/", {}),
    "plan_create": lambda w: (f"{API}/patrol-plans/", plan_raw(w)),
    "plan_detail": lambda w: (f"{API}/patrol-plans/{_plan(w).pk}/", {}),
    "schedule": lambda w: (f"{API}/patrol-plans/{_plan(w).pk}/schedule/?file=ics", {}),
    "coverage": lambda w: (f"{API}/coverage/", {"standard_seconds": 900, "units": 1}),
}

#: Outsiders of Police North: Police South, the unvetted police, operators, the ministry, the
#: programme and the platform admin.
OUTSIDERS = ["police_s", "rogue_police", "mall_admin", "platform_admin"]

MATRIX = [
    ("teams_list", "get", None, 401),
    ("teams_list", "get", "police_n_reader", 200),
    ("teams_list", "get", "mall_admin", 200),  # an empty list
    ("team_create", "post", None, 401),
    ("team_create", "post", "mall_admin", 404),
    ("team_create", "post", "rogue_police", 404),
    ("team_create", "post", "platform_admin", 404),
    ("team_create", "post", "police_n_reader", 403),
    ("team_create", "post", "police_n", 201),
    ("stations_list", "get", None, 401),
    ("stations_list", "get", "police_n_reader", 200),
    ("station_create", "post", None, 401),
    ("station_create", "post", "ministry", 404),
    ("station_create", "post", "police_n_reader", 403),
    ("station_create", "post", "police_n", 201),
    ("plans_list", "get", None, 401),
    ("plans_list", "get", "police_n_reader", 200),
    ("plan_create", "post", None, 401),
    ("plan_create", "post", "mall_admin", 404),
    ("plan_create", "post", "programme", 404),
    ("plan_create", "post", "police_n_reader", 403),
    ("plan_create", "post", "police_n", 201),
    ("coverage", "post", None, 401),
    ("coverage", "post", "mall_admin", 404),
    ("coverage", "post", "police_n_reader", 403),
    ("coverage", "post", "police_n", 200),
]
for _endpoint, _method, _ok in [
    ("team_detail", "get", 200),
    ("team_update", "patch", 200),
    ("team_delete", "delete", 204),
    ("station_detail", "get", 200),
    ("station_update", "patch", 200),
    ("station_delete", "delete", 204),
    ("plan_detail", "get", 200),
    ("schedule", "get", 200),
]:
    MATRIX.append((_endpoint, _method, None, 401))
    MATRIX += [(_endpoint, _method, p, 404) for p in OUTSIDERS]
    reader = 200 if _method == "get" else 403
    MATRIX.append((_endpoint, _method, "police_n_reader", reader))
    MATRIX.append((_endpoint, _method, "police_n", _ok))


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(  # noqa: PLR0917 - pytest passes fixtures and parameters by position
    world: World,
    settings: Any,
    tmp_path: Path,
    endpoint: str,
    method: str,
    persona: str | None,
    status: int,
) -> None:
    build_force(world)
    settings.PLACEGUARD_ROAD_NETWORK = str(write_roads(world, tmp_path))
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
    f"{API}/patrol-teams/": {"teams_list", "team_create"},
    f"{API}/patrol-teams/1/": {"team_detail", "team_update", "team_delete"},
    f"{API}/response-stations/": {"stations_list", "station_create"},
    f"{API}/response-stations/1/": {"station_detail", "station_update", "station_delete"},
    f"{API}/patrol-plans/": {"plans_list", "plan_create"},
    f"{API}/patrol-plans/1/": {"plan_detail"},
    f"{API}/patrol-plans/1/schedule/": {"schedule"},
    f"{API}/coverage/": {"coverage"},
}


def test_every_route_is_in_the_matrix() -> None:
    from tests.web.common.test_routes import api_routes

    prefixes = tuple(
        f"{API}/{p}" for p in ("patrol-teams", "response-stations", "patrol-plans", "coverage")
    )
    assert {u for u in api_routes() if u.startswith(prefixes)} == set(ROUTES)
    assert set().union(*ROUTES.values()) == set(PREPARE) == {e for e, *_ in MATRIX}
    for endpoint in PREPARE:
        statuses = {s for e, _m, _p, s in MATRIX if e == endpoint}
        assert 401 in statuses and any(s < 300 for s in statuses), endpoint
        if not endpoint.endswith("_list"):
            assert 404 in statuses, endpoint
        if endpoint not in {"teams_list", "stations_list", "plans_list", "plan_detail",
                            "team_detail", "station_detail", "schedule"}:  # fmt: skip
            assert 403 in statuses, endpoint


def test_lists_are_scoped_to_the_force(force: World) -> None:
    _plan(force)
    north = token_client(force.users["police_n_reader"])
    names = {t["name"] for t in north.get(f"{API}/patrol-teams/").json()["results"]}
    assert names == {"Alpha", "Roamer"}
    assert north.get(f"{API}/patrol-plans/").json()["count"] == 1
    south = token_client(force.users["police_s"])
    assert south.get(f"{API}/patrol-plans/").json()["count"] == 0
    assert {t["name"] for t in south.get(f"{API}/patrol-teams/").json()["results"]} == {"South One"}


def test_plan_validation_errors_are_problem_json(force: World) -> None:
    client = token_client(force.users["police_n"])
    body = plan_raw(force, days=99, attacker={"model": "quantal"}, overrides={"999": {"x": 1}})
    body["sites"] = [*north_site_ids(force), force.sites["mall_south"].pk]
    problem = assert_problem(client.post(f"{API}/patrol-plans/", body, format="json"), 400)
    fields = {e["field"] for e in problem["errors"]}
    assert {"days", "attacker.rationality", "overrides[999].x"} <= fields
    typed = assert_problem(client.post(f"{API}/patrol-plans/", {"sites": "x"}, format="json"), 400)
    assert {e["field"] for e in typed["errors"]} >= {"sites", "teams"}


def test_created_plan_matches_its_detail_and_exports(force: World) -> None:
    client = token_client(force.users["police_n"])
    created = client.post(f"{API}/patrol-plans/", plan_raw(force), format="json").json()
    detail = client.get(f"{API}/patrol-plans/{created['id']}/").json()
    assert detail["results"] == created["results"]
    assert sum(s["coverage"] for s in detail["results"]["sites"]) <= 2 + 1e-9
    csv = client.get(f"{API}/patrol-plans/{created['id']}/schedule/")
    assert csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode().strip().split("\r\n")
    assert rows[0] == "date,shift,start,end,team,site,post" and len(rows) == 13
    bad = client.get(f"{API}/patrol-plans/{created['id']}/schedule/?file=pdf")
    assert_problem(bad, 400)


def test_coverage_without_roads_is_a_conflict(force: World, settings: Any) -> None:
    settings.PLACEGUARD_ROAD_NETWORK = ""
    client = token_client(force.users["police_n"])
    assert_problem(client.post(f"{API}/coverage/", {"standard_seconds": 600}, format="json"), 409)


def test_coverage_result_shape(force: World, settings: Any, tmp_path: Path) -> None:
    settings.PLACEGUARD_ROAD_NETWORK = str(write_roads(force, tmp_path))
    client = token_client(force.users["police_n"])
    body = client.post(f"{API}/coverage/", {"standard_seconds": 600}, format="json").json()
    assert body["isochrones"]["type"] == "FeatureCollection" and body["siting"] is None
    assert json.dumps(body)  # JSON-safe
