"""Allocation pages: who gets what, the planner flow, schedule downloads, the coverage page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from placeguard.web.allocation import services
from placeguard.web.allocation.models import PatrolPlan
from tests.conftest import World
from tests.web.allocation.test_services import plan_raw, write_roads


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "planner", "plans"),
    [
        ("police_n", 200, 200),
        ("police_n_reader", 403, 200),
        ("rogue_police", 404, 404),
        ("mall_admin", 404, 404),
        ("ministry", 404, 404),
        ("platform_admin", 404, 404),
    ],
)
def test_page_access(force: World, persona: str, planner: int, plans: int) -> None:
    client = client_for(force.users[persona])
    assert client.get("/allocation/").status_code == planner
    assert client.get("/allocation/plans/").status_code == plans


def test_other_forces_plans_are_404(force: World) -> None:
    plan = services.run_patrol_plan(plan_raw(force), actor=force.users["police_n"])
    south = client_for(force.users["police_s"])
    for suffix in ["", "schedule.csv", "schedule.ics"]:
        assert south.get(f"/allocation/plans/{plan.pk}/{suffix}").status_code == 404
    reader = client_for(force.users["police_n_reader"])
    page = reader.get(f"/allocation/plans/{plan.pk}/")
    assert page.status_code == 200
    assert b'id="schedule"' in page.content and b"Expected loss" in page.content
    ics = reader.get(f"/allocation/plans/{plan.pk}/schedule.ics")
    assert ics["Content-Type"].startswith("text/calendar")


def test_planner_runs_a_plan_by_region(force: World) -> None:
    client = client_for(force.users["police_n"])
    response = client.post(
        "/allocation/",
        {
            "regions": ["north-a"],
            "teams": [str(force.teams["a"].pk)],  # type: ignore[attr-defined]
            "shifts_per_day": 2,
            "days": 2,
            "attacker_model": "sse",
            "interdiction": 0.5,
            "name": "Weekend",
        },
    )
    assert response.status_code == 302, response.content
    plan = PatrolPlan.objects.get(name="Weekend")
    assert {s["region"] for s in plan.results["sites"]} == {"North-A"}


def test_planner_shows_every_error(force: World) -> None:
    client = client_for(force.users["police_n"])
    response = client.post(
        "/allocation/",
        {"teams": [str(force.teams["a"].pk)], "shifts_per_day": 2, "days": 2,  # type: ignore[attr-defined]
         "attacker_model": "quantal", "interdiction": 0.5},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"error-summary" in response.content and b"rationality" in response.content


def test_coverage_page(force: World, settings: Any, tmp_path: Path) -> None:
    client = client_for(force.users["police_n"])
    settings.PLACEGUARD_ROAD_NETWORK = ""
    assert b"No road network is configured" in client.get("/allocation/coverage/").content
    settings.PLACEGUARD_ROAD_NETWORK = str(write_roads(force, tmp_path))
    page = client.get("/allocation/coverage/", {"standard_minutes": 15, "units": 1})
    assert page.status_code == 200
    assert b'id="uncovered-table"' in page.content and b"North Hotel" in page.content
    assert b'id="units-table"' in page.content
