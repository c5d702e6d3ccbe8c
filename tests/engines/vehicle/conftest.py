"""Small synthetic sites for the vehicle engine tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from placeguard.engines.vehicle.geometry import LocalFrame

FRAME = LocalFrame(10.0, 50.0)


def lonlat(xy: list[list[float]]) -> list[list[float]]:
    """Metres in :data:`FRAME` to GeoJSON positions."""
    return [[float(a), float(b)] for a, b in FRAME.to_lonlat(np.asarray(xy, dtype=float))]


def site_doc(
    perimeter: list[list[float]],
    ways: list[tuple[list[list[float]], str]] = (),  # type: ignore[assignment]
    *,
    open_areas: list[list[list[float]]] = (),  # type: ignore[assignment]
    obstacles: list[list[list[float]]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """A site FeatureCollection from metric coordinates."""
    ring = lonlat([*perimeter, perimeter[0]])
    features: list[dict[str, Any]] = [
        {"type": "Feature", "properties": {"role": "perimeter"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}
    ]  # fmt: skip
    for coords, highway in ways:
        features.append({"type": "Feature", "properties": {"highway": highway},
                         "geometry": {"type": "LineString", "coordinates": lonlat(coords)}})  # fmt: skip
    for role, rings in (("open_area", open_areas), ("obstacle", obstacles)):
        for r in rings:
            features.append({"type": "Feature", "properties": {"role": role},
                             "geometry": {"type": "Polygon", "coordinates": [lonlat([*r, r[0]])]}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


SQUARE = [[-10.0, -10.0], [10.0, -10.0], [10.0, 10.0], [-10.0, 10.0]]
