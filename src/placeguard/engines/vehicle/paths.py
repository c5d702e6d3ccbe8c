"""Candidate approach paths to every point of a protected perimeter, and their best speeds.

**Targets.** The perimeter is sampled every ``spacing_m`` metres (every vertex included); each
place where a way crosses the perimeter is a target too.

**Final approach.** A vehicle leaves the surface graph at a node outside the perimeter and runs
straight to a target (across a verge, pavement or plaza) when the node is within
``final_approach_m``, the run comes from outside, stays outside the perimeter and crosses no
obstacle; a way that crosses the perimeter leads straight to its crossing point.

**Search.** Rather than listing paths one by one, every approach walk within the search radius
is evaluated at once by a label-correcting search over *directed edges*: ``best[e]`` is the
highest speed at which a vehicle can reach the end of directed edge ``e`` along any walk that
starts from ``start_speed`` at any node. With ``gain`` the flat-out acceleration over a
segment and ``cap`` the cornering limit of the turn between two edges,

``best[e] = max( gain(start, L_e), max over p into e of gain(min(best[p], cap(p, e)), L_e) )``.

Both ``gain`` and ``min`` are monotone, so this is exactly the forward pass of the speed
profile maximised over all walks; because the reachable speeds at a point form an interval
(a driver can always accelerate less), the braking (backward) pass never lowers the best
arrival speed. U-turns are not transitions (a U-turn means stopping, which a start from rest
already covers).

**Simple, capped paths.** The values of every pass are kept (pass *h*: walks of at most *h*+1
edges), so the worst-case walk of each target is recovered exactly and finitely. It is
reported when it visits no node twice, is at most ``max_route_m`` long and replays through
:func:`~placeguard.engines.vehicle.profile.speed_profile` to the searched speed — then it is
the best simple capped path. Otherwise the target is *re-routed*: candidates are replayed best
first with loops erased and the start cut to the cap, and the best replay is reported (a real
path; ``walk_bound`` keeps the unrestricted maximum). See docs/vehicle-dynamics-method.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import KDTree

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.vehicle.geometry import (
    crosses_any,
    point_in_polygon,
    sample_ring,
    turn_radius,
)
from placeguard.engines.vehicle.profile import (
    DEFAULT_CORNER_LEG_M,
    corner_speed,
    gain,
    speed_profile,
)
from placeguard.engines.vehicle.surface import Site, SurfaceGraph
from placeguard.engines.vehicle.vehicles import VehicleClass

__all__ = [
    "DETOUR_FACTOR",
    "ApproachNetwork",
    "ApproachResult",
    "prepare_approaches",
    "solve_approaches",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_TOL = 1e-9
#: Default route-length cap = search radius × this factor (see the method note).
DETOUR_FACTOR = 2.0
#: Search passes kept for recovering walks (more passes: recovered walks are re-checked).
_MAX_LAYERS = 1000
#: Candidates (best first) replayed for a target whose best walk loops or is too long.
_MAX_REROUTE_CANDIDATES = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproachNetwork:
    """The surface outside the perimeter, the targets on it and the final-approach links.

    Attributes
    ----------
    graph : SurfaceGraph
        Edges wholly outside the perimeter.
    target_xy, target_tangent : ndarray (t, 2)
        Target points (m) and the unit direction of the perimeter there.
    target_s : ndarray (t,)
        Position of each target along the perimeter from its first vertex, m.
    target_kind : ndarray (t,)
        0 perimeter sample, 1 a way crossing the perimeter.
    link_node, link_target : ndarray (k,)
        Final approach: from graph node to target.
    link_length : ndarray (k,)
        Length of each final run, m.
    """

    graph: SurfaceGraph
    target_xy: FloatArray
    target_tangent: FloatArray
    target_s: FloatArray
    target_kind: NDArray[np.int8]
    link_node: IntArray
    link_target: IntArray
    link_length: FloatArray

    @property
    def n_targets(self) -> int:
        """Number of targets."""
        return int(self.target_xy.shape[0])


def _crossings(
    a: FloatArray, b: FloatArray, ring: FloatArray
) -> tuple[FloatArray, IntArray, FloatArray, IntArray]:
    """For each segment a→b: the first and last parameter t where it meets the ring, and the
    ring edge met there (NaN / -1 when it does not meet the ring)."""
    q, q2 = ring, np.roll(ring, -1, axis=0)
    s = q2 - q
    n = a.shape[0]
    t_first = np.full(n, np.nan)
    t_last = np.full(n, np.nan)
    e_first = np.full(n, -1, dtype=np.int64)
    e_last = np.full(n, -1, dtype=np.int64)
    chunk = max(1, 1_000_000 // max(ring.shape[0], 1))
    for start in range(0, n, chunk):
        sl = slice(start, start + chunk)
        p, r = a[sl, None, :], (b - a)[sl, None, :]
        qp = q[None] - p
        denom = r[..., 0] * s[None, :, 1] - r[..., 1] * s[None, :, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qp[..., 0] * s[None, :, 1] - qp[..., 1] * s[None, :, 0]) / denom
            w = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / denom
        hit = (np.abs(denom) > 1e-12) & (t >= -_TOL) & (t <= 1 + _TOL) & (w >= -_TOL) & (w < 1)
        tt = np.where(hit, t, np.inf)
        any_hit = hit.any(axis=1)
        i_first = np.argmin(tt, axis=1)
        i_last = np.argmax(np.where(hit, t, -np.inf), axis=1)
        rows = np.arange(tt.shape[0])
        t_first[sl] = np.where(any_hit, tt[rows, i_first], np.nan)
        t_last[sl] = np.where(any_hit, t[rows, i_last], np.nan)
        e_first[sl] = np.where(any_hit, i_first, -1)
        e_last[sl] = np.where(any_hit, i_last, -1)
    return t_first, e_first, t_last, e_last


def prepare_approaches(  # noqa: PLR0915 - one linear recipe, kept in one place
    graph: SurfaceGraph,
    site: Site,
    *,
    spacing_m: float = 5.0,
    final_approach_m: float = 25.0,
) -> ApproachNetwork:
    """Targets on the perimeter and the links that reach them (see the module docstring).

    Raises
    ------
    ValidationError
        For a non-positive spacing or final-approach distance, or when no way or node lies
        outside the perimeter within reach (the approach paths would be disconnected from it).
    """
    problems = []
    if not (math.isfinite(spacing_m) and spacing_m > 0):
        problems.append(FieldError("spacing_m", f"{spacing_m!r} must be > 0"))
    if not (math.isfinite(final_approach_m) and final_approach_m >= 0):
        problems.append(FieldError("final_approach_m", f"{final_approach_m!r} must be ≥ 0"))
    if problems:
        msg = "invalid approach parameters"
        raise ValidationError(msg, errors=problems)
    ring = site.perimeter
    samples, tangents, arc = sample_ring(ring, spacing_m)
    ring_len = np.hypot(*(np.roll(ring, -1, axis=0) - ring).T)
    ring_s0 = np.concatenate([[0.0], np.cumsum(ring_len)[:-1]])
    ring_dir = (np.roll(ring, -1, axis=0) - ring) / ring_len[:, None]
    xy = graph.xy
    inside = point_in_polygon(xy, ring) if xy.size else np.zeros(0, dtype=bool)
    a, b = xy[graph.u], xy[graph.v]
    t_first, e_first, t_last, e_last = _crossings(a, b, ring)
    meets = ~np.isnan(t_first)
    out_u, out_v = ~inside[graph.u], ~inside[graph.v]
    # A segment touching the ring only at an outside end point stays a normal edge.
    keep = out_u & out_v & ~meets
    t_xy = [samples]
    t_tan = [tangents]
    t_s = [arc]
    t_kind = [np.zeros(samples.shape[0], dtype=np.int8)]
    l_node: list[IntArray] = []
    l_target: list[IntArray] = []
    cut = ~keep & meets
    offset = samples.shape[0]
    for from_u in (True, False):
        sel = np.flatnonzero(cut & (out_u if from_u else out_v))
        if sel.size == 0:
            continue
        t = t_first[sel] if from_u else t_last[sel]
        edge = e_first[sel] if from_u else e_last[sel]
        pts = a[sel] + t[:, None] * (b[sel] - a[sel])
        t_xy.append(pts)
        t_tan.append(ring_dir[edge])
        t_s.append(ring_s0[edge] + np.hypot(*(pts - ring[edge]).T))
        t_kind.append(np.ones(sel.size, dtype=np.int8))
        l_node.append(np.where(from_u, graph.u[sel], graph.v[sel]))
        l_target.append(offset + np.arange(sel.size))
        offset += sel.size
    target_xy = np.vstack(t_xy)
    target_tan = np.vstack(t_tan)
    # Straight final runs from nearby outside nodes to perimeter samples.
    sub = SurfaceGraph(
        xy=xy, u=graph.u[keep], v=graph.v[keep], length=graph.length[keep], kind=graph.kind[keep]
    )
    used = np.zeros(xy.shape[0], dtype=bool)
    used[sub.u] = True
    used[sub.v] = True
    candidates = np.flatnonzero(used & ~inside)
    if candidates.size and final_approach_m > 0:
        tree = KDTree(xy[candidates])
        near: Any = tree.query_ball_point(samples, final_approach_m)
        near_lists: list[list[int]] = [list(n) for n in near]
        counts = np.array([len(n) for n in near_lists], dtype=np.int64)
        tgt = np.repeat(np.arange(samples.shape[0]), counts)
        nodes = candidates[np.concatenate([np.asarray(n, dtype=np.int64) for n in near_lists])]
        d = samples[tgt] - xy[nodes]
        outward = np.column_stack([tangents[tgt, 1], -tangents[tgt, 0]])
        ok = np.sum(d * outward, axis=1) < 0  # moving inwards
        ring_b = np.roll(ring, -1, axis=0)
        ok &= ~crosses_any(xy[nodes], samples[tgt], ring, ring_b)
        ok &= ~point_in_polygon(0.5 * (xy[nodes] + samples[tgt]), ring)
        obs_a, obs_b = site.obstacle_segments()
        if obs_a.shape[0]:
            ok &= ~crosses_any(xy[nodes], samples[tgt], obs_a, obs_b)
        l_node.append(nodes[ok])
        l_target.append(tgt[ok])
    link_node = np.concatenate(l_node) if l_node else np.zeros(0, dtype=np.int64)
    link_target = np.concatenate(l_target) if l_target else np.zeros(0, dtype=np.int64)
    if link_node.size == 0:
        msg = (
            "no way reaches the perimeter: no drivable surface outside it within "
            f"{final_approach_m:g} m, and no way crosses it"
        )
        raise ValidationError(msg, errors=[FieldError("ways", msg)], code="disconnected")
    link_length = np.hypot(*(target_xy[link_target] - xy[link_node]).T)
    return ApproachNetwork(
        graph=sub,
        target_xy=target_xy,
        target_tangent=target_tan,
        target_s=np.concatenate(t_s),
        target_kind=np.concatenate(t_kind),
        link_node=np.asarray(link_node, dtype=np.int64),
        link_target=np.asarray(link_target, dtype=np.int64),
        link_length=np.asarray(link_length, dtype=np.float64),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ApproachResult:
    """Best approach to each target for one vehicle (all arrays indexed by target).

    Attributes
    ----------
    impact_speed : ndarray
        Highest attainable speed at the target, m/s (NaN when no approach reaches it).
    direction : ndarray (t, 2)
        Unit direction of travel at impact.
    impact_angle_deg : ndarray
        Angle between the direction of travel and the perimeter, degrees (90 = head-on).
    paths : list of ndarray (k, 2)
        The worst-case approach of each target, metres, start to impact point (empty if none).
    path_length : ndarray
        Length of that approach, m.
    n_states, n_transitions, n_links, iterations : int
        Size of the search (directed edges, edge-to-edge turns, final runs) and its passes.
    n_rerouted : int
        Targets whose best unrestricted walk looped or exceeded ``max_route_m`` and were
        answered by the best simple, capped replay instead.
    max_route_m : float or None
        The route-length cap used (None: uncapped).
    walk_bound : ndarray or None
        Best speed over unrestricted walks (loops allowed, no cap), m/s: an upper bound of
        ``impact_speed``, equal to it where the target was not re-routed.
    """

    impact_speed: FloatArray
    direction: FloatArray
    impact_angle_deg: FloatArray
    paths: list[FloatArray]
    path_length: FloatArray
    n_states: int
    n_transitions: int
    n_links: int
    iterations: int
    n_rerouted: int = 0
    max_route_m: float | None = None
    walk_bound: FloatArray | None = None


def _expand(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """For each group ``g`` of ``counts[g]`` members from ``starts[g]``: (group, member) pairs."""
    total = int(counts.sum())
    group = np.repeat(np.arange(counts.shape[0]), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return group, np.repeat(starts, counts) + offset


def solve_approaches(  # noqa: PLR0915 - one linear recipe, kept in one place
    network: ApproachNetwork,
    vehicle: VehicleClass,
    *,
    start_speed: float = 0.0,
    corner_leg_m: float = DEFAULT_CORNER_LEG_M,
    max_route_m: float | None = None,
    max_iterations: int | None = None,
) -> ApproachResult:
    """Highest impact speed at every target over every approach walk (see module docstring).

    Parameters
    ----------
    network : ApproachNetwork
        From :func:`prepare_approaches`.
    vehicle : VehicleClass
        The threat vehicle.
    start_speed : float, optional
        Speed at the start of every walk, m/s (default: from rest anywhere in the radius).
    corner_leg_m : float, optional
        As for :func:`~placeguard.engines.vehicle.profile.speed_profile`.
    max_route_m : float, optional
        Longest approach path, m, final run included (default None: no cap; the assessment
        passes search radius × :data:`DETOUR_FACTOR`). Returned paths never revisit a node.
    max_iterations : int, optional
        Safety bound on label-correcting passes (default: number of directed edges + 1).
    """
    if not (math.isfinite(start_speed) and start_speed >= 0):
        msg = f"start speed {start_speed!r} m/s must be ≥ 0"
        raise ValidationError(msg, errors=[FieldError("start_speed", msg)])
    if max_route_m is not None and not (math.isfinite(max_route_m) and max_route_m > 0):
        msg = f"maximum route length {max_route_m!r} m must be > 0"
        raise ValidationError(msg, errors=[FieldError("max_route_m", msg)])
    g = network.graph
    xy = g.xy
    m = g.u.shape[0]
    tail = np.concatenate([g.u, g.v])
    head = np.concatenate([g.v, g.u])
    length = np.concatenate([g.length, g.length])
    n_states = 2 * m
    n_nodes = xy.shape[0]
    # States grouped by the node they enter / leave.
    in_order = np.argsort(head, kind="stable")
    in_count = np.bincount(head, minlength=n_nodes)
    in_start = np.concatenate([[0], np.cumsum(in_count)[:-1]])
    out_order = np.argsort(tail, kind="stable")
    # Transitions p -> e at node head[p] == tail[e].
    p_grp, e_pos = _expand(in_start[head[in_order]], in_count[head[in_order]])
    p = in_order[p_grp]
    e = out_order[e_pos]
    not_uturn = e != (p + m) % max(n_states, 1)
    p, e = p[not_uturn], e[not_uturn]
    cap_pe = np.minimum(
        corner_speed(turn_radius(xy[tail[p]], xy[head[p]], xy[head[e]], corner_leg_m), vehicle),
        vehicle.max_speed,
    )
    f0 = gain(np.full(n_states, start_speed), length, vehicle)
    best = f0.copy()
    limit = max_iterations if max_iterations is not None else n_states + 1
    changed = np.ones(n_states, dtype=bool)
    iterations = 0
    by_p = np.argsort(p, kind="stable")
    p_sorted, e_sorted, cap_sorted = p[by_p], e[by_p], cap_pe[by_p]
    p_start = np.searchsorted(p_sorted, np.arange(n_states))
    p_count = np.bincount(p_sorted, minlength=n_states)
    layers = [best.copy()]  # best speed over walks of at most h + 1 edges, per pass h
    while changed.any() and iterations < limit:
        iterations += 1
        active = np.flatnonzero(changed)
        _, idx = _expand(p_start[active], p_count[active])
        if idx.size == 0:
            break
        cand = gain(
            np.minimum(best[p_sorted[idx]], cap_sorted[idx]), length[e_sorted[idx]], vehicle
        )
        new = best.copy()
        np.maximum.at(new, e_sorted[idx], cand)
        changed = new > best * (1 + _TOL) + _TOL
        best = np.where(changed, new, best)
        if len(layers) <= _MAX_LAYERS:
            layers.append(best)
    # Final runs: from each state entering the link node, or from a start at that node.
    k_node, k_tgt, k_len = network.link_node, network.link_target, network.link_length
    tgt_xy = network.target_xy
    k_grp, s_pos = _expand(in_start[k_node], in_count[k_node])
    q = in_order[s_pos]
    cap_q = np.minimum(
        corner_speed(
            turn_radius(xy[tail[q]], xy[k_node[k_grp]], tgt_xy[k_tgt[k_grp]], corner_leg_m),
            vehicle,
        ),
        vehicle.max_speed,
    )
    via = gain(np.minimum(best[q], cap_q), k_len[k_grp], vehicle)
    rest = gain(np.full(k_node.shape[0], start_speed), k_len, vehicle)
    n_t = network.n_targets
    impact = np.full(n_t, -np.inf)
    np.maximum.at(impact, k_tgt, rest)
    np.maximum.at(impact, k_tgt[k_grp], via)
    # Which (state, link) wins at each target: highest speed; on a tie, a start at the node.
    cand_speed = np.concatenate([via, rest])
    cand_state = np.concatenate([q, np.full(rest.shape[0], -1)])
    cand_link = np.concatenate([k_grp, np.arange(k_node.shape[0])])
    cand_target = k_tgt[cand_link]
    order = np.lexsort((cand_state >= 0, -cand_speed, cand_target))
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = cand_target[order][1:] != cand_target[order][:-1]
    win = order[first]
    win_target = cand_target[win]
    direction = np.full((n_t, 2), np.nan)
    paths: list[FloatArray] = [np.zeros((0, 2)) for _ in range(n_t)]
    path_length = np.full(n_t, np.nan)
    cap_route = math.inf if max_route_m is None else float(max_route_m)
    by_e = np.argsort(e, kind="stable")
    into_p, into_cap = p[by_e], cap_pe[by_e]
    into_start = np.searchsorted(e[by_e], np.arange(n_states))
    into_end = np.searchsorted(e[by_e], np.arange(n_states), side="right")
    complete_layers = len(layers) == iterations + 1

    def chain_of(state: int, link: int) -> tuple[list[int], bool]:
        """Nodes of the best walk into ``state`` then the final run of ``link``, start first,
        recovered pass by pass (so it is finite), and whether the recovery is exact."""
        nodes = [int(k_node[link])]
        h = len(layers) - 1
        s = state
        while s >= 0:
            while h > 0 and layers[h - 1][s] >= layers[h][s]:
                h -= 1  # the same speed was already reached with fewer edges
            nodes.append(int(tail[s]))
            if h == 0:
                break  # the walk starts on this edge
            lo, hi = into_start[s], into_end[s]
            cand = gain(
                np.minimum(layers[h - 1][into_p[lo:hi]], into_cap[lo:hi]), length[s], vehicle
            )
            s = int(into_p[lo + int(np.argmax(cand))])
            h -= 1
        return nodes[::-1], complete_layers

    walk_bound = np.where(np.isfinite(impact), impact, np.nan)
    rerouted = 0
    for t, state, link in zip(win_target, cand_state[win], cand_link[win], strict=True):
        chain, complete = chain_of(int(state), int(link))
        pts = np.vstack([xy[np.asarray(chain, dtype=np.int64)], tgt_xy[t][None, :]])
        length_t = float(np.hypot(*np.diff(pts, axis=0).T).sum())
        exact = complete and len(set(chain)) == len(chain) and length_t <= cap_route * (1 + 1e-12)
        if exact:  # the replay reaches the search's speed (up to its improvement tolerance)
            replayed = _replay(pts, vehicle, start_speed, corner_leg_m)
            exact = replayed >= float(impact[t]) * (1 - 1e-9) - 1e-9
            impact[t] = replayed
        if not exact:
            # The best walk loops or is too long: best simple, capped replay over candidates.
            rerouted += 1
            mine = np.flatnonzero(cand_target == t)
            mine = mine[np.argsort(-cand_speed[mine], kind="stable")]
            best_v, best_pts = -math.inf, pts[-1:]
            for c in mine[:_MAX_REROUTE_CANDIDATES]:
                if cand_speed[c] <= best_v * (1 + 1e-12):
                    break  # no later candidate can do better (its speed is an upper bound)
                walk, _ = chain_of(int(cand_state[c]), int(cand_link[c]))
                fixed = _simple_capped(xy, walk, tgt_xy[t], cap_route)
                v = _replay(fixed, vehicle, start_speed, corner_leg_m)
                if v > best_v:
                    best_v, best_pts = v, fixed
            impact[t] = best_v
            pts = best_pts
            walk_bound[t] = max(walk_bound[t], best_v)
        paths[t] = pts
        seg = np.hypot(*np.diff(pts, axis=0).T)
        path_length[t] = float(seg.sum())
        moving = np.flatnonzero(seg > 1e-9)
        if moving.size:
            last = pts[moving[-1] + 1] - pts[moving[-1]]
            direction[t] = last / max(float(np.hypot(*last)), 1e-12)
    speed = np.where(np.isfinite(impact), impact, np.nan)
    tan = network.target_tangent
    cross = np.abs(direction[:, 0] * tan[:, 1] - direction[:, 1] * tan[:, 0])
    angle = np.degrees(np.arcsin(np.clip(cross, 0.0, 1.0)))
    return ApproachResult(
        impact_speed=speed,
        direction=direction,
        impact_angle_deg=angle,
        paths=paths,
        path_length=path_length,
        n_states=n_states,
        n_transitions=int(p.shape[0]),
        n_links=int(k_node.shape[0]),
        iterations=iterations,
        n_rerouted=rerouted,
        max_route_m=max_route_m,
        walk_bound=walk_bound,
    )


def _simple_capped(
    xy: FloatArray, chain: list[int], target: FloatArray, max_route_m: float
) -> FloatArray:
    """The walk ``chain`` → ``target`` with its loops erased and its start cut so that it is
    at most ``max_route_m`` long (the new start may lie part-way along an edge)."""
    simple: list[int] = []
    where: dict[int, int] = {}
    for node in chain:  # chronological loop erasure
        if node in where:
            for dropped in simple[where[node] + 1 :]:
                where.pop(dropped, None)
            del simple[where[node] + 1 :]
        else:
            where[node] = len(simple)
            simple.append(node)
    pts: FloatArray = np.vstack([xy[np.asarray(simple, dtype=np.int64)], target[None, :]])
    seg = np.hypot(*np.diff(pts, axis=0).T)
    keep = np.concatenate([[True], seg > 1e-9])
    pts, seg = pts[keep], seg[seg > 1e-9]
    if not math.isfinite(max_route_m) or float(seg.sum()) <= max_route_m:
        return pts
    from_end = np.concatenate([np.cumsum(seg[::-1])[::-1], [0.0]])  # length to the target
    k = int(np.flatnonzero(from_end > max_route_m)[-1])  # segment k holds the new start
    frac = (from_end[k] - max_route_m) / seg[k]
    start = pts[k] + frac * (pts[k + 1] - pts[k])
    rest: FloatArray = pts[k + 1 :]
    if float(np.hypot(*(rest[0] - start))) <= 1e-9:
        return rest
    out: FloatArray = np.vstack([start[None, :], rest])
    return out


def _replay(pts: FloatArray, vehicle: VehicleClass, start_speed: float, corner_leg_m: float
            ) -> float:  # fmt: skip
    if pts.shape[0] >= 2:
        pts = pts[np.concatenate([[True], np.hypot(*np.diff(pts, axis=0).T) > 1e-9])]
    if pts.shape[0] < 2:
        return min(start_speed, vehicle.max_speed)
    return speed_profile(
        pts, vehicle, start_speed=start_speed, corner_leg_m=corner_leg_m
    ).impact_speed
