"""Engineering services: validation before anything is saved, engine runs, audit, findings."""

from __future__ import annotations

import pytest

from placeguard.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.engineering import services
from placeguard.web.engineering.access import can_edit, visible_to
from placeguard.web.engineering.models import EngineeringStudy
from tests.conftest import World
from tests.web.engineering.conftest import (
    EVAC_PARAMS,
    VEHICLE_PARAMS,
    bad_layout,
    layout,
    site_file,
)


def _evac(w: World, user: str = "mall_admin", **kw: object) -> EngineeringStudy:
    args: dict[str, object] = {"name": "Doors", "geojson": layout(), "parameters": EVAC_PARAMS}
    args.update(kw)
    return services.create_study(
        actor=w.users[user],
        site=w.sites["mall_north"],
        kind="evacuation",
        **args,  # type: ignore[arg-type]
    )


def _vehicle(w: World, user: str = "mall_admin", run_up: float = 250.0) -> EngineeringStudy:
    return services.create_study(
        actor=w.users[user], site=w.sites["mall_north"], kind="vehicle", name="HVM",
        geojson=site_file(run_up), parameters=VEHICLE_PARAMS,
    )  # fmt: skip


def test_evacuation_study_runs_hydraulic_and_monte_carlo(world: World) -> None:
    study = _evac(world)
    r = study.result
    assert study.status == "complete" and r["engine"] == "evacuation"
    assert r["hydraulic"]["total_time_s"] > 0
    assert [d["opening"] for d in r["hydraulic"]["destinations"]] == ["exit"]
    assert r["hydraulic"]["bottlenecks"][0]["opening"] == "door"  # the 2 m door jams
    assert r["monte_carlo"]["runs"] == 10
    assert r["summary"]["p95_time_s"] == r["monte_carlo"]["total_time_s"]["p95"]
    assert r["summary"]["cleared_by_target"] is not None
    assert any("pre-movement" in a for a in r["assumptions"])
    assert study.parameters["mode"] == "evacuation" and study.parameters["runs"] == 10
    event = AuditEvent.objects.get(action="engineering_study.create")
    assert event.object_id == str(study.pk)


def test_vehicle_study_stores_heat_map_and_worst_points(world: World) -> None:
    study = _vehicle(world)
    r = study.result
    assert r["summary"]["max_impact_speed_kmh"] > 100
    kinds = {f["properties"]["kind"] for f in r["heat_map"]["features"]}
    assert kinds == {"perimeter_point", "approach_path"}
    speeds = [p["impact_speed_kmh"] for p in r["worst_points"]]
    assert (
        speeds == sorted(speeds, reverse=True) and speeds[0] == r["summary"]["max_impact_speed_kmh"]
    )
    assert "iwa14_1" in r["worst_points"][0]["required"]
    assert r["assumptions"] and r["vehicle"]["id"] == "car"


def test_bad_layout_lists_every_problem_and_saves_nothing(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _evac(world, geojson=bad_layout(), parameters={"runs": -1, "colour": "red"})
    fields = [e.field for e in caught.value.errors]
    assert any(f.startswith("geojson.features[0]") for f in fields)  # the self-intersection
    assert "geojson.layout" in fields  # no exit
    assert {"parameters.runs", "parameters.colour"} <= set(fields)
    assert not EngineeringStudy.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="engineering_study").exists()


def test_bad_site_file_and_not_geojson(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_study(actor=world.users["mall_admin"], site=world.sites["mall_north"],
                              kind="vehicle", name="x", geojson={"type": "FeatureCollection",
                              "features": []}, parameters={"vehicle": "tank"})  # fmt: skip
    fields = {e.field for e in caught.value.errors}
    assert {"geojson.perimeter", "parameters.vehicle"} <= fields
    with pytest.raises(ValidationError) as caught:
        services.create_study(actor=world.users["mall_admin"], site=world.sites["mall_north"],
                              kind="sound", name="", geojson=[], parameters={})  # fmt: skip
    assert {e.field for e in caught.value.errors} == {"name", "kind"}
    assert not EngineeringStudy.objects.exists()


def test_unknown_blocked_opening_is_reported(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _evac(world, parameters={"blocked": ["nope"], "runs": 0})
    assert [e.field for e in caught.value.errors] == ["parameters.blocked"]


@pytest.mark.parametrize(
    ("persona", "sees", "edits"),
    [
        ("mall_admin", True, True),
        ("mall_reader", True, False),
        ("police_n", True, True),
        ("police_n_reader", True, False),
        ("ministry", True, True),
        ("police_s", False, False),
        ("rogue_police", False, False),
        ("hotel_admin", False, False),
        ("programme", False, False),
        ("platform_admin", False, False),
    ],
)
def test_access_matrix(world: World, persona: str, sees: bool, edits: bool) -> None:
    study = _evac(world, parameters={"runs": 0})
    user = world.users[persona]
    assert visible_to(user).filter(pk=study.pk).exists() is sees
    if sees:
        assert can_edit(user, study.site) is edits
    expected = None if edits else (PermissionDeniedError if sees else NotFoundError)
    if expected is None:
        services.delete_study(study, actor=user)
        assert not EngineeringStudy.objects.filter(pk=study.pk).exists()
    else:
        with pytest.raises(expected):
            services.delete_study(study, actor=user)
        with pytest.raises(expected):
            _evac(world, user=persona, parameters={"runs": 0})


def test_site_findings_take_the_latest_of_each_kind(world: World) -> None:
    site = world.sites["mall_north"]
    assert services.site_findings(site) is None
    _vehicle(world, run_up=30)
    slow = services.site_findings(site)
    assert slow is not None and slow.evacuation_time_s is None
    fast = _vehicle(world, run_up=250)
    evac = _evac(world)
    found = services.site_findings(site)
    assert found is not None
    assert found.vehicle_impact_speed_kmh == fast.result["summary"]["max_impact_speed_kmh"]
    assert found.vehicle_impact_speed_kmh > (slow.vehicle_impact_speed_kmh or 0)
    assert found.evacuation_time_s == evac.result["monte_carlo"]["total_time_s"]["p95"]
    assert "HVM" in found.source and "P95" in found.source
    # without Monte Carlo the total time counts; invacuation studies do not count at all
    single = _evac(world, parameters={"runs": 0})
    with pytest.raises(ValidationError):  # invacuation needs a refuge: found by the run
        _evac(world, parameters={"runs": 0, "mode": "invacuation"})
    _evac(world, geojson=layout(refuge=True), parameters={"runs": 0, "mode": "invacuation"})
    found = services.site_findings(site)
    assert found is not None
    assert found.evacuation_time_s == single.result["hydraulic"]["total_time_s"]
    services.delete_study(fast, actor=world.users["mall_admin"])
    after = services.site_findings(site)
    assert after is not None and after.vehicle_impact_speed_kmh == slow.vehicle_impact_speed_kmh
