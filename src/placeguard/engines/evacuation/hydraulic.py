"""SFPE hydraulic network model: evacuation, invacuation and lockdown movement times.

The layout becomes a network of *crossings* (an opening passed in one direction). Every
crossing has a flow capacity — Fsm × effective width of the door, no more than the corridor
or stair it enters or leaves — and a next hop towards the nearest destination (Dijkstra on
walking time over door midpoints). People in a space pick the door that minimises their walk
to it plus the remaining time from there (the space is sampled on a grid, each sample a share
of its occupants), start after their pre-movement time, and walk at the SFPE speed for the
space's initial density.

Each crossing is a point queue on cumulative counts, computed in closed form on a time grid:
``D(t) = c·t + min_{s≤t}(A(s) − c·s)`` where ``A`` is arrivals (own occupants plus upstream
departures delayed by the travel time between the two openings) and ``c`` the capacity.
So a queue forms wherever arrivals exceed what the transition lets through, and its length
and duration are read off ``A − D``. See ``docs/evacuation-method.md``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import shapely

from placeguard.core.errors import ValidationError
from placeguard.engines.evacuation import sfpe
from placeguard.engines.evacuation.layout import Layout, Opening, Space
from placeguard.engines.evacuation.results import Bottleneck, DestinationFlow, HydraulicResult

__all__ = [
    "HydraulicParams",
    "Mode",
    "Network",
    "build_network",
    "element_k",
    "run_network",
    "solve",
]

FloatArray = npt.NDArray[np.float64]
#: Slowest speed used to size the time grid (m/s); only affects the horizon, not results.
_SLOWEST_SPEED = 0.3
#: A queue "exists" while more than this many people wait at a transition.
_QUEUE_THRESHOLD = 0.5


class Mode(StrEnum):
    """Where people go."""

    EVACUATION = "evacuation"  # out through the exits
    INVACUATION = "invacuation"  # into a protected space (refuge) inside the site
    LOCKDOWN = "lockdown"  # into the nearest lockable room


@dataclass(frozen=True, slots=True)
class HydraulicParams:
    """Tunable assumptions (defaults are the SFPE values)."""

    pre_movement_s: float = 0.0
    door_max_specific_flow: float = sfpe.DOOR_MAX_SPECIFIC_FLOW
    grid_points: int = 2048
    samples_per_space: int = 200
    blocked: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Crossing:
    opening: Opening
    src: str
    dst: str | None  # None: outside


@dataclass(eq=False)
class Network:
    """The routing of a layout for one mode; reusable across occupant loads and runs."""

    layout: Layout
    mode: Mode
    crossings: list[_Crossing]
    next_hop: list[int]
    hop_distance: list[float]
    capacity: FloatArray
    order: list[int]
    path_distance: list[float]
    safe_spaces: frozenset[str]
    time_to_go: list[float]
    #: per space: (crossing indices, per-sample crossing index array, per-sample plan distance)
    choices: dict[str, tuple[list[int], npt.NDArray[np.intp], FloatArray]] = field(
        default_factory=dict
    )

    @property
    def sinks(self) -> list[int]:
        return [i for i, nh in enumerate(self.next_hop) if nh == -1]


def _element_capacity(space: Space) -> float:
    k = element_k(space)
    return sfpe.max_specific_flow(k, space.element) * space.effective_width_m


def element_k(space: Space) -> float:
    if space.kind == "stair":
        return sfpe.k_for_stair(space.riser_m, space.tread_m)
    return sfpe.K_LEVEL


def _samples(space: Space, n: int) -> FloatArray:
    poly = space.polygon
    minx, miny, maxx, maxy = poly.bounds
    step = math.sqrt(poly.area / max(n, 1))
    xs = np.arange(minx + step / 2, maxx, step)
    ys = np.arange(miny + step / 2, maxy, step)
    mx, my = np.meshgrid(xs, ys)
    gx, gy = mx.ravel(), my.ravel()
    inside = shapely.contains_xy(poly, gx, gy)
    pts = np.column_stack([gx[inside], gy[inside]])
    if len(pts) == 0:
        p = poly.representative_point()
        pts = np.array([[p.x, p.y]])
    return pts.astype(np.float64)


def _safe_spaces(layout: Layout, mode: Mode) -> frozenset[str]:
    if mode is Mode.INVACUATION:
        safe = frozenset(s.id for s in layout.spaces if s.protected)
        if not safe:
            msg = "Invacuation needs an area with protected: true."
            raise ValidationError.from_mapping({"layout": msg}, msg)
        return safe
    if mode is Mode.LOCKDOWN:
        safe = frozenset(s.id for s in layout.spaces if s.lockable or s.protected)
        if not safe:
            msg = "Lockdown needs an area with lockable: true."
            raise ValidationError.from_mapping({"layout": msg}, msg)
        return safe
    return frozenset()


def _make_crossings(
    layout: Layout, mode: Mode, safe: frozenset[str], blocked: frozenset[str]
) -> list[_Crossing]:
    crossings: list[_Crossing] = []
    for o in layout.openings:
        if o.id in blocked:
            continue
        if o.kind == "exit":
            if mode is Mode.EVACUATION and o.spaces[0] not in safe:
                crossings.append(_Crossing(o, o.spaces[0], None))
            continue
        a, b = o.spaces
        crossings.extend(_Crossing(o, src, dst) for src, dst in ((a, b), (b, a)) if src not in safe)
    return crossings


def _route(
    crossings: list[_Crossing],
    spaces: Mapping[str, Space],
    mids: FloatArray,
    sinks: list[int],
) -> tuple[list[float], list[int]]:
    """Dijkstra backwards from the sinks on free walking time: (time to go, next hop)."""
    into: dict[str, list[int]] = {s: [] for s in spaces}
    for i, c in enumerate(crossings):
        if c.dst is not None:
            into[c.dst].append(i)
    h = [math.inf] * len(crossings)
    nxt = [-1] * len(crossings)
    heap: list[tuple[float, int]] = []
    for i in sinks:
        h[i] = 0.0
        heap.append((0.0, i))
    heapq.heapify(heap)
    while heap:
        hv, j = heapq.heappop(heap)
        if hv > h[j]:
            continue
        space = spaces[crossings[j].src]
        v = sfpe.free_speed(element_k(space))
        for i in into[space.id]:
            if crossings[i].opening.id == crossings[j].opening.id:
                continue
            w = float(np.hypot(*(mids[i] - mids[j]))) * space.slope_factor / v
            if hv + w < h[i]:
                h[i] = hv + w
                nxt[i] = j
                heapq.heappush(heap, (hv + w, i))
    return h, nxt


def _capacity(c: _Crossing, spaces: Mapping[str, Space], fsm: float) -> float:
    cap = fsm * c.opening.effective_width_m
    for sid in (c.src, c.dst):
        if sid is not None and spaces[sid].kind in ("corridor", "stair"):
            cap = min(cap, _element_capacity(spaces[sid]))
    return cap


def _door_choices(
    space: Space, options: list[int], h: list[float], mids: FloatArray, samples: int
) -> tuple[list[int], npt.NDArray[np.intp], FloatArray]:
    """Each sample point of ``space`` takes the door minimising walk + time to go from it."""
    pts = _samples(space, samples)
    v = sfpe.free_speed(element_k(space))
    om = mids[options]
    dist = np.hypot(pts[:, None, 0] - om[None, :, 0], pts[:, None, 1] - om[None, :, 1])
    dist *= space.slope_factor
    cost = dist / v + np.array([h[i] for i in options])[None, :]
    pick = np.argmin(cost, axis=1).astype(np.intp)
    return options, pick, dist[np.arange(len(pts)), pick]


def build_network(
    layout: Layout, mode: Mode | str = Mode.EVACUATION, params: HydraulicParams | None = None
) -> Network:
    """Route every space of ``layout`` to its destinations for ``mode``."""
    params = params or HydraulicParams()
    mode = Mode(mode)
    spaces = {s.id: s for s in layout.spaces}
    safe = _safe_spaces(layout, mode)
    crossings = _make_crossings(layout, mode, safe, params.blocked)
    n = len(crossings)
    mids = np.array([c.opening.midpoint for c in crossings], dtype=np.float64).reshape(-1, 2)
    sinks = [
        i
        for i, c in enumerate(crossings)
        if (c.dst is None if mode is Mode.EVACUATION else c.dst in safe)
    ]
    h, nxt = _route(crossings, spaces, mids, sinks)
    reachable = [i for i in range(n) if math.isfinite(h[i])]
    hop_distance = [0.0] * n
    path_distance = [0.0] * n
    depth = [0] * n
    for i in sorted(reachable, key=lambda i: h[i]):
        if nxt[i] >= 0:
            space = spaces[crossings[nxt[i]].src]
            hop_distance[i] = float(np.hypot(*(mids[i] - mids[nxt[i]]))) * space.slope_factor
            path_distance[i] = hop_distance[i] + path_distance[nxt[i]]
            depth[i] = depth[nxt[i]] + 1
    capacity = np.array(
        [_capacity(c, spaces, params.door_max_specific_flow) for c in crossings], dtype=np.float64
    )
    choices: dict[str, tuple[list[int], npt.NDArray[np.intp], FloatArray]] = {}
    for sid, space in spaces.items():
        options = [i for i, c in enumerate(crossings) if c.src == sid and math.isfinite(h[i])]
        if sid not in safe and options:
            choices[sid] = _door_choices(space, options, h, mids, params.samples_per_space)
    return Network(
        layout=layout,
        mode=mode,
        crossings=crossings,
        next_hop=nxt,
        hop_distance=hop_distance,
        capacity=capacity,
        order=sorted(reachable, key=lambda i: -depth[i]),
        path_distance=path_distance,
        safe_spaces=safe,
        time_to_go=h,
        choices=choices,
    )


def _own_arrivals(
    net: Network, counts: Mapping[str, float], pre_movement_s: float
) -> tuple[dict[int, list[FloatArray]], dict[int, float]]:
    """Deterministic arrival offsets per crossing: pre-movement + walk at the SFPE speed."""
    offsets: dict[int, list[FloatArray]] = {}
    weights: dict[int, float] = {}
    for sid, (options, pick, dist) in net.choices.items():
        n = counts.get(sid, 0.0)
        if n <= 0:
            continue
        space = net.layout.space(sid)
        v = sfpe.speed(n / space.area_m2, element_k(space))
        pre = space.pre_movement_s if space.pre_movement_s is not None else pre_movement_s
        for k, ci in enumerate(options):
            mask = pick == k
            share = float(mask.mean())
            if share == 0:
                continue
            offsets.setdefault(ci, []).append(np.sort(pre + dist[mask] / max(v, 0.05)))
            weights[ci] = weights.get(ci, 0.0) + n * share
    return offsets, weights


def solve(
    layout: Layout | Network,
    *,
    mode: Mode | str = Mode.EVACUATION,
    params: HydraulicParams | None = None,
    target_time_s: float | None = None,
    occupants: Mapping[str, float] | None = None,
) -> HydraulicResult:
    """Run the hydraulic model once (deterministic pre-movement time)."""
    params = params or HydraulicParams()
    net = layout if isinstance(layout, Network) else build_network(layout, mode, params)
    counts = (
        occupants
        if occupants is not None
        else {s.id: float(s.occupants) for s in net.layout.spaces}
    )
    offsets, weights = _own_arrivals(net, counts, params.pre_movement_s)
    own: dict[int, tuple[FloatArray, FloatArray]] = {}
    for ci, parts in offsets.items():
        times = np.sort(np.concatenate(parts))
        own[ci] = (times, np.full(len(times), weights[ci] / len(times)))
    return run_network(net, own, counts, params=params, target_time_s=target_time_s)


def run_network(
    net: Network,
    own: Mapping[int, tuple[FloatArray, FloatArray]],
    counts: Mapping[str, float],
    *,
    params: HydraulicParams | None = None,
    target_time_s: float | None = None,
) -> HydraulicResult:
    """Propagate given own-arrival times (sorted, with per-sample weights) through the network.

    Public so Monte Carlo can feed sampled pre-movement times; ``solve`` is the usual entry.
    """
    params = params or HydraulicParams()
    total_people = float(sum(counts.get(s.id, 0.0) for s in net.layout.spaces))
    already_safe = float(sum(counts.get(s, 0.0) for s in net.safe_spaces))
    routed = float(sum(float(w.sum()) for _, w in own.values()))
    unreachable = max(total_people - already_safe - routed, 0.0)
    min_cap = float(net.capacity[net.order].min()) if net.order else 1.0
    latest = max((float(t[-1]) for t, _ in own.values()), default=0.0)
    longest = max((net.path_distance[i] for i in own), default=0.0)
    horizon = latest + longest / _SLOWEST_SPEED + routed / max(min_cap, 1e-6) + 30.0
    for _ in range(6):
        result = _propagate(net, own, horizon, params.grid_points)
        if result is not None and _finished(net, result[1], routed):
            break
        horizon *= 2
    else:  # pragma: no cover - the horizon bound makes this unreachable
        msg = "hydraulic model did not converge"
        raise RuntimeError(msg)
    t, departures, arrivals = result
    destinations: list[DestinationFlow] = []
    safe_curve = np.zeros_like(t)
    for i in net.sinks:
        if i not in departures:
            continue
        d = departures[i]
        safe_curve += d
        n = float(d[-1])
        if n <= 1e-9:
            continue
        first = _crossing_time(t, d, min(0.5, n / 2))
        clear = _crossing_time(t, d, n * (1 - 1e-9))
        c = net.crossings[i]
        destinations.append(
            DestinationFlow(
                opening=c.opening.id,
                name=c.opening.name,
                from_space=c.src,
                occupants=n,
                first_s=first,
                clear_s=clear,
                mean_flow_pps=n / (clear - first) if clear > first else n,
                capacity_pps=float(net.capacity[i]),
                effective_width_m=c.opening.effective_width_m,
            )
        )
    bottlenecks = []
    for i, a in arrivals.items():
        q = a - departures[i]
        if q.max() <= _QUEUE_THRESHOLD:
            continue
        idx = np.flatnonzero(q > _QUEUE_THRESHOLD)
        k = int(np.argmax(q))
        c = net.crossings[i]
        bottlenecks.append(
            Bottleneck(
                opening=c.opening.id,
                from_space=c.src,
                to_space=c.dst or "outside",
                capacity_pps=float(net.capacity[i]),
                max_queue=float(q[k]),
                max_queue_at_s=float(t[k]),
                queue_start_s=float(t[idx[0]]),
                queue_end_s=float(t[idx[-1]]),
            )
        )
    bottlenecks.sort(key=lambda b: (-b.duration_s, -b.max_queue))
    total_time = max((d.clear_s for d in destinations), default=0.0)
    warnings = []
    if unreachable > 0.5:
        warnings.append(f"{unreachable:.0f} people cannot reach any destination")
    if net.mode is not Mode.EVACUATION:
        warnings.extend(_refuge_capacity(net, counts, departures))
    return HydraulicResult(
        mode=net.mode.value,
        total_time_s=total_time,
        occupants=total_people,
        already_safe=already_safe,
        destinations=tuple(sorted(destinations, key=lambda d: -d.clear_s)),
        bottlenecks=tuple(bottlenecks),
        target_time_s=target_time_s,
        cleared_by_target=None
        if target_time_s is None
        else already_safe + float(np.interp(target_time_s, t, safe_curve, left=0.0)),
        unreachable=unreachable,
        times=t,
        cumulative=safe_curve,
        assumptions=ASSUMPTIONS,
        warnings=tuple(warnings),
    )


ASSUMPTIONS = (
    "SFPE hydraulic model: S = k(1 − 0.266·D), k = 1.40 m/s level, stairs 51.8·√(tread/riser) "
    "m/min; free speed below 0.54 p/m²",
    "door capacity 1.3 p/(m·s) of effective width; boundary layer 0.15 m per side at doors, "
    "0.20 m in corridors, 0.15 m on stairs",
    "each occupant takes the route that is quickest at free walking speed; no re-routing "
    "around queues",
    "walking distances are straight lines between door midpoints (non-convex rooms understate)",
    "occupants are spread evenly over each space and start together after the pre-movement time",
)


def _finished(net: Network, departures: Mapping[int, FloatArray], routed: float) -> bool:
    done = sum(float(departures[i][-1]) for i in net.sinks if i in departures)
    return done >= routed - 1e-6 * max(routed, 1.0)


def _crossing_time(t: FloatArray, d: FloatArray, level: float) -> float:
    """First time the nondecreasing curve ``d`` reaches ``level`` (linear interpolation)."""
    k = int(np.searchsorted(d, level))
    if k <= 0:
        return float(t[0])
    if k >= len(d):
        return float(t[-1])
    d0, d1 = float(d[k - 1]), float(d[k])
    frac = (level - d0) / (d1 - d0) if d1 > d0 else 1.0
    return float(t[k - 1] + frac * (t[k] - t[k - 1]))


def _propagate(
    net: Network, own: Mapping[int, tuple[FloatArray, FloatArray]], horizon: float, points: int
) -> tuple[FloatArray, dict[int, FloatArray], dict[int, FloatArray]] | None:
    t = np.linspace(0.0, horizon, points)
    dt = float(t[1] - t[0])
    inflow: dict[int, FloatArray] = {}
    departures: dict[int, FloatArray] = {}
    arrivals: dict[int, FloatArray] = {}
    spaces = {s.id: s for s in net.layout.spaces}
    for i in net.order:
        a = inflow.pop(i, None)
        if i in own:
            times, w = own[i]
            cum = np.concatenate([[0.0], np.cumsum(w)])
            mine = cum[np.searchsorted(times, t, side="right")]
            a = mine if a is None else a + mine
        if a is None:
            continue
        cap = float(net.capacity[i])
        ct = cap * t
        d = ct + np.minimum.accumulate(a - ct)
        np.minimum(d, a, out=d)
        arrivals[i] = a
        departures[i] = d
        if d[-1] < a[-1] - 1e-6:
            return None  # not finished within the horizon
        j = net.next_hop[i]
        if j < 0:
            continue
        space = spaces[net.crossings[j].src]
        peak = min(cap, float(np.max(np.diff(d))) / dt)
        if space.kind in ("corridor", "stair"):
            dens = sfpe.density_for_specific_flow(peak / space.effective_width_m, element_k(space))
        else:
            dens = 0.0
        v = sfpe.speed(dens, element_k(space))
        tau = net.hop_distance[i] / v
        shifted = np.interp(t - tau, t, d, left=0.0)
        if j in inflow:
            inflow[j] += shifted
        else:
            inflow[j] = shifted
    return t, departures, arrivals


def _refuge_capacity(
    net: Network, counts: Mapping[str, float], departures: Mapping[int, FloatArray]
) -> list[str]:
    arriving: dict[str, float] = {}
    for i in net.sinks:
        dst = net.crossings[i].dst
        if dst is not None and i in departures:
            arriving[dst] = arriving.get(dst, 0.0) + float(departures[i][-1])
    out = []
    for sid, n in sorted(arriving.items()):
        space = net.layout.space(sid)
        cap = space.area_m2 * net.layout.max_density
        held = n + counts.get(sid, 0.0)
        if held > cap:
            out.append(
                f"{sid!r} would hold {held:.0f} people, more than its capacity {cap:.0f} "
                f"at {net.layout.max_density:.2f} p/m²"
            )
    return out
