"""Approach search: agrees with the path profile, with brute force, and rejects bad sites."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from placeguard.core.errors import ValidationError
from placeguard.engines.vehicle.assess import AssessmentOptions, assess_site
from placeguard.engines.vehicle.paths import prepare_approaches, solve_approaches
from placeguard.engines.vehicle.profile import speed_profile
from placeguard.engines.vehicle.surface import build_surface, parse_site
from placeguard.engines.vehicle.vehicles import get_vehicle
from tests.engines.vehicle.conftest import SQUARE, site_doc

CAR = get_vehicle("car").with_overrides(power_w=None, max_accel=2.5)


def test_straight_road_into_the_perimeter_gives_root_2as() -> None:
    doc = site_doc(SQUARE, [([[0.0, -70.0], [0.0, -30.0], [0.0, 0.0]], "residential")])
    a = assess_site(parse_site(doc), CAR, options=AssessmentOptions(final_approach_m=0.0))
    crossing = np.flatnonzero(a.impacts.kind == 1)
    assert crossing.size == 1
    i = int(crossing[0])
    assert a.impacts.speed_ms[i] == pytest.approx(math.sqrt(2 * 2.5 * 60.0), rel=1e-9)
    assert a.impacts.angle_deg[i] == pytest.approx(90.0)
    assert a.impacts.energy_kj[i] == pytest.approx(0.5 * CAR.mass_kg * 2 * 2.5 * 60.0 / 1000)
    assert np.isnan(a.impacts.speed_ms[a.impacts.kind == 0]).all()  # nothing else reaches


def test_worst_path_replays_to_the_same_impact_speed() -> None:
    grid = [([[x, -100.0], [x, -60.0], [x, -20.0]], "residential") for x in (-40.0, 0.0, 40.0)]
    grid += [([[-80.0, y], [-40.0, y], [0.0, y], [40.0, y], [80.0, y]], "footway")
             for y in (-100.0, -60.0, -20.0)]  # fmt: skip
    a = assess_site(parse_site(site_doc(SQUARE, grid)), CAR)
    reach = np.flatnonzero(np.isfinite(a.impacts.speed_ms))
    assert reach.size > 3
    for i in reach:
        replay = speed_profile(a.impacts.paths[i], CAR).impact_speed
        assert replay == pytest.approx(a.impacts.speed_ms[i], rel=1e-9)


def _brute_force(a: object, vehicle: object) -> np.ndarray:
    """Best profile over every simple path ending with a final run, per target (networkx)."""
    net = a.network  # type: ignore[attr-defined]
    g = nx.Graph()
    g.add_edges_from(zip(net.graph.u.tolist(), net.graph.v.tolist(), strict=True))
    best = np.full(net.n_targets, np.nan)
    for node, target in zip(net.link_node.tolist(), net.link_target.tolist(), strict=True):
        starts = list(g.nodes) if node in g else [node]
        for s in starts:
            walks = [[node]] if s == node else nx.all_simple_paths(g, s, node)
            for walk in walks:
                pts = np.vstack([net.graph.xy[walk], net.target_xy[target]])
                if np.any(np.hypot(*np.diff(pts, axis=0).T) < 1e-9):
                    continue
                v = speed_profile(pts, vehicle).impact_speed  # type: ignore[arg-type]
                best[target] = np.fmax(best[target], v)
    return best


def test_search_equals_brute_force_on_a_tree() -> None:
    tree = [([[0.0, -120.0], [0.0, -60.0], [0.0, -30.0]], "primary"),
            ([[-50.0, -90.0], [0.0, -60.0]], "service"),
            ([[60.0, -40.0], [0.0, -30.0]], "footway"),
            ([[0.0, -30.0], [-5.0, -14.0]], "footway")]  # fmt: skip
    a = assess_site(parse_site(site_doc(SQUARE, tree)), CAR)
    brute = _brute_force(a, CAR)
    np.testing.assert_allclose(a.impacts.speed_ms, brute, rtol=1e-9, equal_nan=True)


def test_search_is_at_least_brute_force_on_a_grid_with_loops() -> None:
    grid = [([[x, -90.0], [x, -50.0], [x, -20.0]], "residential") for x in (-30.0, 30.0)]
    grid += [([[-30.0, y], [30.0, y]], "residential") for y in (-90.0, -50.0, -20.0)]
    a = assess_site(parse_site(site_doc(SQUARE, grid)), CAR)
    brute = _brute_force(a, CAR)
    reach = np.isfinite(brute)
    assert reach.any()
    assert np.all(a.impacts.speed_ms[reach] >= brute[reach] - 1e-9)


def test_open_area_allows_a_straight_run_across_a_plaza() -> None:
    plaza = [[-60.0, -80.0], [60.0, -80.0], [60.0, -10.0], [-60.0, -10.0]]
    with_plaza = site_doc(SQUARE, [([[-60.0, -80.0], [-200.0, -80.0]], "residential")],
                          open_areas=[plaza])  # fmt: skip
    a = assess_site(parse_site(with_plaza), CAR, options=AssessmentOptions(final_approach_m=5.0))
    assert int(np.sum(a.graph.kind == 2)) > 0
    assert np.nanmax(a.impacts.speed_ms) > 15.0  # a long straight run-up exists


def test_obstacle_blocks_the_final_run() -> None:
    ways = [([[-100.0, -20.0], [-5.0, -20.0], [5.0, -20.0], [100.0, -20.0]], "primary")]
    wall = [[-50.0, -15.0], [50.0, -15.0], [50.0, -12.0], [-50.0, -12.0]]
    free = assess_site(parse_site(site_doc(SQUARE, ways)), CAR)
    assert np.isfinite(free.impacts.speed_ms).any()
    with pytest.raises(ValidationError) as info:  # every final run crosses the wall
        assess_site(parse_site(site_doc(SQUARE, ways, obstacles=[wall])), CAR)
    assert info.value.code == "disconnected"


def test_self_intersecting_perimeter_is_reported_with_its_edges() -> None:
    bow_tie = [[-10.0, -10.0], [10.0, 10.0], [10.0, -10.0], [-10.0, 10.0]]
    with pytest.raises(ValidationError) as info:
        parse_site(site_doc(bow_tie, [([[0.0, -50.0], [0.0, -20.0]], "primary")]))
    messages = [(e.field, e.message) for e in info.value.errors]
    assert ("perimeter (features[0]) edges 0 and 2", "the polygon boundary intersects itself") in (
        messages
    )


def test_every_problem_of_a_site_file_is_listed() -> None:
    doc = site_doc(SQUARE)
    doc["features"] += [
        {"type": "Feature", "properties": {"highway": "primary"},
         "geometry": {"type": "LineString", "coordinates": [[500, 0]]}},
        {"type": "Feature", "properties": {"role": "perimeter"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]}},
    ]  # fmt: skip
    with pytest.raises(ValidationError) as info:
        parse_site(doc)
    fields = [e.field for e in info.value.errors]
    assert "features[1]" in fields
    assert "perimeter" in fields


def test_paths_disconnected_from_the_perimeter_are_rejected() -> None:
    site = parse_site(site_doc(SQUARE, [([[0.0, -200.0], [0.0, -150.0]], "primary")]))
    graph = build_surface(site, radius_m=300.0)
    with pytest.raises(ValidationError) as info:
        prepare_approaches(graph, site, final_approach_m=25.0)
    assert info.value.code == "disconnected"


def test_bad_parameters_are_rejected() -> None:
    site = parse_site(site_doc(SQUARE, [([[0.0, -50.0], [0.0, 0.0]], "primary")]))
    with pytest.raises(ValidationError):
        build_surface(site, radius_m=-1.0)
    graph = build_surface(site)
    with pytest.raises(ValidationError) as info:
        prepare_approaches(graph, site, spacing_m=0.0, final_approach_m=-3.0)
    assert {e.field for e in info.value.errors} == {"spacing_m", "final_approach_m"}
    net = prepare_approaches(graph, site)
    with pytest.raises(ValidationError):
        solve_approaches(net, CAR, start_speed=-2.0)
