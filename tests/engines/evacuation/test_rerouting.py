"""A blocked exit re-routes its occupants through the network to the remaining exits."""

from __future__ import annotations

import pytest

from placeguard.engines.evacuation.hydraulic import HydraulicParams, solve
from placeguard.engines.evacuation.layout import parse_layout
from tests.engines.evacuation._layouts import collection, line, poly


def _two_halls() -> dict[str, object]:
    """Hall A (200 people, exit a) opens through a 2 m door into empty hall B (exit b)."""
    return collection(
        poly("A", "area", 0, 0, 20, 20, occupants=200),
        poly("B", "area", 20, 0, 40, 20),
        line("door", "door", (20, 9), (20, 11), width_m=2.0),
        line("a", "exit", (0, 9), (0, 11), width_m=2.0),
        line("b", "exit", (40, 9), (40, 11), width_m=2.0),
    )


def test_blocked_exit_sends_everyone_through_the_next_room() -> None:
    layout = parse_layout(_two_halls())
    free = solve(layout, params=HydraulicParams(grid_points=8192))
    assert [d.opening for d in free.destinations] == ["a"]  # everyone takes the nearer exit
    blocked = solve(layout, params=HydraulicParams(grid_points=8192, blocked=frozenset({"a"})))
    assert [d.opening for d in blocked.destinations] == ["b"]
    assert blocked.destinations[0].occupants == pytest.approx(200.0)
    assert blocked.unreachable == 0
    # door-limited lower bound: 200 people through 1.7 m effective width at 1.3 p/(m·s)
    assert blocked.total_time_s >= 200 / (1.3 * 1.7)
    assert blocked.total_time_s > free.total_time_s
    # the queue now forms at the internal door (or at b), not at the blocked exit
    assert all(b.opening != "a" for b in blocked.bottlenecks)
    assert any(b.opening in {"door", "b"} for b in blocked.bottlenecks)
