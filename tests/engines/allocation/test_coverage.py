"""Response coverage on a synthetic grid, where every answer has a closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.coverage import (
    Place,
    compute_coverage,
    nearest_station_times,
    plan_units,
)
from placeguard.engines.allocation.roads import RoadGraph, build_road_graph

SIDE = 11  # nodes per side
STEP = 0.001  # degrees between neighbours
EDGE_S = 10.0  # seconds per grid edge


def grid(side: int = SIDE, edge_s: float = EDGE_S) -> RoadGraph:
    """Two-way unit grid: node r*side+c at (lon, lat) = (c, r)·STEP, every edge ``edge_s``."""
    r, c = np.divmod(np.arange(side * side), side)
    right = np.flatnonzero(c < side - 1)
    up = np.flatnonzero(r < side - 1)
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + side])
    return build_road_graph(node_ids=np.arange(side * side), lon=c * STEP, lat=r * STEP, u=u, v=v,
                            seconds=np.full(u.size, edge_s), direction=np.zeros(u.size, dtype=np.int64))  # fmt: skip


def at(row: int, col: int, name: str, capacity: float = 1.0) -> Place:
    return Place(id=name, lon=col * STEP, lat=row * STEP, capacity=capacity)


def test_grid_times_are_manhattan_distance_times_edge_time() -> None:
    g = grid()
    centre = 5 * SIDE + 5
    time_s, station = nearest_station_times(g.times, np.array([centre]))
    r, c = np.divmod(np.arange(SIDE * SIDE), SIDE)
    np.testing.assert_allclose(time_s, (np.abs(r - 5) + np.abs(c - 5)) * EDGE_S)
    assert (station == 0).all()


def test_nearest_station_is_the_closer_one_in_manhattan_distance() -> None:
    g = grid()
    stations = np.array([0, SIDE * SIDE - 1])  # opposite corners
    time_s, station = nearest_station_times(g.times, stations)
    r, c = np.divmod(np.arange(SIDE * SIDE), SIDE)
    d0, d1 = r + c, (SIDE - 1 - r) + (SIDE - 1 - c)
    np.testing.assert_allclose(time_s, np.minimum(d0, d1) * EDGE_S)
    strict = d0 != d1
    np.testing.assert_array_equal(station[strict], (d1 < d0)[strict].astype(int))


def test_site_times_shares_and_capacity_weighting_by_hand() -> None:
    g = grid()
    stations = [at(0, 0, "S")]
    sites = [at(0, 3, "A", 100), at(2, 2, "B", 300), at(10, 10, "C", 600)]
    result = compute_coverage(g, stations, sites, standard_s=45.0)
    np.testing.assert_allclose(result.site_time_s, [30.0, 40.0, 200.0])
    assert result.site_station == ("S", "S", "S")
    assert list(result.covered) == [True, True, False]
    assert result.share_sites == pytest.approx(2 / 3)
    assert result.share_people == pytest.approx(400 / 1000)
    assert result.uncovered_ids == ("C",)
    np.testing.assert_allclose(result.site_snap_m, 0.0, atol=1e-6)


def test_isochrone_of_one_station_is_the_l1_diamond() -> None:
    g = grid()
    result = compute_coverage(g, [at(5, 5, "S")], [at(5, 5, "A")], standard_s=60, bands_s=[30.0])
    (iso,) = result.isochrones
    r = 3  # 30 s / 10 s per edge
    assert iso.nodes == 2 * r * r + 2 * r + 1  # lattice points with |dx| + |dy| ≤ r
    (ring,) = iso.polygons
    xs, ys = np.array(ring).T
    area = 0.5 * abs(float(np.dot(xs[:-1], ys[1:]) - np.dot(xs[1:], ys[:-1])))
    assert area == pytest.approx(2 * (r * STEP) ** 2)  # diamond of L1 radius r: 2r²
    assert ring[0] == ring[-1]


def test_isochrones_are_drawn_per_serving_station() -> None:
    g = grid()
    stations = [at(0, 0, "S"), at(10, 10, "T")]
    result = compute_coverage(g, stations, [at(5, 5, "A")], standard_s=60, bands_s=[20.0])
    (iso,) = result.isochrones
    assert iso.nodes == 12 and len(iso.polygons) == 2  # two corner triangles, not one hull
    feature = iso.as_feature()
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"] == {"band_s": 20.0, "nodes": 12}


def test_disconnected_and_off_network_sites_are_unreachable_results() -> None:
    g = build_road_graph(node_ids=[1, 2, 3, 4], lon=[0, 0.001, 0.01, 0.011], lat=[0, 0, 0, 0],
                         u=[1, 3], v=[2, 4], seconds=[5.0, 5.0], direction=[0, 0])  # fmt: skip
    stations = [Place(id="S", lon=0, lat=0)]
    sites = [Place(id="near", lon=0.001, lat=0, capacity=2),
             Place(id="island", lon=0.011, lat=0, capacity=1),
             Place(id="far", lon=0.001, lat=0.5, capacity=1)]  # fmt: skip
    result = compute_coverage(g, stations, sites, standard_s=60, main_component=False)
    assert result.site_time_s[0] == pytest.approx(5.0)
    assert result.unreachable_ids == ("island", "far")
    assert result.site_station == ("S", None, None)
    assert result.share_people == pytest.approx(0.5)
    data = result.as_dict()
    assert data["sites"][1]["time_s"] is None and data["unreachable"] == ["island", "far"]


def test_a_station_off_the_network_is_ignored_and_reported() -> None:
    g = grid()
    stations = [at(0, 0, "S"), Place(id="boat", lon=0.0, lat=1.0)]
    result = compute_coverage(g, stations, [at(0, 1, "A")], standard_s=60)
    assert result.station_off_network == ("boat",)
    assert result.site_station == ("S",)


@settings(max_examples=30, deadline=None)
@given(
    first=st.lists(st.integers(0, SIDE * SIDE - 1), min_size=1, max_size=4),
    extra=st.integers(0, SIDE * SIDE - 1),
)
def test_adding_a_station_never_increases_any_time(first: list[int], extra: int) -> None:
    g = grid()
    before, _ = nearest_station_times(g.times, np.array(first))
    after, _ = nearest_station_times(g.times, np.array([*first, extra]))
    assert (after <= before + 1e-9).all()


def test_every_input_problem_is_listed_at_once() -> None:
    g = grid()
    sites = [Place(id="A", lon=0, lat=95.0), Place(id="A", lon=200, lat=0),
             Place(id="B", lon=0, lat=0, capacity=-1)]  # fmt: skip
    with pytest.raises(ValidationError) as info:
        compute_coverage(g, [], sites, standard_s=-5, bands_s=[0.0])
    messages = " | ".join(f"{e.field}: {e.message}" for e in info.value.errors)
    for fragment in ("at least one of the stations", "latitude 95.0", "duplicate id 'A'",
                     "longitude 200", "capacity -1", "standard -5", "band 0.0"):  # fmt: skip
        assert fragment in messages


def test_one_unit_at_the_grid_centre_covers_the_diamond() -> None:
    g = grid()
    sites = [at(5, 5, "centre", 10), at(5, 8, "east", 5), at(0, 0, "corner", 1)]
    plan = plan_units(g, sites, standard_s=30.0, units=1)
    assert plan.siting.status == "optimal"
    assert plan.siting.objective == pytest.approx(15.0)  # the corner is 100 s from both others
    assert list(plan.covered_after) == [True, True, False]
    (node,) = plan.chosen_nodes
    r, c = divmod(int(node), SIDE)
    assert abs(r - 5) + abs(c - 5) <= 3 and abs(r - 5) + abs(c - 8) <= 3
    assert plan.share_people_after == pytest.approx(15 / 16)


def test_min_units_keeps_existing_stations_and_covers_the_rest() -> None:
    g = grid()
    sites = [at(0, 0, "a"), at(0, 10, "b"), at(10, 0, "c"), at(10, 10, "d")]
    plan = plan_units(g, sites, standard_s=20.0, stations=[at(0, 0, "S")])
    assert list(plan.covered_before) == [True, False, False, False]
    assert plan.siting.objective == 3 and plan.siting.status == "optimal"
    assert plan.covered_after.all() and plan.uncovered_ids == ()


def test_candidates_restrict_where_units_may_stand() -> None:
    g = grid()
    sites = [at(5, 5, "centre")]
    candidates = [at(0, 0, "yard"), at(5, 6, "depot"), Place(id="sea", lon=0, lat=1)]
    plan = plan_units(g, sites, standard_s=30.0, units=1, candidates=candidates)
    assert plan.chosen_ids == ("depot",)
    with pytest.raises(ValidationError, match="exceed"):
        plan_units(g, sites, standard_s=30.0, units=3, candidates=candidates)


def test_siting_input_problems_are_listed() -> None:
    with pytest.raises(ValidationError) as info:
        plan_units(grid(), [at(0, 0, "a"), at(0, 0, "a")], standard_s=math.nan, units=0)
    fields = {e.field.split(" ")[0] for e in info.value.errors}
    assert fields == {"sites[1]", "standard", "units"}


def test_points_snap_to_the_main_component_by_default() -> None:
    # a 3-node two-way road, and beside it a one-way stub 2 → 4 that nothing can leave
    g = build_road_graph(node_ids=[1, 2, 3, 4], lon=[0, 0.001, 0.002, 0.0011], lat=[0, 0, 0, 0.0001],
                         u=[1, 2, 2], v=[2, 3, 4], seconds=[5.0, 5.0, 1.0], direction=[0, 0, 1])  # fmt: skip
    assert list(g.main_component()) == [True, True, True, False]
    site = [Place(id="A", lon=0.0011, lat=0.0001)]  # on the stub's dead end
    station = [Place(id="S", lon=0.0011, lat=0.0001)]  # so is the station
    snapped = compute_coverage(g, station, site, standard_s=60)
    assert snapped.site_node[0] == 1 and snapped.station_node[0] == 1
    assert snapped.site_snap_m[0] == pytest.approx(15.7, abs=0.2)  # ≈ 11 m east, 11 m south
    stuck = compute_coverage(g, station, site, standard_s=60, main_component=False)
    assert stuck.site_node[0] == 3 and stuck.isochrones[0].nodes == 1  # the station can go nowhere
