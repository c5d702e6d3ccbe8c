"""Approach paths are simple (no node twice) and no longer than the route cap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.engines.vehicle.assess import AssessmentOptions, assess_site
from placeguard.engines.vehicle.paths import (
    DETOUR_FACTOR,
    _simple_capped,
    prepare_approaches,
    solve_approaches,
)
from placeguard.engines.vehicle.profile import speed_profile
from placeguard.engines.vehicle.surface import build_surface, parse_site
from placeguard.engines.vehicle.vehicles import get_vehicle
from tests.engines.vehicle.conftest import SQUARE, site_doc
from tests.engines.vehicle.test_paths import _brute_force

CAR = get_vehicle("car").with_overrides(power_w=None, max_accel=2.5)


def _no_revisit(path: np.ndarray) -> bool:
    keys = {(round(float(x), 6), round(float(y), 6)) for x, y in path}
    return len(keys) == path.shape[0]


def test_cap_on_a_long_straight_road_gives_root_2a_cap() -> None:
    # 100 m of straight road up to the perimeter; capped at 50 m the run-up is 50 m (speeds
    # stay below the car's power-limited regime, P/(m·a) = 22.7 m/s).
    doc = site_doc(SQUARE, [([[0.0, -110.0], [0.0, -60.0], [0.0, 0.0]], "primary")])
    opts = AssessmentOptions(final_approach_m=0.0, radius_m=400.0, max_route_m=50.0)
    a = assess_site(parse_site(doc), CAR, options=opts)
    i = int(np.flatnonzero(a.impacts.kind == 1)[0])
    assert a.impacts.speed_ms[i] == pytest.approx(math.sqrt(2 * 2.5 * 50.0), rel=1e-9)
    assert a.impacts.run_up_m[i] == pytest.approx(50.0)
    assert a.result.n_rerouted >= 1
    assert a.summary()["max_route_m"] == 50.0
    # default cap (400 m × 2): the whole 100 m counts
    b = assess_site(parse_site(doc), CAR, options=AssessmentOptions(final_approach_m=0.0,
                                                                     radius_m=400.0))  # fmt: skip
    assert b.impacts.speed_ms[i] == pytest.approx(math.sqrt(2 * 2.5 * 100.0), rel=1e-9)
    assert b.options.route_cap_m == 400.0 * DETOUR_FACTOR


def test_loop_erasure_and_cut() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [20.0, 0.0]])
    # walk 0 → 1 → 2 → 3 → 0 → 1 → 4 revisits 0 and 1: erased to 0 → 1 → 4
    pts = _simple_capped(xy, [0, 1, 2, 3, 0, 1, 4], np.array([30.0, 0.0]), math.inf)
    np.testing.assert_allclose(pts, [[0, 0], [10, 0], [20, 0], [30, 0]])
    cut = _simple_capped(xy, [0, 1, 4], np.array([30.0, 0.0]), 15.0)
    np.testing.assert_allclose(cut, [[15, 0], [20, 0], [30, 0]])


def test_bad_route_cap_is_rejected() -> None:
    doc = site_doc(SQUARE, [([[0.0, -70.0], [0.0, 0.0]], "residential")])
    site = parse_site(doc)
    net = prepare_approaches(build_surface(site), site)
    with pytest.raises(ValidationError):
        solve_approaches(net, CAR, max_route_m=0.0)


@st.composite
def grids(draw: st.DrawFn) -> tuple[list[tuple[list[list[float]], str]], float]:
    """A random street grid south of the site (with loops) and a route cap."""
    nx_ = draw(st.integers(2, 4))
    ny_ = draw(st.integers(2, 4))
    dx = draw(st.floats(15.0, 60.0))
    dy = draw(st.floats(15.0, 60.0))
    x0 = -dx * (nx_ - 1) / 2
    xs = [x0 + i * dx for i in range(nx_)]
    ys = [-15.0 - j * dy for j in range(ny_)]
    ways = [([[x, ys[-1]], *[[x, y] for y in ys[-2::-1]]], "residential") for x in xs]
    ways += [([[xs[0], y], *[[x, y] for x in xs[1:]]], "service") for y in ys]
    if draw(st.booleans()):  # a diagonal shortcut makes sharper turns
        ways.append(([[xs[0], ys[-1]], [xs[-1], ys[0]]], "footway"))
    cap = draw(st.floats(20.0, 400.0))
    return ways, cap


@settings(max_examples=25, deadline=None)
@given(grids())
def test_every_returned_path_is_simple_capped_and_replays(
    case: tuple[list[tuple[list[list[float]], str]], float],
) -> None:
    ways, cap = case
    try:
        site = parse_site(site_doc(SQUARE, ways))
        a = assess_site(site, CAR, options=AssessmentOptions(max_route_m=cap))
    except ValidationError:
        return  # e.g. an unlucky layout with no way near the perimeter
    reach = np.flatnonzero(np.isfinite(a.impacts.speed_ms))
    for i in reach:
        path = a.impacts.paths[i]
        assert _no_revisit(path[:-1]), path  # graph part; the last point is the target
        assert a.impacts.run_up_m[i] <= cap * (1 + 1e-9) + 1e-9
        if path.shape[0] >= 2:
            replay = speed_profile(path, CAR).impact_speed
            assert replay == pytest.approx(a.impacts.speed_ms[i], rel=1e-9, abs=1e-9)


def test_small_block_with_a_loop_equals_brute_force_over_simple_paths() -> None:
    # The best walk here circles the block before heading in; the best *simple* path takes
    # three sides of it. Recovered paths must reach the search's speed without looping.
    block = [([[-7.5, -45.0], [-7.5, -30.0], [-7.5, -15.0]], "residential"),
             ([[7.5, -45.0], [7.5, -30.0], [7.5, -15.0]], "residential"),
             ([[-7.5, -15.0], [7.5, -15.0]], "service"),
             ([[-7.5, -30.0], [7.5, -30.0]], "service"),
             ([[-7.5, -45.0], [7.5, -45.0]], "service")]  # fmt: skip
    a = assess_site(parse_site(site_doc(SQUARE, block)), CAR)
    brute = _brute_force(a, CAR)
    np.testing.assert_allclose(a.impacts.speed_ms, brute, rtol=1e-9, equal_nan=True)
    assert a.result.walk_bound is not None
    assert np.all(a.impacts.speed_ms[np.isfinite(brute)] <= a.result.walk_bound[np.isfinite(brute)]
                  * (1 + 1e-9))  # fmt: skip
