"""Engineering fixtures: small evacuation layouts and vehicle site files (fast to run)."""

from __future__ import annotations

from typing import Any

import numpy as np

from placeguard.engines.vehicle.geometry import LocalFrame

FRAME = LocalFrame(-29.0, 43.0)  # at North Mall


def _rect(fid: str, kind: str, x0: float, y0: float, x1: float, y1: float, **props: Any) -> Any:  # noqa: PLR0917
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Feature", "properties": {"id": fid, "kind": kind, **props},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip


def _line(fid: str, kind: str, a: list[float], b: list[float], **props: Any) -> Any:
    return {"type": "Feature", "properties": {"id": fid, "kind": kind, **props},
            "geometry": {"type": "LineString", "coordinates": [a, b]}}  # fmt: skip


def layout(occupants: int = 300, door_m: float = 2.0, *, refuge: bool = False) -> dict[str, Any]:
    """A 20 × 20 m room, a door into a 4 m × 30 m corridor, an exit at its end (metres).

    ``refuge``: the room is the protected space of an invacuation.
    """
    extra = {"protected": True} if refuge else {}
    return {"type": "FeatureCollection", "features": [
        _rect("room", "area", 0, 0, 20, 20, occupants=occupants, **extra),
        _rect("corridor", "corridor", 20, 8, 50, 12),
        _line("door", "door", [20, 10 - door_m / 2], [20, 10 + door_m / 2], width_m=door_m),
        _line("exit", "exit", [50, 8], [50, 12], width_m=4.0),
    ]}  # fmt: skip


def bad_layout() -> dict[str, Any]:
    """Three problems: a self-intersecting area, a zero-width exit off any boundary, no exit."""
    bow = {"type": "Feature", "properties": {"id": "bow", "kind": "area", "occupants": 10},
           "geometry": {"type": "Polygon",
                        "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}}  # fmt: skip
    return {"type": "FeatureCollection", "features": [
        bow, _line("ghost", "exit", [50, 50], [50, 50.0], width_m=0),
    ]}  # fmt: skip


def _lonlat(xy: list[list[float]]) -> list[list[float]]:
    return [[float(a), float(b)] for a, b in FRAME.to_lonlat(np.asarray(xy, dtype=float))]


def site_file(run_up_m: float = 250.0) -> dict[str, Any]:
    """A 20 m square perimeter with a straight road passing 20 m south and a spur running
    straight at it from ``run_up_m`` away (WGS84)."""
    square = [[-10.0, -10.0], [10.0, -10.0], [10.0, 10.0], [-10.0, 10.0], [-10.0, -10.0]]
    ways = [
        ([[-run_up_m, -20.0], [0.0, -20.0], [run_up_m, -20.0]], "primary"),
        ([[0.0, -20.0], [0.0, -run_up_m]], "residential"),
    ]
    features: list[dict[str, Any]] = [
        {"type": "Feature", "properties": {"role": "perimeter"},
         "geometry": {"type": "Polygon", "coordinates": [_lonlat(square)]}},
    ]  # fmt: skip
    for coords, highway in ways:
        features.append({"type": "Feature", "properties": {"highway": highway},
                         "geometry": {"type": "LineString", "coordinates": _lonlat(coords)}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


EVAC_PARAMS = {"runs": 10, "target_time_s": 120}
VEHICLE_PARAMS = {"vehicle": "car", "radius_m": 300, "spacing_m": 5}
