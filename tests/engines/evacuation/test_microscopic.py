"""JuPedSim runs: RiMEA test 1 and the flow sanity check (skipped without JuPedSim/PedPy)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import shapely

from placeguard.engines.evacuation.layout import parse_layout
from placeguard.engines.evacuation.microscopic import (
    MicroParams,
    _sanity,
    available,
    simulate,
    walkable_geometry,
)
from tests.engines.evacuation._layouts import collection, line, poly, room

needs_jupedsim = pytest.mark.skipif(not available(), reason="jupedsim/pedpy not installed")


def test_engine_imports_without_jupedsim() -> None:
    mod = importlib.import_module("placeguard.engines.evacuation.microscopic")
    assert "jupedsim" not in vars(mod)


def test_walkable_geometry_keeps_walls_between_spaces() -> None:
    data = collection(
        poly("a", "area", 0, 0, 10, 10),
        poly("b", "area", 10, 0, 20, 10),
        line("d", "door", (10, 4), (10, 6)),
        line("x", "exit", (20, 4), (20, 6)),
    )
    geo = walkable_geometry(parse_layout(data))
    assert not geo.contains(shapely.Point(10, 1))  # wall
    assert geo.contains(shapely.Point(10, 5))  # door
    assert geo.contains(shapely.Point(20.5, 5))  # apron outside the exit


def test_sanity_flags_disagreement() -> None:
    ok = _sanity(
        flows={"e": 1.2}, hyd_flows={"e": 1.1}, used={"e": 50}, total=100, hyd_total=95, remaining=0
    )
    assert ok == []
    clogged = _sanity(
        flows={"e": 0.2},
        hyd_flows={"e": 1.1},
        used={"e": 50},
        total=600,
        hyd_total=95,
        remaining=20,
    )
    assert len(clogged) == 2  # agents left inside; flow far below the hydraulic one
    assert "still inside" in clogged[0]


@needs_jupedsim
def test_rimea_1_free_walking() -> None:
    """RiMEA test 1: one person, 40 m corridor (2 m wide), 1.33 m/s -> 26–34 s."""
    data = collection(
        poly("corridor", "corridor", 0, 0, 40, 2, occupants=1),
        line("exit", "exit", (40, 0), (40, 2)),
    )
    layout = parse_layout(data)
    import jupedsim as jps

    sim = jps.Simulation(
        model=jps.CollisionFreeSpeedModel(), geometry=walkable_geometry(layout), dt=0.01
    )
    stage = sim.add_exit_stage([(40.0, 0.0), (40.3, 0.0), (40.3, 2.0), (40.0, 2.0)])
    journey = sim.add_journey(jps.JourneyDescription([stage]))
    sim.add_agent(
        jps.CollisionFreeSpeedModelAgentParameters(
            position=(0.0 + 0.25, 1.0),
            journey_id=journey,
            stage_id=stage,
            desired_speed=1.33,
            radius=0.2,
        )
    )
    while sim.agent_count() and sim.iteration_count() < 5000:
        sim.iterate()
    t = sim.iteration_count() * 0.01
    assert 26.0 <= t <= 34.0
    assert t == pytest.approx((40.0 - 0.25) / 1.33, abs=1.0)


@needs_jupedsim
def test_door_flow_consistent_with_hydraulic() -> None:
    layout = parse_layout(room(60, [1.2], size=8.0))
    res = simulate(layout, params=MicroParams(max_time_s=200))
    assert res.evacuated == res.agents == 60
    assert not res.suspect, res.reasons
    assert res.exit_flows_pps["exit-0"] > 0.5
    assert res.trajectories.shape[1] == 4
    assert np.isfinite(res.us_per_agent_step)
    assert set(res.to_dict()) >= {"suspect", "exit_flows_pps", "us_per_agent_step"}
