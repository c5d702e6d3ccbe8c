"""Allocation services: plans equal a direct engine call, audit, bad input, coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.engines.allocation.games import SecurityGame, solve_game
from placeguard.engines.allocation.payoffs import SiteInput, derive_payoffs
from placeguard.engines.allocation.polytope import ResourceGroup
from placeguard.engines.demo.roads import road_grid
from placeguard.web.allocation import exporting, services
from placeguard.web.audit.models import AuditEvent
from tests.conftest import World
from tests.web.allocation.conftest import north_site_ids


def plan_raw(world: World, **extra: Any) -> dict[str, Any]:
    raw = {
        "sites": north_site_ids(world),
        "teams": [world.teams["a"].pk, world.teams["roam"].pk],  # type: ignore[attr-defined]
        "days": 3,
        "shifts_per_day": 2,
        "start": "2027-03-01",
    }
    raw.update(extra)
    return raw


def test_plan_equals_a_direct_engine_call_and_is_audited(force: World) -> None:
    plan = services.run_patrol_plan(plan_raw(force), actor=force.users["police_n"])
    sites = sorted((force.sites[k] for k in ["mall_north", "hotel_north", "church", "square",
                                            "station_b"]), key=lambda s: (s.name, s.pk))  # fmt: skip
    derived = derive_payoffs(
        [
            SiteInput(id=str(s.pk), site_type=s.site_type, capacity=s.capacity, typical_share=0.6)
            for s in sites
        ]
    )
    in_a = tuple(i for i, s in enumerate(sites) if s.region.code == "north-a")
    groups = (
        ResourceGroup(name="a", count=1, targets=in_a),
        ResourceGroup(name="any", count=1, targets=tuple(range(len(sites)))),
    )
    direct = solve_game(
        SecurityGame(ids=derived.ids, payoffs=derived.payoffs, resources=2.0, groups=groups)
    )
    stored = {str(s["id"]): s["coverage"] for s in plan.results["sites"]}
    np.testing.assert_allclose([stored[i] for i in derived.ids], direct.coverage, atol=1e-9)
    assert plan.results["defender_utility"] == pytest.approx(direct.defender_utility, abs=1e-9)
    assert plan.results["expected_loss"] == pytest.approx(-direct.defender_utility, abs=1e-9)
    assert int(derived.ids[direct.attacked]) in plan.results["attacked"]
    assert all(s["explanation"].startswith("Consequence") for s in plan.results["sites"])
    schedule = plan.results["schedule"]
    assert len(schedule["assignments"]) == 3 * 2 * 2 and schedule["seed"] > 0
    alpha = [a for a in schedule["assignments"] if a["team"] == "Alpha" and a["site"]]
    in_a_ids = {sites[i].pk for i in in_a}
    assert all(a["site"] in in_a_ids for a in alpha)  # districts respected
    event = AuditEvent.objects.get(action="patrol_plan.create", object_id=str(plan.pk))
    assert event.diff["seed"] == [None, str(schedule["seed"])]


def test_seeds_are_fresh_each_run(force: World) -> None:
    police = force.users["police_n"]
    seeds = {
        services.run_patrol_plan(plan_raw(force), actor=police).results["schedule"]["seed"]
        for _ in range(3)
    }
    assert len(seeds) == 3


def test_approved_risk_is_used_when_every_site_has_one(force: World, monkeypatch: Any) -> None:
    from placeguard.web.allocation import queries

    risks = {pk: 1.0 + i for i, pk in enumerate(north_site_ids(force))}
    monkeypatch.setattr(queries, "approved_risk", lambda ids: {i: risks[i] for i in ids})
    plan = services.run_patrol_plan(plan_raw(force), actor=force.users["police_n"])
    assert all("assessed risk" in s["explanation"] for s in plan.results["sites"])


def test_schedule_exports(force: World) -> None:
    plan = services.run_patrol_plan(plan_raw(force), actor=force.users["police_n"])
    text = exporting.schedule_csv(plan)
    lines = text.strip().split("\r\n")
    assert lines[0] == "date,shift,start,end,team,site,post"
    assert len(lines) == 1 + 12
    assert lines[1].startswith("2027-03-01,1,2027-03-01T00:00,2027-03-01T12:00,")
    ics = exporting.schedule_ics(plan)
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.count("BEGIN:VEVENT") == 12
    assert f"X-PLACEGUARD-SEED:{plan.results['schedule']['seed']}" in ics


def test_bayesian_and_robust_models(force: World) -> None:
    police = force.users["police_n"]
    types = [{"name": "lone", "prior": 0.6}, {"name": "cell", "prior": 0.4,
                                              "weights": {"retail": 2.0}}]  # fmt: skip
    bayes = services.run_patrol_plan(plan_raw(force, attacker_types=types), actor=police)
    assert bayes.results["attacker_model"] == "bayesian" and len(bayes.results["types"]) == 2
    assert bayes.results["proven_optimal"] is True
    quantal = services.run_patrol_plan(
        plan_raw(force, attacker={"model": "quantal", "rationality": 0.5}), actor=police
    )
    assert quantal.status == "local" and "quantal" in quantal.results["robustness"][
        "defender_utility"]  # fmt: skip


def test_bad_input_names_every_problem(force: World) -> None:
    with pytest.raises(ValidationError) as info:
        services.run_patrol_plan(
            {"sites": [], "teams": ["x"], "days": 0, "attacker": {"model": "quantal"},
             "attacker_types": [{"name": "a", "prior": 0.3}, {"name": "b", "prior": 0.3}]},
            actor=force.users["police_n"],
        )  # fmt: skip
    fields = {e.field for e in info.value.errors}
    assert {"sites", "teams", "days", "attacker.rationality", "attacker_types"} <= fields


def test_sites_outside_the_jurisdiction_are_refused(force: World) -> None:
    raw = plan_raw(force, sites=[force.sites["mall_south"].pk])
    with pytest.raises(ValidationError) as info:
        services.run_patrol_plan(raw, actor=force.users["police_n"])
    assert info.value.errors[0].field == "sites"
    raw = plan_raw(force, teams=[force.teams["south"].pk])  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        services.run_patrol_plan(raw, actor=force.users["police_n"])


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("police_n_reader", PermissionDeniedError),
        ("rogue_police", NotFoundError),
        ("mall_admin", NotFoundError),
        ("ministry", NotFoundError),
        ("platform_admin", NotFoundError),
    ],
)
def test_who_may_plan(force: World, persona: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        services.run_patrol_plan(plan_raw(force), actor=force.users[persona])
    with pytest.raises(error):
        services.create_team({"name": "X"}, actor=force.users[persona])


def test_teams_and_stations_are_validated_and_audited(force: World) -> None:
    police = force.users["police_n"]
    with pytest.raises(ValidationError) as info:
        services.create_team({"name": "Alpha", "districts": ["south-a"]}, actor=police)
    assert {e.field for e in info.value.errors} == {"name", "districts"}
    team = services.create_team({"name": "Bravo", "districts": ["north-b"]}, actor=police)
    team = services.deactivate_team(team, actor=police)
    assert not team.active
    actions = set(
        AuditEvent.objects.filter(object_id=str(team.pk)).values_list("action", flat=True)
    )
    assert {"patrol_team.create", "patrol_team.update"} <= actions
    with pytest.raises(ValidationError) as info:
        services.create_station({"name": "", "latitude": 95, "longitude": "x"}, actor=police)
    assert {e.field for e in info.value.errors} == {"name", "latitude", "longitude"}


def test_coverage_without_a_road_network_is_a_conflict(force: World, settings: Any) -> None:
    settings.PLACEGUARD_ROAD_NETWORK = ""
    with pytest.raises(ConflictError):
        services.run_coverage(actor=force.users["police_n"], standard_seconds=600)


def write_roads(world: World, tmp_path: Path) -> Path:
    points = [(s.longitude, s.latitude) for s in world.sites.values()]
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(road_grid(points, spacing_deg=0.05)), encoding="utf-8")
    return path


def test_coverage_on_a_grid(force: World, settings: Any, tmp_path: Path) -> None:
    settings.PLACEGUARD_ROAD_NETWORK = str(write_roads(force, tmp_path))
    result = services.run_coverage(actor=force.users["police_n"], standard_seconds=900, units=1)
    by_id = {s["id"]: s for s in result["sites"]}
    assert by_id[force.sites["mall_north"].pk]["covered"]  # at the station
    far = force.sites["hotel_north"].pk  # two degrees of longitude away
    assert not by_id[far]["covered"] and far in result["uncovered"]
    assert (
        result["siting"]["units"] and result["siting"]["share_sites_after"] > result["share_sites"]
    )
    with pytest.raises(ValidationError) as info:
        services.run_coverage(actor=force.users["police_n"], standard_seconds=-1, units=99)
    assert {e.field for e in info.value.errors} == {"standard_seconds", "units"}
