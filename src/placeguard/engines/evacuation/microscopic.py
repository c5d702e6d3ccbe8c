"""Microscopic evacuation through JuPedSim, analysed with PedPy, checked against SFPE.

JuPedSim and PedPy are optional (extra ``evacuation``; JuPedSim is installed with
``--no-deps`` because its wheel hard-requires PySide6 and VTK for a visualiser). They are
imported only inside the functions here, so this module imports without them;
:func:`available` says whether a run can happen.

The walkable geometry is the union of the layout's spaces with a thin wall (0.2 m) left
wherever two spaces meet except at their doors; each exit becomes a 0.25 m deep exit stage
just inside it. Agents are spread over each space (JuPedSim's ``distribute_by_number``) and
walk to the exit the hydraulic routing gives their start point; JuPedSim's own routing finds
the path. Pre-movement is not simulated (everyone starts at once), and stairs are walked as
level floor — the hydraulic comparison is made under the same assumptions.

Sanity check: the run is *suspect* when an exit used by at least 10 agents passes a flow
outside [1/1.6, 1.6] × the hydraulic model's flow there, when the total time is outside that
band around the hydraulic total, or when agents are still inside at the time limit (JuPedSim
defaults can clog). The band is wide on purpose: measured JuPedSim CFSM door flows are
0.8–1.2 p/(m·s) of clear width against SFPE's 1.3 p/(m·s) of effective width.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
import shapely.affinity
from shapely.geometry import LineString, Polygon

from placeguard.core.errors import ValidationError
from placeguard.engines.evacuation import sfpe
from placeguard.engines.evacuation.hydraulic import (
    HydraulicParams,
    Mode,
    Network,
    build_network,
    element_k,
    solve,
)
from placeguard.engines.evacuation.layout import Layout
from placeguard.engines.evacuation.results import MicroscopicResult

__all__ = ["FLOW_TOLERANCE", "MicroParams", "available", "simulate", "walkable_geometry"]

#: Accepted ratio band between microscopic and hydraulic flows / times: [1/x, x].
FLOW_TOLERANCE = 1.6
_WALL_M = 0.1  # half-thickness of walls between adjacent spaces
_EXIT_DEPTH_M = 0.3
_APRON_M = 1.0
_MIN_AGENTS_FOR_FLOW = 10


def available() -> bool:
    """True when JuPedSim and PedPy can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("jupedsim", "pedpy"))


@dataclass(frozen=True, slots=True)
class MicroParams:
    """Run settings (defaults: Collision-Free Speed Model, dt = 0.01 s)."""

    dt_s: float = 0.01
    max_time_s: float = 600.0
    desired_speed: float = sfpe.free_speed()
    radius_m: float = 0.2
    record_every: int = 10
    seed: int = 0


def _clear_line(line: LineString, width: float) -> LineString:
    """The drawn opening shrunk about its midpoint to its clear width."""
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    length = math.hypot(x2 - x1, y2 - y1)
    if width >= length:
        return LineString([(x1, y1), (x2, y2)])
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    ux, uy = (x2 - x1) / length * width / 2, (y2 - y1) / length * width / 2
    return LineString([(mx - ux, my - uy), (mx + ux, my + uy)])


def _outward(line: LineString, inside: Any) -> tuple[float, float]:
    """Unit normal of ``line`` pointing away from ``inside``."""
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    length = math.hypot(x2 - x1, y2 - y1)
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    if inside.contains(shapely.Point(mx + nx * 0.1, my + ny * 0.1)):
        return (-nx, -ny)
    return (nx, ny)


def _apron(line: LineString, normal: tuple[float, float], depth: float) -> Polygon:
    (x1, y1), (x2, y2) = line.coords[0], line.coords[-1]
    nx, ny = normal
    return Polygon(
        [(x1, y1), (x2, y2), (x2 + nx * depth, y2 + ny * depth), (x1 + nx * depth, y1 + ny * depth)]
    )


@dataclass(frozen=True, slots=True)
class _Geometry:
    walkable: Any
    exit_stages: dict[str, Polygon]
    measurement_lines: dict[str, LineString]


def walkable_geometry(layout: Layout) -> Any:
    """The walkable area: spaces merged, walls kept between them except at doors, and a
    1 m apron outside each exit (its clear width wide) so that people pass the opening."""
    return _geometry(layout).walkable


def _geometry(layout: Layout) -> _Geometry:
    levels = {s.level for s in layout.spaces}
    if len(levels) > 1:
        raise ValidationError.from_mapping(
            {"layout": "microscopic runs need a single-level layout"}
        )
    union = shapely.union_all([s.polygon for s in layout.spaces])
    doors = [
        _clear_line(o.line, o.clear_width_m).buffer(0.05, cap_style="flat")
        for o in layout.openings
        if o.kind == "door"
    ]
    door_union = shapely.union_all(doors) if doors else Polygon()
    walls = []
    spaces = list(layout.spaces)
    for i, a in enumerate(spaces):
        for b in spaces[i + 1 :]:
            shared = a.polygon.boundary.intersection(b.polygon.boundary)
            if shared.length <= 0:
                continue
            solid = shared.difference(door_union)
            if solid.length > 0:
                walls.append(solid.buffer(_WALL_M, cap_style="flat"))
    inside = union.difference(shapely.union_all(walls)) if walls else union
    stages: dict[str, Polygon] = {}
    lines: dict[str, LineString] = {}
    aprons = []
    for o in layout.exits:
        clear = _clear_line(o.line, o.clear_width_m)
        normal = _outward(clear, union)
        aprons.append(_apron(clear, normal, _APRON_M))
        far = shapely.affinity.translate(clear, normal[0] * _APRON_M, normal[1] * _APRON_M)
        stages[o.id] = _apron(far, (-normal[0], -normal[1]), _EXIT_DEPTH_M)
        lines[o.id] = _shrunk(
            shapely.affinity.translate(clear, normal[0] * 0.3, normal[1] * 0.3), 0.05
        )
    walkable = shapely.make_valid(shapely.union_all([inside, *aprons]).buffer(0))
    return _Geometry(walkable, stages, lines)


def _shrunk(line: LineString, by: float) -> LineString:
    return _clear_line(line, max(line.length - 2 * by, 0.1))


def _exit_of(net: Network, sid: str, xy: tuple[float, float]) -> str:
    """The exit the hydraulic routing sends someone starting at ``xy`` in ``sid`` to."""
    options = net.choices[sid][0]
    space = net.layout.space(sid)
    mids = np.array([net.crossings[c].opening.midpoint for c in options])
    walk = np.hypot(mids[:, 0] - xy[0], mids[:, 1] - xy[1]) * space.slope_factor
    cost = walk / sfpe.free_speed(element_k(space)) + np.array([net.time_to_go[c] for c in options])
    c = options[int(np.argmin(cost))]
    while net.next_hop[c] >= 0:
        c = net.next_hop[c]
    return net.crossings[c].opening.id


def _place_agents(
    sim: Any,
    layout: Layout,
    *,
    net: Network,
    walkable: Any,
    journeys: Mapping[str, tuple[int, int]],
    params: MicroParams,
) -> dict[int, str]:
    """Spread each space's occupants over it; each walks to its hydraulic-routing exit."""
    import jupedsim as jps

    agent_exit: dict[int, str] = {}
    for k, space in enumerate(layout.spaces):
        if space.occupants <= 0 or space.id not in net.choices:
            continue
        area = space.polygon.intersection(walkable)
        if area.geom_type != "Polygon":
            area = max(getattr(area, "geoms", [area]), key=lambda g: g.area)
        try:
            positions = jps.distribute_by_number(
                polygon=area,
                number_of_agents=space.occupants,
                distance_to_agents=2.1 * params.radius_m,
                distance_to_polygon=params.radius_m + 0.05,
                seed=params.seed + k,
            )
        except Exception as exc:
            msg = f"cannot place {space.occupants} agents in {space.id!r}: {exc}"
            raise ValidationError.from_mapping({space.id: msg}) from exc
        for xy in positions:
            exit_id = _exit_of(net, space.id, (float(xy[0]), float(xy[1])))
            journey, stage = journeys[exit_id]
            aid = sim.add_agent(
                jps.CollisionFreeSpeedModelAgentParameters(
                    position=(float(xy[0]), float(xy[1])),
                    journey_id=journey,
                    stage_id=stage,
                    desired_speed=params.desired_speed,
                    radius=params.radius_m,
                )
            )
            agent_exit[int(aid)] = exit_id
    return agent_exit


def simulate(
    layout: Layout,
    *,
    occupants: int | None = None,
    params: MicroParams | None = None,
) -> MicroscopicResult:
    """Run the layout through JuPedSim's Collision-Free Speed Model and check it against SFPE."""
    if not available():
        msg = (
            "JuPedSim and PedPy are not installed "
            "(pip install --no-deps jupedsim; extra 'evacuation')"
        )
        raise RuntimeError(msg)
    import jupedsim as jps

    params = params or MicroParams()
    if occupants is not None:
        layout = layout.with_occupants(occupants)
    geo = _geometry(layout)
    walkable = geo.walkable
    net = build_network(layout, Mode.EVACUATION, HydraulicParams())
    sim = jps.Simulation(model=jps.CollisionFreeSpeedModel(), geometry=walkable, dt=params.dt_s)
    journeys: dict[str, tuple[int, int]] = {}
    for o in layout.exits:
        stage = sim.add_exit_stage(geo.exit_stages[o.id])
        journeys[o.id] = (sim.add_journey(jps.JourneyDescription([stage])), stage)
    agent_exit = _place_agents(
        sim, layout, net=net, walkable=walkable, journeys=journeys, params=params
    )
    n_agents = sim.agent_count()
    rows: list[tuple[int, int, float, float]] = []
    agent_steps = 0.0
    max_iter = int(params.max_time_s / params.dt_s)
    start = time.perf_counter()
    it, count = 0, n_agents
    while count > 0 and it < max_iter:
        # one frame, then ``record_every`` iterations in one call (no per-step Python work)
        frame = it // params.record_every
        rows.extend((a.id, frame, a.position[0], a.position[1]) for a in sim.agents())
        batch = min(params.record_every, max_iter - it)
        sim.iterate(batch)
        it += batch
        after = sim.agent_count()
        agent_steps += batch * (count + after) / 2  # agents per step, trapezoid estimate
        count = after
    wall = time.perf_counter() - start
    remaining = sim.agent_count()
    total_time = sim.iteration_count() * params.dt_s
    traj = np.array(rows, dtype=np.float64).reshape(-1, 4)
    frame_rate = 1.0 / (params.dt_s * params.record_every)
    flows = exit_flows(traj, frame_rate, geo.measurement_lines)

    hyd = solve(net)
    hyd_flows = {d.opening: d.mean_flow_pps for d in hyd.destinations}
    used = {e: sum(1 for x in agent_exit.values() if x == e) for e in journeys}
    reasons = _sanity(
        flows=flows,
        hyd_flows=hyd_flows,
        used=used,
        total=total_time,
        hyd_total=hyd.total_time_s,
        remaining=remaining,
    )
    return MicroscopicResult(
        model="CollisionFreeSpeedModel",
        dt_s=params.dt_s,
        agents=n_agents,
        evacuated=n_agents - remaining,
        total_time_s=total_time,
        iterations=sim.iteration_count(),
        wall_s=wall,
        us_per_agent_step=wall / max(agent_steps, 1) * 1e6,
        exit_flows_pps=flows,
        hydraulic_total_time_s=hyd.total_time_s,
        hydraulic_flows_pps=hyd_flows,
        suspect=bool(reasons),
        reasons=tuple(reasons),
        trajectories=traj,
    )


def exit_flows(
    traj: npt.NDArray[np.float64],
    frame_rate: float,
    lines: Mapping[str, LineString],
) -> dict[str, float]:
    """Mean flow (persons/s) over each exit by PedPy's N–t count at its measurement line.

    ``traj`` rows are (id, frame, x, y). An exit crossed by fewer than two people has flow 0.
    """
    import pandas as pd  # type: ignore[import-untyped]  # pandas ships no stubs here
    import pedpy

    if len(traj) == 0:
        return dict.fromkeys(lines, 0.0)
    df = pd.DataFrame(
        {"id": traj[:, 0].astype(int), "frame": traj[:, 1].astype(int), "x": traj[:, 2],
         "y": traj[:, 3]}
    )  # fmt: skip
    data = pedpy.TrajectoryData(data=df, frame_rate=frame_rate)
    out: dict[str, float] = {}
    for eid, line in lines.items():
        ml = pedpy.MeasurementLine(list(line.coords))
        nt, _ = pedpy.compute_n_t(traj_data=data, measurement_line=ml)
        crossed = nt[nt["cumulative_pedestrians"].diff().fillna(nt["cumulative_pedestrians"]) > 0]
        n = int(nt["cumulative_pedestrians"].max()) if len(nt) else 0
        if n < 2 or len(crossed) < 2:
            out[eid] = 0.0
            continue
        span = float(crossed["time"].iloc[-1] - crossed["time"].iloc[0])
        out[eid] = (n - 1) / span if span > 0 else 0.0
    return out


def _sanity(
    *,
    flows: Mapping[str, float],
    hyd_flows: Mapping[str, float],
    used: Mapping[str, int],
    total: float,
    hyd_total: float,
    remaining: int,
) -> list[str]:
    reasons = []
    if remaining:
        reasons.append(f"{remaining} agent(s) still inside at the time limit (clogging?)")
    lo, hi = 1 / FLOW_TOLERANCE, FLOW_TOLERANCE
    for eid, n in sorted(used.items()):
        h = hyd_flows.get(eid, 0.0)
        if n < _MIN_AGENTS_FOR_FLOW or h <= 0:
            continue
        ratio = flows.get(eid, 0.0) / h
        if not lo <= ratio <= hi:
            reasons.append(
                f"exit {eid!r}: flow {flows.get(eid, 0.0):.2f} p/s is ×{ratio:.2f} the "
                f"hydraulic {h:.2f} p/s (accepted ×{lo:.2f}–×{hi:.2f})"
            )
    if hyd_total > 0 and not remaining and not lo <= total / hyd_total <= hi:
        reasons.append(
            f"total time {total:.1f} s is ×{total / hyd_total:.2f} the hydraulic "
            f"{hyd_total:.1f} s (accepted ×{lo:.2f}–×{hi:.2f})"
        )
    return reasons
