"""Plane geometry for the vehicle engine: a local metric frame, polygons, segments, radii.

Everything is computed in a local east/north frame in metres (an equirectangular projection
about a reference point; over the few kilometres of a site the scale error is far below
0.1 %). Functions are vectorised over NumPy arrays of shape ``(n, 2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.core.errors import FieldError

__all__ = [
    "EARTH_RADIUS_M",
    "LocalFrame",
    "crosses_any",
    "point_in_polygon",
    "polygon_problems",
    "sample_ring",
    "turn_radius",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """East/north metres about ``(lon0, lat0)`` (WGS84 degrees)."""

    lon0: float
    lat0: float

    def to_xy(self, lon: FloatArray, lat: FloatArray) -> FloatArray:
        """Points ``(n, 2)`` in metres from WGS84 degrees."""
        k = math.radians(1.0) * EARTH_RADIUS_M
        x = (np.asarray(lon, dtype=np.float64) - self.lon0) * k * math.cos(math.radians(self.lat0))
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * k
        return np.column_stack([x, y])

    def to_lonlat(self, xy: FloatArray) -> FloatArray:
        """WGS84 degrees ``(n, 2)`` (lon, lat) from metres."""
        k = math.radians(1.0) * EARTH_RADIUS_M
        pts = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        lon = self.lon0 + pts[:, 0] / (k * math.cos(math.radians(self.lat0)))
        lat = self.lat0 + pts[:, 1] / k
        return np.column_stack([lon, lat])


def _cross(ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray) -> FloatArray:
    return np.asarray(ax * by - ay * bx)


def _segments_cross(
    p1: FloatArray, p2: FloatArray, q1: FloatArray, q2: FloatArray, *, proper: bool
) -> BoolArray:
    """Whether segments p1p2 and q1q2 intersect (broadcast over leading axes).

    ``proper=True`` counts only crossings at a single interior point of both segments
    (touching at an end point does not count); otherwise any common point counts.
    """
    d1 = _cross(q2[..., 0] - q1[..., 0], q2[..., 1] - q1[..., 1],
                p1[..., 0] - q1[..., 0], p1[..., 1] - q1[..., 1])  # fmt: skip
    d2 = _cross(q2[..., 0] - q1[..., 0], q2[..., 1] - q1[..., 1],
                p2[..., 0] - q1[..., 0], p2[..., 1] - q1[..., 1])  # fmt: skip
    d3 = _cross(p2[..., 0] - p1[..., 0], p2[..., 1] - p1[..., 1],
                q1[..., 0] - p1[..., 0], q1[..., 1] - p1[..., 1])  # fmt: skip
    d4 = _cross(p2[..., 0] - p1[..., 0], p2[..., 1] - p1[..., 1],
                q2[..., 0] - p1[..., 0], q2[..., 1] - p1[..., 1])  # fmt: skip
    scale = 1e-9 * (1.0 + np.abs(d1) + np.abs(d2) + np.abs(d3) + np.abs(d4))
    strict = (d1 * d2 < -scale) & (d3 * d4 < -scale)
    if proper:
        return np.asarray(strict)
    touch = (
        (np.abs(d1) <= scale)
        | (np.abs(d2) <= scale)
        | (np.abs(d3) <= scale)
        | (np.abs(d4) <= scale)
    )
    # For touching/collinear cases fall back to bounding-box overlap of the two segments.
    lo_p, hi_p = np.minimum(p1, p2), np.maximum(p1, p2)
    lo_q, hi_q = np.minimum(q1, q2), np.maximum(q1, q2)
    overlap = np.all((lo_p <= hi_q + 1e-9) & (lo_q <= hi_p + 1e-9), axis=-1)
    loose = (d1 * d2 <= scale) & (d3 * d4 <= scale) & overlap
    return np.asarray(strict | (touch & loose))


def crosses_any(a: FloatArray, b: FloatArray, seg_a: FloatArray, seg_b: FloatArray) -> BoolArray:
    """For each segment ``a[i]–b[i]``, whether it properly crosses any segment ``seg_a–seg_b``.

    Parameters
    ----------
    a, b : ndarray (n, 2)
        Query segments, metres.
    seg_a, seg_b : ndarray (m, 2)
        Blocking segments (e.g. the edges of buildings), metres.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    out = np.zeros(a.shape[0], dtype=bool)
    if seg_a.shape[0] == 0 or a.shape[0] == 0:
        return out
    chunk = max(1, 2_000_000 // max(seg_a.shape[0], 1))
    for start in range(0, a.shape[0], chunk):
        sl = slice(start, start + chunk)
        hit = _segments_cross(
            a[sl, None, :], b[sl, None, :], seg_a[None, :, :], seg_b[None, :, :], proper=True
        )
        out[sl] = hit.any(axis=1)
    return out


def point_in_polygon(points: FloatArray, ring: FloatArray) -> BoolArray:
    """Even–odd rule: whether each point lies inside the closed ``ring`` (first ≠ last vertex)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x, y = pts[:, 0:1], pts[:, 1:2]
    xa, ya = ring[:, 0], ring[:, 1]
    xb, yb = np.roll(xa, -1), np.roll(ya, -1)
    straddle = (ya > y) != (yb > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = xa + (y - ya) * (xb - xa) / (yb - ya)
    hits = straddle & (x < x_at)
    return np.asarray(hits.sum(axis=1) % 2 == 1)


def polygon_problems(ring: FloatArray, where: str) -> list[FieldError]:
    """Every problem of a polygon ring in metres: too few vertices, zero area, self-crossings.

    ``ring`` must not repeat its first vertex at the end. Each self-intersection is reported
    with the two edge numbers (0-based, edge ``i`` runs from vertex ``i`` to ``i+1``).
    """
    problems: list[FieldError] = []
    n = ring.shape[0]
    if n < 3:
        return [FieldError(where, f"a polygon needs at least 3 distinct vertices, got {n}")]
    area = 0.5 * float(
        np.sum(ring[:, 0] * np.roll(ring[:, 1], -1) - np.roll(ring[:, 0], -1) * ring[:, 1])
    )
    if abs(area) < 1e-6:
        problems.append(FieldError(where, "the polygon has zero area"))
    a, b = ring, np.roll(ring, -1, axis=0)
    lengths = np.hypot(*(b - a).T)
    for i in np.flatnonzero(lengths < _EPS):
        problems.append(FieldError(f"{where} edge {i}", "repeated vertex (zero-length edge)"))
    hit = _segments_cross(a[:, None, :], b[:, None, :], a[None, :, :], b[None, :, :], proper=False)
    idx = np.arange(n)
    adjacent = (np.abs(idx[:, None] - idx[None, :]) <= 1) | (
        np.abs(idx[:, None] - idx[None, :]) == n - 1
    )
    hit &= ~adjacent
    hit = np.triu(hit, k=1)
    for i, j in zip(*np.nonzero(hit), strict=True):
        problems.append(
            FieldError(f"{where} edges {i} and {j}", "the polygon boundary intersects itself")
        )
    return problems


def sample_ring(ring: FloatArray, spacing: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Points every ``spacing`` metres along a closed ring, with unit tangents and arc positions.

    Every vertex is kept (so corners are sampled) and each edge is divided into equal parts no
    longer than ``spacing``. Returns ``(points, tangents, s)``; the tangent of a point is the
    direction of the edge it lies on (traversal order of the ring).
    """
    a, b = ring, np.roll(ring, -1, axis=0)
    pts: list[FloatArray] = []
    tans: list[FloatArray] = []
    arc: list[FloatArray] = []
    s0 = 0.0
    for p, q in zip(a, b, strict=True):
        length = float(np.hypot(*(q - p)))
        if length < _EPS:
            continue
        parts = max(1, math.ceil(length / spacing))
        t = np.arange(parts) / parts
        pts.append(p + t[:, None] * (q - p))
        tans.append(np.tile((q - p) / length, (parts, 1)))
        arc.append(s0 + t * length)
        s0 += length
    return np.vstack(pts), np.vstack(tans), np.concatenate(arc)


def turn_radius(prev: FloatArray, vertex: FloatArray, nxt: FloatArray, leg: float) -> FloatArray:
    """Radius (m) of the circle through three points, for the turn at ``vertex``.

    The two neighbours are first pulled towards the vertex to at most ``leg`` metres, so that a
    sharp junction between two long straight segments gets a junction-sized radius rather than
    a huge one. Collinear points going straight on give ``inf``; a reversal gives ``0``.
    """
    prev, vertex, nxt = (np.asarray(x, dtype=np.float64) for x in (prev, vertex, nxt))
    u, w = prev - vertex, nxt - vertex
    lu = np.hypot(u[..., 0], u[..., 1])
    lw = np.hypot(w[..., 0], w[..., 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        u = u * np.where(lu > leg, leg / lu, 1.0)[..., None]
        w = w * np.where(lw > leg, leg / lw, 1.0)[..., None]
        a = np.hypot(u[..., 0], u[..., 1])
        b = np.hypot(w[..., 0], w[..., 1])
        c = np.hypot(w[..., 0] - u[..., 0], w[..., 1] - u[..., 1])
        cross = np.abs(u[..., 0] * w[..., 1] - u[..., 1] * w[..., 0])
        radius = a * b * c / (2.0 * cross)
    straight = cross <= 1e-12 * np.maximum(a * b, 1e-300)
    reverse = (u[..., 0] * w[..., 0] + u[..., 1] * w[..., 1]) > 0
    radius = np.where(straight & ~reverse, np.inf, radius)
    radius = np.where(straight & reverse, 0.0, radius)
    degenerate = (lu < _EPS) | (lw < _EPS)
    return np.asarray(np.where(degenerate, np.inf, radius), dtype=np.float64)
