"""National grant allocation over assessed sites: who may run it, and that its numbers hold."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.assessments import services
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client

URL = "/api/v1/portfolio/allocation/"


@pytest.fixture
def assessed(world: World) -> World:
    """Every site assessed (all answers unknown) and submitted by its operator."""
    operators = {"mall-co": world.users["mall_admin"], "hotel-co": world.users["hotel_admin"]}
    for site in world.sites.values():
        actor = operators[site.operator.slug]
        assessment = services.start_assessment(site, actor=actor, threat_level=3)
        services.submit(assessment, actor=actor)
    return world


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("mall_admin", 403),
        ("police_n_reader", 403),
        ("rogue_police", 403),
        ("ministry", 200),
    ],
)
def test_who_may_allocate(assessed: World, persona: str | None, status: int) -> None:
    client = token_client(assessed.users[persona] if persona else None)
    response = client.post(URL, {"budget": 100000}, format="json")
    assert response.status_code == status, response.content


def test_allocation_respects_the_budget_and_lowers_risk(assessed: World) -> None:
    body: Any = (
        token_client(assessed.users["ministry"]).post(URL, {"budget": 60000}, format="json").json()
    )
    assert body["spent"] <= 60000
    assert body["risk_after"] <= body["risk_before"]
    assert len(body["sites"]) == 4
    assert sum(s["capex"] for s in body["sites"]) == pytest.approx(body["spent"])
    assert body["mip_gap"] <= 1e-6
    assert body["currency"] == "EUR"


def test_police_allocate_over_their_jurisdiction_only(assessed: World) -> None:
    body: Any = (
        token_client(assessed.users["police_n"]).post(URL, {"budget": 1e6}, format="json").json()
    )
    assert {s["site_name"] for s in body["sites"]} == {"North Mall", "North Hotel"}


def test_zero_budget_funds_only_free_measures(assessed: World) -> None:
    body: Any = (
        token_client(assessed.users["ministry"]).post(URL, {"budget": 0}, format="json").json()
    )
    assert body["spent"] == 0
    assert all(s["capex"] == 0 for s in body["sites"])  # procedures with no one-off cost
    assert body["risk_after"] <= body["risk_before"]


def test_negative_budget_is_a_field_error(assessed: World) -> None:
    problem = assert_problem(
        token_client(assessed.users["ministry"]).post(URL, {"budget": -1}, format="json"), 400
    )
    assert problem["errors"][0]["field"] == "budget"
