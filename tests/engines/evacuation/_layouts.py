"""Small GeoJSON layouts built in code (metres) for the evacuation tests."""

from __future__ import annotations

from typing import Any


def poly(  # noqa: PLR0917 - a rectangle is four numbers
    fid: str, kind: str, x0: float, y0: float, x1: float, y1: float, **props: Any
) -> dict[str, Any]:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"id": fid, "kind": kind, **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def line(
    fid: str, kind: str, a: tuple[float, float], b: tuple[float, float], **props: Any
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": fid, "kind": kind, **props},
        "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def room_with_corridor(
    occupants: int = 500, door_m: float = 2.0, corridor_len: float = 30.0
) -> dict[str, Any]:
    """A 20 × 20 m room, a door on its east wall into a 4 m wide corridor, an exit at its end."""
    end = 20 + corridor_len
    return collection(
        poly("room", "area", 0, 0, 20, 20, occupants=occupants),
        poly("corridor", "corridor", 20, 8, end, 12),
        line("door", "door", (20, 10 - door_m / 2), (20, 10 + door_m / 2), width_m=door_m),
        line("exit", "exit", (end, 8), (end, 12), width_m=4.0),
    )


def room(occupants: int, exit_widths: list[float], size: float = 20.0) -> dict[str, Any]:
    """A square room with exits spread along its north wall."""
    feats = [poly("room", "area", 0, 0, size, size, occupants=occupants)]
    n = len(exit_widths)
    for i, w in enumerate(exit_widths):
        x = size * (i + 0.5) / n
        feats.append(line(f"exit-{i}", "exit", (x - w / 2, size), (x + w / 2, size), width_m=w))
    return collection(*feats)
