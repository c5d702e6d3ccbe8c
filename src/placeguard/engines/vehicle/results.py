"""Perimeter heat-map data: a GeoJSON FeatureCollection for colouring on a map.

One Point feature per perimeter point (impact speed, angle, energy, required ratings,
``band`` 0–4 for colouring) and, when asked, one LineString per worst-case approach.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from placeguard.engines.vehicle.geometry import LocalFrame
from placeguard.engines.vehicle.impact import PerimeterImpacts
from placeguard.engines.vehicle.ratings import BarrierStandard, required_rating

__all__ = ["SPEED_BANDS_KMH", "heat_map", "speed_band"]

SPEED_BANDS_KMH = (16.0, 32.0, 48.0, 64.0)
"""Band edges (km/h) for colouring; they follow the lower test speeds of the standards."""


def speed_band(speed_kmh: float) -> int | None:
    """Colour band 0–4 of an impact speed (None when unreachable)."""
    if not math.isfinite(speed_kmh):
        return None
    return int(np.searchsorted(SPEED_BANDS_KMH, speed_kmh, side="right"))


def _round(value: float, digits: int = 2) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


def heat_map(
    impacts: PerimeterImpacts,
    frame: LocalFrame,
    *,
    standards: Sequence[BarrierStandard] = (),
    include_paths: bool = True,
) -> dict[str, Any]:
    """GeoJSON (WGS84) of the impact conditions along the perimeter."""
    lonlat = frame.to_lonlat(impacts.xy)
    features: list[dict[str, Any]] = []
    for i in range(impacts.n_points):
        speed = float(impacts.speed_kmh[i])
        ratings = {}
        if math.isfinite(speed):
            for std in standards:
                r = required_rating(
                    std,
                    mass_kg=impacts.vehicle.mass_kg,
                    speed_kmh=speed,
                    angle_deg=float(impacts.angle_deg[i]),
                )
                ratings[std.id] = {"code": r.code, "reason": r.reason or None}
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(float(c), 7) for c in lonlat[i]],
                },
                "properties": {
                    "kind": "perimeter_point",
                    "index": i,
                    "on": "way_crossing" if impacts.kind[i] == 1 else "perimeter",
                    "s_m": _round(impacts.s[i]),
                    "vehicle": impacts.vehicle.id,
                    "impact_speed_kmh": _round(speed, 1),
                    "impact_angle_deg": _round(float(impacts.angle_deg[i]), 1),
                    "energy_kj": _round(float(impacts.energy_kj[i]), 1),
                    "run_up_m": _round(float(impacts.run_up_m[i]), 1),
                    "band": speed_band(speed),
                    "required": ratings,
                },
            }
        )
    if include_paths:
        for i, path in enumerate(impacts.paths):
            if path.shape[0] < 2:
                continue
            coords = frame.to_lonlat(path)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [round(float(x), 7), round(float(y), 7)] for x, y in coords
                        ],
                    },
                    "properties": {
                        "kind": "approach_path",
                        "index": i,
                        "impact_speed_kmh": _round(float(impacts.speed_kmh[i]), 1),
                        "band": speed_band(float(impacts.speed_kmh[i])),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
