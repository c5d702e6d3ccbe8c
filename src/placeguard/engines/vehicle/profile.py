"""Forward–backward speed profile of a vehicle along a polyline path.

The vehicle starts at the first vertex at ``start_speed`` and drives as fast as it can:

* **cornering cap** at each interior vertex: ``v ≤ √(a_lat · R)`` with
  ``a_lat = g · min(μ, t/(2h))`` — the lower of the friction limit ``√(μ g R)`` and the static
  rollover limit ``√(g R t / (2h))`` — where ``R`` is the radius of the circle through the
  vertex and its two neighbours (:func:`~placeguard.engines.vehicle.geometry.turn_radius`);
* **forward pass** (acceleration): along a straight segment of length ``s`` the speed grows as
  ``v² = v0² + 2 a s`` (constant acceleration) or, with a power figure, as
  ``v³ = v0³ + 3 (P/m) s`` once ``P/(m v)`` drops below ``a`` — capped at the top speed;
* **backward pass** (braking): ``v_i ≤ √(v_{i+1}² + 2 b s)`` so that the vehicle can slow down
  in time for every bend ahead.

The profile is the point-wise minimum of the two passes. The speed at the last vertex (the
impact speed) equals the forward pass there: braking for a bend only changes speeds *before*
that bend, never the best speed that can be reached after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.vehicle.geometry import turn_radius
from placeguard.engines.vehicle.vehicles import GRAVITY, VehicleClass

__all__ = [
    "DEFAULT_CORNER_LEG_M",
    "SpeedProfile",
    "brake_from",
    "corner_speed",
    "gain",
    "speed_profile",
]

FloatArray = NDArray[np.float64]

DEFAULT_CORNER_LEG_M = 10.0
"""Neighbour points of a vertex are taken at most this far away when fitting a turn radius."""


def corner_speed(radius: FloatArray | float, vehicle: VehicleClass) -> FloatArray:
    """Highest speed (m/s) through a turn of ``radius`` metres: ``√(g · min(μ, t/2h) · R)``."""
    r = np.asarray(radius, dtype=np.float64)
    return np.asarray(np.sqrt(GRAVITY * vehicle.lateral_g * r))


def gain(v0: FloatArray | float, length: FloatArray | float, vehicle: VehicleClass) -> FloatArray:
    """Speed (m/s) after accelerating flat out from ``v0`` over ``length`` metres.

    Constant acceleration ``a`` (``v² = v0² + 2 a s``) up to the speed ``v* = P/(m a)`` where
    the power limit takes over (``v³ = v*³ + 3 (P/m) s``), capped at the top speed. Monotone
    non-decreasing in both ``v0`` and ``length``.
    """
    v0 = np.minimum(np.asarray(v0, dtype=np.float64), vehicle.max_speed)
    s = np.asarray(length, dtype=np.float64)
    a = vehicle.max_accel
    if vehicle.power_w is None:
        return np.asarray(np.minimum(np.sqrt(v0 * v0 + 2.0 * a * s), vehicle.max_speed))
    p = vehicle.power_w / vehicle.mass_kg  # W/kg = m²/s³
    v_star = p / a
    below = v0 < v_star
    s1 = np.where(below, (v_star * v_star - v0 * v0) / (2.0 * a), 0.0)
    const = np.sqrt(v0 * v0 + 2.0 * a * s)
    start = np.where(below, v_star, v0)
    rest = np.where(below, np.maximum(s - s1, 0.0), s)
    powered = np.cbrt(start**3 + 3.0 * p * rest)
    v = np.where(below & (s <= s1), const, powered)
    return np.asarray(np.minimum(v, vehicle.max_speed))


def brake_from(v1: FloatArray | float, length: FloatArray | float, braking: float) -> FloatArray:
    """Highest speed (m/s) from which braking at ``braking`` m/s² reaches ``v1`` in ``length`` m."""
    v1 = np.asarray(v1, dtype=np.float64)
    return np.asarray(np.sqrt(v1 * v1 + 2.0 * braking * np.asarray(length, dtype=np.float64)))


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeedProfile:
    """Speeds along a path, one value per vertex (all in SI units).

    Attributes
    ----------
    s : ndarray
        Distance from the start of each vertex, m.
    radius : ndarray
        Turn radius at each vertex, m (``inf`` at the ends and on straights).
    cap : ndarray
        Cornering cap at each vertex, m/s.
    forward, backward : ndarray
        The acceleration-limited and braking-limited passes, m/s.
    speed : ndarray
        The attainable speed, ``min(forward, backward)``, m/s.
    time : ndarray
        Time from the start to each vertex, s (``inf`` while the vehicle has not moved).
    """

    s: FloatArray
    radius: FloatArray
    cap: FloatArray
    forward: FloatArray
    backward: FloatArray
    speed: FloatArray
    time: FloatArray

    @property
    def impact_speed(self) -> float:
        """Speed at the last vertex, m/s."""
        return float(self.speed[-1])

    @property
    def length(self) -> float:
        """Path length, m."""
        return float(self.s[-1])


def _check_path(xy: FloatArray, start_speed: float) -> FloatArray:
    pts = np.asarray(xy, dtype=np.float64)
    problems = []
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 2:
        problems.append(FieldError("path", "needs at least two (x, y) points"))
    elif not np.all(np.isfinite(pts)):
        problems.append(FieldError("path", "has non-finite coordinates"))
    else:
        seg = np.hypot(*np.diff(pts, axis=0).T)
        for i in np.flatnonzero(seg <= 0):
            problems.append(FieldError(f"path segment {i}", "zero length (repeated point)"))
    if not (np.isfinite(start_speed) and start_speed >= 0):
        problems.append(FieldError("start_speed", f"{start_speed!r} must be ≥ 0"))
    if problems:
        msg = "the path is invalid"
        raise ValidationError(msg, errors=problems)
    return pts


def speed_profile(
    xy: FloatArray,
    vehicle: VehicleClass,
    *,
    start_speed: float = 0.0,
    corner_leg_m: float = DEFAULT_CORNER_LEG_M,
) -> SpeedProfile:
    """Forward–backward speed profile along the polyline ``xy`` (metres, shape ``(n, 2)``).

    Parameters
    ----------
    xy : ndarray (n, 2)
        Path vertices in metres, first = start, last = impact point. A curve should be sampled
        densely enough (a few metres) for the three-point radius to follow it.
    vehicle : VehicleClass
        The threat vehicle.
    start_speed : float, optional
        Speed at the first vertex, m/s (default: from rest).
    corner_leg_m : float, optional
        Longest neighbour distance used when fitting the turn radius at a vertex, m.

    Raises
    ------
    ValidationError
        For fewer than two points, repeated points, non-finite values or a negative start speed.
    """
    pts = _check_path(xy, start_speed)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    n = pts.shape[0]
    radius = np.full(n, np.inf)
    if n > 2:
        radius[1:-1] = turn_radius(pts[:-2], pts[1:-1], pts[2:], corner_leg_m)
    cap = np.minimum(corner_speed(radius, vehicle), vehicle.max_speed)
    forward = np.empty(n)
    forward[0] = min(start_speed, cap[0])
    for i in range(n - 1):
        forward[i + 1] = min(cap[i + 1], float(gain(forward[i], seg[i], vehicle)))
    backward = np.empty(n)
    backward[-1] = forward[-1]
    for i in range(n - 2, -1, -1):
        backward[i] = min(cap[i], float(brake_from(backward[i + 1], seg[i], vehicle.braking)))
    speed = np.minimum(forward, backward)
    mean = 0.5 * (speed[:-1] + speed[1:])
    with np.errstate(divide="ignore"):
        dt = np.where(mean > 0, seg / mean, np.inf)
    time = np.concatenate([[0.0], np.cumsum(dt)])
    return SpeedProfile(
        s=np.concatenate([[0.0], np.cumsum(seg)]),
        radius=radius,
        cap=cap,
        forward=forward,
        backward=backward,
        speed=speed,
        time=time,
    )
