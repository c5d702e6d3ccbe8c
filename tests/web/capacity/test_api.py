"""Capacity API: a permission matrix over every endpoint, problem+json errors, query budgets."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.capacity import services
from tests.conftest import World
from tests.web.capacity.conftest import REQUEST_RAW, walk
from tests.web.helpers import assert_problem, token_client

API = "/api/v1"


def _req(w: World) -> Any:
    return services.submit_request(REQUEST_RAW, actor=w.users["ministry"])


def _course(w: World) -> Any:
    req = walk(w, to="delivering")
    return services.add_course(
        req, {"title": "C", "topic": "t", "start": "2026-01-01"}, actor=w.users["programme"]
    )


def _plan(w: World) -> Any:
    return services.create_plan({"title": "NAP"}, actor=w.users["ministry"])


def _action_body(w: World) -> tuple[str, dict[str, Any]]:
    plan = _plan(w)
    obj = services.add_objective(plan, {"title": "o"}, actor=w.users["ministry"])
    body = {
        "objective": obj.pk,
        "title": "Assess",
        "mandate_refs": ["unscr2341.op4"],
        "milestones": [{"label": "Half", "date": "2026-12-31"}],
        "budget": "100.50",
    }
    return f"{API}/action-plans/{plan.pk}/actions/", body


PREPARE: dict[str, Any] = {
    "req-list": lambda w: (f"{API}/training-requests/", {}),
    "req-create": lambda w: (f"{API}/training-requests/", REQUEST_RAW),
    "req-detail": lambda w: (f"{API}/training-requests/{_req(w).pk}/", {}),
    "req-triage": lambda w: (
        f"{API}/training-requests/{_req(w).pk}/transition/",
        {"to": "triaged", "note": "ok"},
    ),
    "course-list": lambda w: (f"{API}/courses/", {}),
    "course-detail": lambda w: (f"{API}/courses/{_course(w).pk}/", {}),
    "plan-list": lambda w: (f"{API}/action-plans/", {}),
    "plan-create": lambda w: (f"{API}/action-plans/", {"title": "NAP 2"}),
    "plan-detail": lambda w: (f"{API}/action-plans/{_plan(w).pk}/", {}),
    "course-create": lambda w: (
        f"{API}/courses/",
        {"request": walk(w, to="planned").pk, "title": "C", "topic": "t", "start": "2026-01-01"},
    ),
    "participant-create": lambda w: (
        f"{API}/courses/{_course(w).pk}/participants/",
        {"name": "Ana", "pre_score": 10, "post_score": 20, "attended": True},
    ),
    "objective-create": lambda w: (
        f"{API}/action-plans/{_plan(w).pk}/objectives/",
        {"title": "Know the risk", "priority": 1},
    ),
    "action-create": _action_body,
}


EVERYONE = [
    "police_n",
    "police_n_reader",
    "police_s",
    "rogue_police",
    "ministry",
    "mall_admin",
    "mall_reader",
    "hotel_admin",
    "programme",
    "platform_admin",
]
#: The ministry's request: the ministry and the programme office (incl. the platform admin's
#: PROGRAMME organisation) see it.
REQ_SEE = ["ministry", "programme", "platform_admin"]
#: The ministry's plan: the ministry, the programme office, vetted police of country XM.
PLAN_SEE = ["ministry", "programme", "platform_admin", "police_n", "police_n_reader", "police_s"]

MATRIX: list[tuple[str, str, str | None, int]] = []
for _ep in ["req-list", "course-list", "plan-list"]:
    MATRIX += [(_ep, "get", None, 401), *[(_ep, "get", p, 200) for p in EVERYONE]]
MATRIX += [("req-create", "post", None, 401)]
MATRIX += [
    ("req-create", "post", p, 201 if p in {"ministry", "police_n", "police_s"} else 403)
    for p in EVERYONE
]
for _ep, _method in [("req-detail", "get"), ("course-detail", "get")]:
    MATRIX += [(_ep, _method, None, 401)]
    MATRIX += [(_ep, _method, p, 200 if p in REQ_SEE else 404) for p in EVERYONE]
MATRIX += [("req-triage", "post", None, 401)]
MATRIX += [
    ("req-triage", "post", p, 200 if p == "programme" else 403 if p in REQ_SEE else 404)
    for p in EVERYONE
]
MATRIX += [("plan-create", "post", None, 401)]
MATRIX += [("plan-create", "post", p, 201 if p == "ministry" else 403) for p in EVERYONE]
for _ep in ["course-create", "participant-create"]:
    MATRIX += [(_ep, "post", None, 401)]
MATRIX += [
    ("course-create", "post", p, 201 if p == "programme" else 404 if p not in REQ_SEE else 403)
    for p in EVERYONE
]
MATRIX += [
    ("participant-create", "post", p, 201 if p == "programme" else 404 if p not in REQ_SEE else 403)
    for p in EVERYONE
]
for _ep in ["objective-create", "action-create"]:
    MATRIX += [(_ep, "post", None, 401)]
    MATRIX += [
        (_ep, "post", p, 201 if p == "ministry" else 404 if p not in PLAN_SEE else 403)
        for p in EVERYONE
    ]
MATRIX += [("plan-detail", "get", None, 401)]
MATRIX += [("plan-detail", "get", p, 200 if p in PLAN_SEE else 404) for p in EVERYONE]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(
    world: World, endpoint: str, method: str, persona: str | None, status: int
) -> None:
    url, body = PREPARE[endpoint](world)
    client = token_client(world.users[persona] if persona else None)
    response = (
        getattr(client, method)(url, body, format="json") if method != "get" else (client.get(url))
    )
    assert response.status_code == status, response.content
    if status >= 400:
        assert_problem(response, status)


def test_lists_are_scoped(world: World) -> None:
    req = _req(world)
    ids = [
        r["id"]
        for r in token_client(world.users["programme"])
        .get(f"{API}/training-requests/")
        .json()["results"]
    ]
    assert ids == [req.pk]
    assert (
        token_client(world.users["police_n"]).get(f"{API}/training-requests/").json()["results"]
        == []
    )


def test_transition_problems(world: World) -> None:
    req = _req(world)
    client = token_client(world.users["programme"])
    url = f"{API}/training-requests/{req.pk}/transition/"
    body = assert_problem(
        client.post(url, {"to": "planned", "activities": "x"}, format="json"), 409
    )
    assert "cannot become" in body.get("detail", body["title"])
    assert_problem(client.post(url, {"to": "triaged"}, format="json"), 400)
    assert_problem(client.post(url, {"to": "nonsense"}, format="json"), 400)
    response = client.post(url, {"to": "triaged", "note": "fine"}, format="json")
    assert response.json()["status"] == "triaged"


def test_course_detail_has_gains(world: World, evaluated: Any) -> None:
    course = evaluated.courses.get()
    data = token_client(world.users["programme"]).get(f"{API}/courses/{course.pk}/").json()
    assert data["gain"]["g_of_averages"] == pytest.approx(0.68)
    assert len(data["participants"]) == 5


def test_plan_detail_has_gaps_and_gao(world: World) -> None:
    plan = _plan(world)
    data = token_client(world.users["programme"]).get(f"{API}/action-plans/{plan.pk}/").json()
    assert len(data["crosswalk_gaps"]) == 9
    assert {g["verdict"] for g in data["gao"]} == {"not met"}


def _grow(world: World, n: int) -> None:
    ministry, prog = world.users["ministry"], world.users["programme"]
    for i in range(n):
        req = services.submit_request({**REQUEST_RAW, "title": f"R{i}"}, actor=ministry)
        if i % 5 == 0:
            for to, raw in [
                ("triaged", {"note": "n"}),
                ("assessed", {"assessment": "a"}),
                ("planned", {"activities": "x"}),
            ]:
                req = services.advance(req, actor=prog, to=to, raw=raw)
            services.add_course(
                req, {"title": f"C{i}", "topic": "t", "start": "2026-01-01"}, actor=prog
            )
        plan = services.create_plan({"title": f"P{i}"}, actor=ministry)
        services.add_objective(plan, {"title": "o"}, actor=ministry)


@pytest.mark.parametrize("url", ["training-requests", "courses", "action-plans"])
@pytest.mark.parametrize("persona", ["programme", "ministry", "police_n"])
def test_list_query_budget(
    world: World, url: str, persona: str, django_assert_max_num_queries: Any
) -> None:
    _grow(world, 25)
    client = token_client(world.users[persona])
    with django_assert_max_num_queries(9):
        response = client.get(f"{API}/{url}/", {"page_size": 200})
    assert response.status_code == 200


def test_action_created_through_the_api_covers_its_provision(world: World) -> None:
    url, body = _action_body(world)
    response = token_client(world.users["ministry"]).post(url, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["milestones"] == [{"label": "Half", "date": "2026-12-31"}]
    plan = token_client(world.users["ministry"]).get(url.replace("actions/", "")).json()
    assert "unscr2341.op4" not in plan["crosswalk_gaps"]
    bad = token_client(world.users["ministry"]).post(
        url, {**body, "mandate_refs": ["nope"], "objective": 999999}, format="json"
    )
    assert_problem(bad, 404)
    bad = token_client(world.users["ministry"]).post(
        url, {**body, "mandate_refs": ["nope"]}, format="json"
    )
    assert_problem(bad, 400)
