"""Exercise API: a permission matrix over every endpoint, query budgets, shapes."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.exercises import services
from tests.conftest import World
from tests.web.exercises.conftest import add_parish, design, with_action
from tests.web.helpers import assert_problem, token_client

API = "/api/v1"


def _create_body(w: World) -> dict[str, Any]:
    return {
        "name": "API tabletop",
        "site": w.sites["church"].pk,
        "scenarios": ["hoax"],
        "participants": [w.orgs["parish"].pk],
    }


def _inject(w: World) -> str:
    return f"{API}/exercise-injects/{design(w).injects.first().pk}/"  # type: ignore[union-attr]


def _action(w: World) -> str:
    return f"{API}/corrective-actions/{with_action(w).pk}/"


#: How to reach each endpoint against St Anne's church (operator parish, region north-a).
PREPARE: dict[str, Any] = {
    "list": lambda w: (f"{API}/exercises/", {}),
    "create": lambda w: (f"{API}/exercises/", _create_body(w)),
    "detail": lambda w: (f"{API}/exercises/{design(w).pk}/", {}),
    "inject-list": lambda w: (f"{API}/exercise-injects/", {}),
    "inject-detail": lambda w: (_inject(w), {}),
    "action-list": lambda w: (f"{API}/corrective-actions/", {}),
    "action-detail": lambda w: (_action(w), {}),
    "action-update": lambda w: (_action(w), {"status": "in_progress"}),
}

#: Who does not see the church's exercise: another force, the unvetted force, other operators,
#: the programme and the platform admin.
OUTSIDERS = ["police_s", "rogue_police", "mall_admin", "programme", "platform_admin"]
READERS = ["police_n_reader", "parish_reader"]
EDITORS = ["police_n", "parish_admin"]

MATRIX = [
    ("create", "post", None, 401),
    *[("create", "post", p, 404) for p in OUTSIDERS[:3]],  # the church is not theirs to see
    *[("create", "post", p, 403) for p in READERS],
    *[("create", "post", p, 201) for p in [*EDITORS, "ministry"]],
    ("action-update", "patch", None, 401),
    *[("action-update", "patch", p, 404) for p in OUTSIDERS],
    *[("action-update", "patch", p, 403) for p in READERS],
    *[("action-update", "patch", p, 200) for p in EDITORS],
]
for _endpoint in ["list", "inject-list", "action-list"]:
    MATRIX.append((_endpoint, "get", None, 401))
    MATRIX += [(_endpoint, "get", p, 200) for p in [*READERS, *OUTSIDERS[:1]]]
for _endpoint in ["detail", "inject-detail", "action-detail"]:
    MATRIX.append((_endpoint, "get", None, 401))
    MATRIX += [(_endpoint, "get", p, 404) for p in OUTSIDERS]
    MATRIX += [(_endpoint, "get", p, 200) for p in [*READERS, *EDITORS, "ministry"]]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(
    world: World, endpoint: str, method: str, persona: str | None, status: int
) -> None:
    add_parish(world)
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
    f"{API}/exercises/": {"list", "create"},
    f"{API}/exercises/1/": {"detail"},
    f"{API}/exercise-injects/": {"inject-list"},
    f"{API}/exercise-injects/1/": {"inject-detail"},
    f"{API}/corrective-actions/": {"action-list"},
    f"{API}/corrective-actions/1/": {"action-detail", "action-update"},
}


def test_every_route_is_in_the_matrix() -> None:
    from tests.web.common.test_routes import api_routes

    prefixes = (f"{API}/exercises/", f"{API}/exercise-injects/", f"{API}/corrective-actions/")
    assert {u for u in api_routes() if u.startswith(prefixes)} == set(ROUTES)
    assert set().union(*ROUTES.values()) == set(PREPARE) == {e for e, *_ in MATRIX}
    for endpoint in PREPARE:
        statuses = {s for e, _m, _p, s in MATRIX if e == endpoint}
        assert 401 in statuses and any(s < 300 for s in statuses), endpoint
        if not endpoint.endswith("list"):
            assert 404 in statuses, endpoint
        if endpoint in {"create", "action-update"}:
            assert 403 in statuses, endpoint


@pytest.mark.parametrize(
    "url", [f"{API}/exercises/", f"{API}/exercise-injects/", f"{API}/corrective-actions/"]
)
def test_lists_have_a_query_budget(
    pworld: World, url: str, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        with_action(pworld)
    client = token_client(pworld.users["police_n"])
    with django_assert_max_num_queries(8):
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200 and response.json()["count"] >= 6


def test_create_drafts_and_lists_are_scoped(pworld: World) -> None:
    client = token_client(pworld.users["police_n"])
    created = client.post(f"{API}/exercises/", _create_body(pworld), format="json").json()
    assert created["owner"] == "police-north" and created["participants"] == ["parish"]
    assert created["objectives"][0]["code"] == "O1" and created["status"] == "planning"
    injects = client.get(f"{API}/exercise-injects/", {"exercise": created["id"]}).json()
    n = len(services.templates().templates["hoax"].injects)
    assert injects["count"] == n and injects["results"][0]["seq"] == 1
    south = token_client(pworld.users["police_s"]).get(f"{API}/exercises/").json()
    assert south["count"] == 0


def test_invalid_create_is_problem_json_with_every_problem(pworld: World) -> None:
    client = token_client(pworld.users["police_n"])
    body = {**_create_body(pworld), "name": "", "scenarios": ["nope"], "scheduled_on": "x"}
    problem = assert_problem(client.post(f"{API}/exercises/", body, format="json"), 400)
    assert {e["field"] for e in problem["errors"]} >= {"name", "scheduled_on"}
    body = {**_create_body(pworld), "scenarios": ["nope"]}
    problem = assert_problem(client.post(f"{API}/exercises/", body, format="json"), 400)
    assert {e["field"] for e in problem["errors"]} == {"scenarios"}


def test_actions_carry_origin_and_overdue_days(pworld: World) -> None:
    import datetime as dt

    from django.utils import timezone

    action = with_action(pworld, due=timezone.localdate() - dt.timedelta(days=2))
    client = token_client(pworld.users["parish_admin"])
    rows = client.get(f"{API}/corrective-actions/", {"owner_org": "parish"}).json()["results"]
    assert rows[0]["origin"] == action.origin and rows[0]["days_overdue"] == 2
    patched = client.patch(
        f"{API}/corrective-actions/{action.pk}/", {"status": "done"}, format="json"
    ).json()
    assert patched["status"] == "done" and patched["days_overdue"] is None
    assert patched["completed_on"] == timezone.localdate().isoformat()
    bad = client.patch(f"{API}/corrective-actions/{action.pk}/", {"status": "x"}, format="json")
    assert_problem(bad, 400)
