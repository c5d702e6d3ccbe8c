"""Impact conditions at each perimeter point: speed, angle and kinetic energy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from placeguard.engines.vehicle.paths import ApproachNetwork, ApproachResult
from placeguard.engines.vehicle.vehicles import VehicleClass

__all__ = ["PerimeterImpacts", "kinetic_energy_j", "perimeter_impacts"]

FloatArray = NDArray[np.float64]


def kinetic_energy_j(mass_kg: float, speed_ms: FloatArray | float) -> FloatArray:
    """Kinetic energy ``½ m v²``, joules."""
    v = np.asarray(speed_ms, dtype=np.float64)
    return np.asarray(0.5 * mass_kg * v * v)


@dataclass(frozen=True, slots=True, kw_only=True)
class PerimeterImpacts:
    """Worst-case impact at every target point of the perimeter for one vehicle.

    Attributes
    ----------
    xy : ndarray (t, 2)
        Target points, m (local frame).
    s : ndarray
        Position along the perimeter, m.
    kind : ndarray
        0 perimeter sample, 1 a way crossing the perimeter.
    speed_ms, speed_kmh : ndarray
        Highest impact speed (NaN where nothing reaches the point).
    angle_deg : ndarray
        Angle of the approach to the perimeter, degrees (90 = head-on).
    energy_kj : ndarray
        Kinetic energy at impact, kJ.
    run_up_m : ndarray
        Length of the worst-case approach, m.
    paths : list of ndarray
        Worst-case approach of each point, m.
    """

    vehicle: VehicleClass
    xy: FloatArray
    s: FloatArray
    kind: NDArray[np.int8]
    speed_ms: FloatArray
    speed_kmh: FloatArray
    angle_deg: FloatArray
    energy_kj: FloatArray
    run_up_m: FloatArray
    paths: list[FloatArray]

    @property
    def n_points(self) -> int:
        """Number of perimeter points."""
        return int(self.xy.shape[0])

    def worst(self) -> int:
        """Index of the point with the highest impact speed (-1 if none is reachable)."""
        if not np.any(np.isfinite(self.speed_ms)):
            return -1
        return int(np.nanargmax(self.speed_ms))


def perimeter_impacts(
    network: ApproachNetwork, result: ApproachResult, vehicle: VehicleClass
) -> PerimeterImpacts:
    """Combine targets and solved approaches into per-point impact conditions."""
    speed = result.impact_speed
    return PerimeterImpacts(
        vehicle=vehicle,
        xy=network.target_xy,
        s=network.target_s,
        kind=network.target_kind,
        speed_ms=speed,
        speed_kmh=speed * 3.6,
        angle_deg=result.impact_angle_deg,
        energy_kj=kinetic_energy_j(vehicle.mass_kg, speed) / 1000.0,
        run_up_m=result.path_length,
        paths=result.paths,
    )
