"""A synthetic road grid for the demo country: GeoJSON road lines, pure and deterministic.

Meridia has no real roads, so the demo's response-coverage page drives over a regular grid
of ``primary`` roads (60 km/h) covering the sites, plus a short ``residential`` access road
from every given point (site, station) to its nearest grid crossing, so that every point
lies on the network. Lines join where they share a vertex (coordinates rounded to 1e-7°),
as :func:`placeguard.engines.allocation.roads.road_graph_from_geojson` expects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["road_grid"]

_DIGITS = 7


def _r(x: float) -> float:
    return round(x, _DIGITS)


def road_grid(
    points: Sequence[tuple[float, float]],
    *,
    spacing_deg: float = 0.01,
    margin_deg: float = 0.1,
    highway: str = "primary",
) -> dict[str, Any]:
    """A FeatureCollection of grid LineStrings over the points' bounding box, with access roads.

    Parameters
    ----------
    points : (lon, lat) pairs the grid must cover (sites and stations).
    spacing_deg : distance between grid lines, degrees (> 0).
    margin_deg : extra border around the points' bounding box, degrees (≥ 0).
    highway : OSM ``highway`` class of the grid lines (sets their speed).

    Returns
    -------
    dict
        GeoJSON FeatureCollection; empty when ``points`` is empty.
    """
    if not spacing_deg > 0 or margin_deg < 0:
        msg = "spacing_deg must be > 0 and margin_deg ≥ 0"
        raise ValueError(msg)
    if not points:
        return {"type": "FeatureCollection", "features": []}
    west = min(p[0] for p in points) - margin_deg
    south = min(p[1] for p in points) - margin_deg
    cols = math.ceil((max(p[0] for p in points) + margin_deg - west) / spacing_deg) + 1
    rows = math.ceil((max(p[1] for p in points) + margin_deg - south) / spacing_deg) + 1
    xs = [_r(west + i * spacing_deg) for i in range(cols)]
    ys = [_r(south + j * spacing_deg) for j in range(rows)]
    features: list[dict[str, Any]] = []

    def line(coords: list[list[float]], kind: str, name: str) -> None:
        features.append(
            {
                "type": "Feature",
                "properties": {"highway": kind, "name": name},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )

    for j, y in enumerate(ys):
        line([[x, y] for x in xs], highway, f"Row {j + 1}")
    for i, x in enumerate(xs):
        line([[x, y] for y in ys], highway, f"Column {i + 1}")
    for k, (lon, lat) in enumerate(points):
        i = min(max(round((lon - west) / spacing_deg), 0), cols - 1)
        j = min(max(round((lat - south) / spacing_deg), 0), rows - 1)
        here = [_r(lon), _r(lat)]
        if here != [xs[i], ys[j]]:
            line([here, [xs[i], ys[j]]], "residential", f"Access {k + 1}")
    return {"type": "FeatureCollection", "features": features}
