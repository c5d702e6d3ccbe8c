"""Injects drawn from engineering study results (hand-built results, closed-form checks)."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.engines.evacuation.hydraulic import HydraulicParams, solve
from placeguard.engines.evacuation.layout import parse_layout
from placeguard.engines.preparedness.catalogue import InjectType
from placeguard.engines.preparedness.msel import msel_from_csv, msel_to_csv
from placeguard.engines.preparedness.simulation_injects import (
    blocked_exit_penalty_s,
    compass,
    injects_from_engineering,
    injects_from_studies,
)
from tests.engines.evacuation._layouts import room


def _evac_result() -> dict[str, Any]:
    """A hand-built stored evacuation result: two exits, one queue."""
    return {
        "engine": "evacuation",
        "summary": {
            "mode": "evacuation",
            "occupants": 600,
            "total_time_s": 400.0,
            "p95_time_s": 460.0,
            "target_time_s": 300.0,
            "cleared_by_target": 450.0,
        },
        "hydraulic": {
            "mode": "evacuation",
            "total_time_s": 400.0,
            "occupants": 600.0,
            "already_safe": 0.0,
            "unreachable": 0.0,
            "target_time_s": 300.0,
            "cleared_by_target": 450.0,
            "destinations": [
                {
                    "opening": "north",
                    "name": "North gate",
                    "from_space": "hall",
                    "occupants": 400.0,
                    "first_s": 130.0,
                    "clear_s": 400.0,
                    "mean_flow_pps": 1.5,
                    "capacity_pps": 2.0,
                    "effective_width_m": 1.54,
                },
                {
                    "opening": "south",
                    "name": "South gate",
                    "from_space": "hall",
                    "occupants": 200.0,
                    "first_s": 20.0,
                    "clear_s": 220.0,
                    "mean_flow_pps": 1.0,
                    "capacity_pps": 1.0,
                    "effective_width_m": 0.77,
                },
            ],
            "bottlenecks": [
                # longer queue duration but a short wait: 30 people at 3 p/s = 10 s
                {
                    "opening": "d1",
                    "from_space": "bar",
                    "to_space": "hall",
                    "capacity_pps": 3.0,
                    "max_queue": 30.0,
                    "max_queue_at_s": 100.0,
                    "queue_start_s": 40.0,
                    "queue_end_s": 500.0,
                    "duration_s": 460.0,
                },
                # worst wait: 240 people at 2 p/s = 120 s
                {
                    "opening": "north",
                    "from_space": "hall",
                    "to_space": "outside",
                    "capacity_pps": 2.0,
                    "max_queue": 240.0,
                    "max_queue_at_s": 200.0,
                    "queue_start_s": 135.0,
                    "queue_end_s": 395.0,
                    "duration_s": 260.0,
                },
            ],
        },
        "monte_carlo": None,
    }


def _vehicle_result() -> dict[str, Any]:
    def point(i: int, lon: float, lat: float, speed: float | None) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "perimeter_point", "index": i, "vehicle": "n3",
                           "impact_speed_kmh": speed, "impact_angle_deg": 80.0,
                           "energy_kj": 1778.0, "run_up_m": 120.0,
                           "required": {"iwa14_1": {"code": "V/7200[N3C]/80/90", "reason": None}}},
        }  # fmt: skip

    def path(i: int, coords: list[list[float]]) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": coords},
            "properties": {"kind": "approach_path", "index": i},
        }

    return {
        "engine": "vehicle",
        "vehicle": {"id": "n3", "name": "N3 heavy goods vehicle"},
        "heat_map": {
            "type": "FeatureCollection",
            "features": [
                point(0, 2.0, 48.0, 40.0),
                point(1, 2.0, 48.0001, 79.6),
                point(2, 2.0, 48.0002, None),
                # the worst approach comes in from due west of its point
                path(1, [[1.998, 48.0001], [1.999, 48.0001], [2.0, 48.0001]]),
                path(0, [[2.0, 48.002], [2.0, 48.0]]),
            ],
        },
    }


def test_compass_points() -> None:
    assert compass(0) == "north"
    assert compass(44) == "north-east"
    assert compass(90) == "east"
    assert compass(200) == "south"
    assert compass(270) == "west"
    assert compass(359) == "north"


def test_penalty_closed_form() -> None:
    # 600 people, 3 p/s in all, 1 p/s left: 600 − 200 = 400 s more
    assert blocked_exit_penalty_s(600, 3.0, 1.0) == pytest.approx(400.0)
    assert blocked_exit_penalty_s(600, 3.0, 0.0) is None


def test_evacuation_injects_from_bare_result() -> None:
    rows = injects_from_engineering(_evac_result(), scenario="ied", start_minute=10)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.scenario == "ied" for r in rows)
    assert [r.time_min for r in rows] == sorted(r.time_min for r in rows)

    jam = next(r for r in rows if "jamming" in r.description)
    # the worst wait (north, 120 s), not the longest-lasting queue (d1); forms at 135 s
    assert "exit north" in jam.description
    assert jam.time_min == 10 + 2
    assert "240 people" in jam.description
    assert "2 min 00 s" in jam.description  # wait = 240 / 2
    assert jam.inject_type is InjectType.EXPECTED_ACTION
    assert "[source: evacuation study" in jam.description

    crush = next(r for r in rows if r.inject_type is InjectType.CONTINGENCY)
    assert crush.contingency_for == jam.seq
    assert crush.time_min == 10 + 3 + 1  # peak at 200 s, one minute later

    blocked = next(r for r in rows if "blocked" in r.description)
    # busiest = north (400 people) at its first arrival 130 s; no layout → capacity estimate:
    # 600 people, 3 p/s all, 1 p/s left → +400 s
    assert blocked.description.startswith("Exit north")
    assert blocked.time_min == 10 + 2
    assert "+400 s" in blocked.description
    assert "6 min 40 s longer" in blocked.description

    clear = next(r for r in rows if "Last occupants" in r.description)
    assert clear.time_min == 10 + 6  # 400 s
    assert "missed" in clear.description
    assert "450 of 600" in clear.description
    assert "P95 460 s" in clear.description


def test_single_exit_blocked_has_no_other_way_out() -> None:
    result = _evac_result()
    result["hydraulic"]["destinations"] = result["hydraulic"]["destinations"][:1]
    rows = injects_from_engineering(result, scenario="ied")
    blocked = next(r for r in rows if "blocked" in r.description)
    assert "only exit" in blocked.description


def test_blocked_exit_rerun_with_layout() -> None:
    geo = room(400, [1.2, 2.4])
    layout = parse_layout(geo)
    result = solve(layout).to_dict()
    study = {
        "id": 7,
        "kind": "evacuation",
        "name": "Hall",
        "parameters": {"occupants": None, "pre_movement_s": 0.0, "blocked": []},
        "geojson": geo,
        "result": {"engine": "evacuation", "summary": {"mode": "evacuation"},
                   "hydraulic": result},
    }  # fmt: skip
    rows = injects_from_engineering(study, scenario="ied")
    blocked = next(r for r in rows if "blocked" in r.description)
    busiest = max(result["destinations"], key=lambda d: (d["occupants"], d["opening"]))
    assert blocked.description.startswith(f"Exit {busiest['opening']}")
    expected = solve(layout, params=HydraulicParams(blocked=frozenset({busiest["opening"]})))
    assert expected.total_time_s > result["total_time_s"]
    assert f"total {expected.total_time_s:.0f} s vs {result['total_time_s']:.0f} s" in (
        blocked.description
    )
    assert "evacuation study #7 “Hall”" in blocked.description


def test_vehicle_injects() -> None:
    rows = injects_from_engineering(_vehicle_result(), scenario="vehicle_ramming", start_minute=5)
    assert len(rows) == 2
    approach, impact = rows
    assert approach.time_min == 5
    assert "from the west" in approach.description
    assert "80 km/h" in approach.description
    assert "perimeter point 1: impact speed 79.6 km/h" in approach.description
    assert impact.inject_type is InjectType.CONTINGENCY
    assert impact.contingency_for == approach.seq
    assert "V/7200[N3C]/80/90" in impact.description


def test_nothing_to_play() -> None:
    assert injects_from_engineering({"engine": "vehicle", "heat_map": {}}, scenario="x") == []
    assert injects_from_engineering({"engine": "evacuation", "error": "x"}, scenario="x") == []
    with pytest.raises(ValueError, match="start_minute"):
        injects_from_engineering(_evac_result(), scenario="x", start_minute=-1)


def test_studies_merge_and_roundtrip_through_msel_csv() -> None:
    rows = injects_from_studies(
        [_evac_result(), _vehicle_result()], scenario="complex", first_seq=3, objective="O1"
    )
    assert [r.seq for r in rows] == list(range(3, 3 + len(rows)))
    assert len(rows) == 6
    assert all(r.objective == "O1" for r in rows)
    for r in rows:
        if r.contingency_for is not None:
            target = next(x for x in rows if x.seq == r.contingency_for)
            assert target.inject_type is InjectType.EXPECTED_ACTION
            assert target.time_min <= r.time_min
    back = msel_from_csv(msel_to_csv(rows), objectives=["O1"])
    assert list(back) == rows
