"""SFPE hydraulic network model: ground truth and invariants."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.content.layouts import EXAMPLE_VENUE
from placeguard.engines.evacuation import sfpe
from placeguard.engines.evacuation.hydraulic import HydraulicParams, Mode, build_network, solve
from placeguard.engines.evacuation.layout import parse_layout
from tests.engines.evacuation._layouts import collection, line, poly, room, room_with_corridor

FINE = HydraulicParams(grid_points=8192)


def test_door_limited_room_formula() -> None:
    """T = t_pre + N / (Fs·We) + travel: 500 people, 2.0 m door -> We = 1.7 m, 226 s of flow."""
    layout = parse_layout(room_with_corridor(occupants=500, door_m=2.0, corridor_len=30.0))
    res = solve(layout, params=HydraulicParams(pre_movement_s=20.0, grid_points=8192))
    flow_time = 500 / (1.3 * 1.7)
    assert flow_time == pytest.approx(226.2, abs=0.1)
    corridor_fs = 1.3 * 1.7 / (4.0 - 2 * 0.20)  # the door's flow spread over the corridor
    v = sfpe.speed(sfpe.density_for_specific_flow(corridor_fs))
    expected = 20.0 + flow_time + 30.0 / v
    # the first walker's few steps to the door add under 2 s
    assert expected <= res.total_time_s <= expected + 2.0
    door = next(b for b in res.bottlenecks if b.opening == "door")
    assert door.capacity_pps == pytest.approx(1.3 * 1.7)
    assert door.duration_s == pytest.approx(flow_time, abs=3.0)
    assert res.destinations[0].mean_flow_pps == pytest.approx(1.3 * 1.7, rel=0.02)


def test_free_walking_when_no_queue() -> None:
    """One person 30 m down a corridor walks at the SFPE free speed: no queue anywhere."""
    data = collection(
        poly("c", "corridor", 0, 0, 30, 2, occupants=1),
        line("exit", "exit", (30, 0), (30, 2)),
    )
    res = solve(parse_layout(data), params=FINE)
    v = sfpe.free_speed()
    assert res.total_time_s <= 30.0 / v + 1.0  # at most the full length at free speed
    assert not res.bottlenecks


def test_example_venue_answers() -> None:
    layout = parse_layout(json.loads(EXAMPLE_VENUE.read_text(encoding="utf-8")))
    res = solve(layout, target_time_s=120)
    assert res.occupants == 3000
    assert sum(d.occupants for d in res.destinations) == pytest.approx(3000)
    assert 100 < res.total_time_s < 600
    assert res.bottlenecks and res.bottlenecks[0].max_queue > 10
    assert 0 < res.cleared_by_target < 3000
    assert res.cleared_within(res.total_time_s + 1) == pytest.approx(3000)
    inv = solve(layout, mode="invacuation")
    assert inv.destinations[0].opening == "door-refuge"
    lock = solve(layout, mode=Mode.LOCKDOWN)
    assert lock.already_safe == 100  # the lounge is lockable
    assert any("capacity" in w for w in lock.warnings)
    out = res.to_dict()
    assert set(out) >= {"total_time_s", "destinations", "bottlenecks", "cleared_by_target"}


def test_blocked_exit_reroutes_and_lengthens() -> None:
    layout = parse_layout(room(300, [2.0, 2.0]))
    both = solve(layout, params=FINE)
    one = solve(layout, params=HydraulicParams(grid_points=8192, blocked=frozenset({"exit-0"})))
    assert [d.opening for d in one.destinations] == ["exit-1"]
    assert one.total_time_s > both.total_time_s * 1.5


def test_unreachable_people_are_reported() -> None:
    layout = parse_layout(room(50, [2.0]))
    res = solve(layout, params=HydraulicParams(blocked=frozenset({"exit-0"})))
    assert res.unreachable == 50
    assert res.warnings


def test_modes_need_their_destination() -> None:
    layout = parse_layout(room(50, [2.0]))
    with pytest.raises(ValueError, match="protected"):
        build_network(layout, "invacuation")
    with pytest.raises(ValueError, match="lockable"):
        build_network(layout, "lockdown")


def _time(occupants: int, widths: list[float], pre: float = 0.0) -> float:
    layout = parse_layout(room(occupants, widths))
    return solve(layout, params=HydraulicParams(pre_movement_s=pre, grid_points=8192)).total_time_s


def _tol(t: float) -> float:
    return 0.25 + t / 4096  # two grid steps


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 1200),
    widths=st.lists(st.floats(0.8, 4.0), min_size=1, max_size=3),
    extra=st.floats(0.0, 3.0),
    which=st.integers(0, 2),
)
def test_more_exit_width_never_increases_time(
    n: int, widths: list[float], extra: float, which: int
) -> None:
    wider = list(widths)
    i = which % len(wider)
    wider[i] = min(wider[i] + extra, 20.0 / len(wider) - 0.1)
    if wider[i] < widths[i]:
        return
    base = _time(n, widths)
    assert _time(n, wider) <= base + _tol(base)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 1000), more=st.integers(0, 400), w=st.floats(0.8, 3.0))
def test_more_occupants_never_decrease_time(n: int, more: int, w: float) -> None:
    base = _time(n, [w])
    assert _time(n + more, [w]) >= base - _tol(base)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 800), pre=st.floats(0.0, 300.0), w=st.floats(0.8, 3.0))
def test_pre_movement_shifts_time_by_at_least_itself(n: int, pre: float, w: float) -> None:
    base = _time(n, [w])
    shifted = _time(n, [w], pre)
    assert shifted >= base + pre - _tol(shifted)
    assert math.isclose(shifted, base + pre, abs_tol=2 * _tol(shifted))  # uniform: exact shift
