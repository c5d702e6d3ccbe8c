"""A walkable layout from OpenStreetMap: one building's footprint and its entrances.

Reads an ``.osm.pbf`` extract offline (pyrosm, the ``roads`` extra, imported lazily), picks a
building by OSM id or by a point inside (or within :data:`SEARCH_RADIUS_M` of) it, and writes
the layout GeoJSON that :func:`~placeguard.engines.evacuation.layout.parse_layout` validates:

* one ``area`` space: the footprint (holes kept) in local metres about its centroid
  (x east, y north, equirectangular — good to centimetres over a building);
* one ``exit`` per ``entrance=*`` node lying on the outline (within
  :data:`ENTRANCE_TOLERANCE_M`): a line along the outline edge nearest the node, centred on it,
  ``width_m`` from the node's ``width=*`` tag (metres; ``cm``/``mm``/``'``/``"`` understood)
  or :data:`DEFAULT_EXIT_WIDTH_M`; entrances tagged ``entrance=no`` / ``exit=no`` are skipped.

The footprint is one open space: interior walls, floors and stairs are not in OSM and must be
drawn by hand for anything but a first estimate (see docs/evacuation-method.md).
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping
from os import PathLike
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.vehicle.geometry import LocalFrame

__all__ = [
    "DEFAULT_EXIT_WIDTH_M",
    "ENTRANCE_TOLERANCE_M",
    "SEARCH_RADIUS_M",
    "layout_from_footprint",
    "layout_from_osm",
    "parse_width_m",
]

#: Clear width given to an entrance without a usable ``width=*`` tag (one door leaf, m).
DEFAULT_EXIT_WIDTH_M = 1.0
#: An entrance node counts as on the outline within this distance (m).
ENTRANCE_TOLERANCE_M = 1.0
#: ``--at``: the nearest building within this distance when no building contains the point (m).
SEARCH_RADIUS_M = 50.0

_WIDTH = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(m|cm|mm|'|ft|\")?\s*$", re.IGNORECASE)
_FACTOR = {"m": 1.0, "cm": 0.01, "mm": 0.001, "'": 0.3048, "ft": 0.3048, '"': 0.0254}


def parse_width_m(value: object) -> float | None:
    """A ``width=*`` value in metres (None when absent, unparseable or not positive)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    match = _WIDTH.match(str(value))
    if match is None:
        return None
    number = float(match.group(1).replace(",", "."))
    width = number * _FACTOR[(match.group(2) or "m").lower()]
    return width if width > 0 else None


def _tags(row: Mapping[str, Any]) -> dict[str, Any]:
    """Tags of a pyrosm row: its columns plus the JSON ``tags`` column."""
    out = {k: v for k, v in row.items() if k not in ("geometry", "tags")}
    extra = row.get("tags")
    if isinstance(extra, str):
        try:
            parsed = json.loads(extra)
        except ValueError:
            parsed = {}
        if isinstance(parsed, dict):
            out.update(parsed)
    elif isinstance(extra, Mapping):
        out.update(extra)
    return {
        k: v
        for k, v in out.items()
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    }


def _largest(geom: Any) -> Polygon | None:
    if isinstance(geom, Polygon):
        return geom
    if isinstance(geom, MultiPolygon) and geom.geoms:
        return max(geom.geoms, key=lambda g: g.area)
    return None


def layout_from_footprint(
    footprint_lonlat: Polygon,
    entrances: list[tuple[str, float, float, Mapping[str, Any]]],
    *,
    building: str,
    name: str = "",
    occupants: int = 0,
    default_width_m: float = DEFAULT_EXIT_WIDTH_M,
) -> dict[str, Any]:
    """Layout GeoJSON of one footprint (lon/lat polygon) and its entrance nodes.

    ``entrances`` are ``(id, lon, lat, tags)``. Raises :class:`ValidationError` when no
    usable entrance lies on the outline (the layout would have no exit).
    """
    centroid = footprint_lonlat.centroid
    frame = LocalFrame(float(centroid.x), float(centroid.y))

    def local(coords: Any) -> list[list[float]]:
        arr = np.asarray(coords, dtype=np.float64)[:, :2]
        xy = frame.to_xy(arr[:, 0], arr[:, 1])
        return [[round(float(x), 3), round(float(y), 3)] for x, y in xy]

    shell = local(footprint_lonlat.exterior.coords)
    holes = [local(r.coords) for r in footprint_lonlat.interiors]
    poly = Polygon(shell, holes)
    rings = [poly.exterior, *poly.interiors]
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"id": "building", "kind": "area", "name": name or f"OSM {building}",
                           "occupants": int(occupants), "osm": building},
            "geometry": {"type": "Polygon", "coordinates": [shell, *holes]},
        }
    ]  # fmt: skip
    skipped: list[str] = []
    for ent_id, lon, lat, tags in entrances:
        if str(tags.get("entrance", "yes")).lower() == "no" or str(tags.get("exit", "")) == "no":
            skipped.append(f"node {ent_id}: tagged as not an exit")
            continue
        x, y = frame.to_xy(np.array([lon]), np.array([lat]))[0]
        p = Point(float(x), float(y))
        ring = min(rings, key=lambda r: r.distance(p))
        if ring.distance(p) > ENTRANCE_TOLERANCE_M:
            skipped.append(f"node {ent_id}: {ring.distance(p):.1f} m from the outline")
            continue
        line = _exit_line(ring, p, parse_width_m(tags.get("width")) or default_width_m)
        width = parse_width_m(tags.get("width"))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": f"entrance-{ent_id}",
                    "kind": "exit",
                    "name": str(tags.get("name") or tags.get("ref") or f"entrance {ent_id}"),
                    "width_m": round(width if width is not None else default_width_m, 3),
                    "width_source": "osm width=*" if width is not None else "default",
                    "osm": f"node/{ent_id}",
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(c, 3) for c in pt] for pt in line.coords],
                },
            }
        )
    if len(features) == 1:
        msg = f"building {building} has no entrance=* node on its outline"
        details = "; ".join(skipped) if skipped else "no entrance node within the footprint"
        raise ValidationError(msg, errors=[FieldError("entrances", f"{msg} ({details})")])
    return {
        "type": "FeatureCollection",
        "features": features,
        "placeguard": {
            "source": "OpenStreetMap (© OpenStreetMap contributors, ODbL)",
            "building": building,
            "origin_lonlat": [round(frame.lon0, 7), round(frame.lat0, 7)],
            "frame": "local metres, x east, y north, about origin_lonlat",
            "default_exit_width_m": default_width_m,
            "skipped_entrances": skipped,
        },
    }


def _exit_line(ring: Any, p: Point, width: float) -> LineString:
    """A piece of the outline edge nearest ``p``, ``width`` long and centred on ``p``'s
    projection (clipped to the edge when the edge is shorter)."""
    coords = np.asarray(ring.coords, dtype=np.float64)
    a, b = coords[:-1], coords[1:]
    d = b - a
    seg_len = np.hypot(d[:, 0], d[:, 1])
    ok = seg_len > 1e-9
    t = np.where(ok, ((p.x - a[:, 0]) * d[:, 0] + (p.y - a[:, 1]) * d[:, 1])
                 / np.where(ok, seg_len**2, 1.0), 0.0)  # fmt: skip
    t = np.clip(t, 0.0, 1.0)
    proj = a + t[:, None] * d
    dist = np.where(ok, np.hypot(proj[:, 0] - p.x, proj[:, 1] - p.y), np.inf)
    k = int(np.argmin(dist))
    length = float(seg_len[k])
    half = min(width, length) / 2
    centre = min(max(float(t[k]) * length, half), length - half)
    unit = d[k] / length
    start = a[k] + unit * (centre - half)
    end = a[k] + unit * (centre + half)
    return LineString([start, end])


def layout_from_osm(
    path: str | PathLike[str],
    *,
    building_id: str | int | None = None,
    at: tuple[float, float] | None = None,
    occupants: int = 0,
    default_width_m: float = DEFAULT_EXIT_WIDTH_M,
) -> dict[str, Any]:
    """Layout GeoJSON of one building of an ``.osm.pbf`` extract (see the module docstring).

    Parameters
    ----------
    path
        The extract (read offline).
    building_id
        OSM id of the building way or relation (``123``, ``way/123``, ``relation/123``).
    at
        ``(lat, lon)`` of a point in (or near) the building; exactly one of the two is given.
    occupants
        Occupants written on the area (0: set them later, e.g. ``evac run --occupants``).
    default_width_m
        Exit width when an entrance has no ``width=*`` tag.

    Raises
    ------
    ValidationError
        Bad arguments, no such building, or a building with no entrance on its outline.
    MissingExtraError
        pyrosm is not installed.
    """
    wanted_type, wanted_id = _check_request(building_id, at, occupants, default_width_m)
    try:
        import pyrosm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from placeguard.engines.allocation.roads import MissingExtraError

        msg = "reading .osm.pbf needs the roads extra: pip install 'placeguard[roads]'"
        raise MissingExtraError(msg) from exc
    bbox = None
    if at is not None:
        pad = (SEARCH_RADIUS_M + 200.0) / 111_000.0
        pad_lon = pad / max(math.cos(math.radians(at[0])), 1e-6)
        bbox = [at[1] - pad_lon, at[0] - pad, at[1] + pad_lon, at[0] + pad]
    with warnings.catch_warnings():  # pyrosm warns when an area holds no match
        warnings.simplefilter("ignore", UserWarning)
        osm = pyrosm.OSM(str(path), bounding_box=bbox)
        buildings = osm.get_buildings()
    if buildings is None or len(buildings) == 0:
        msg = f"{path} holds no building in the search area"
        raise ValidationError(msg, errors=[FieldError("building", msg)])
    row = _pick(buildings, wanted_type, wanted_id, at)
    footprint = _largest(row["geometry"])
    if footprint is None:
        msg = f"building {row['osm_type']}/{row['id']} has no polygon footprint"
        raise ValidationError(msg, errors=[FieldError("building", msg)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        entrances = osm.get_data_by_custom_criteria(
            custom_filter={"entrance": True}, filter_type="keep",
            keep_nodes=True, keep_ways=False, keep_relations=False,
        )  # fmt: skip
    near = []
    if entrances is not None and len(entrances):
        grown = footprint.buffer(ENTRANCE_TOLERANCE_M * 2 / 111_000.0)
        inside = shapely.covers(grown, shapely.points(entrances["lon"], entrances["lat"]))
        for _, ent in entrances[np.asarray(inside, dtype=bool)].iterrows():
            tags = _tags(ent.to_dict())
            near.append((str(ent["id"]), float(ent["lon"]), float(ent["lat"]), tags))
    tags = _tags(row.to_dict())
    return layout_from_footprint(
        footprint,
        sorted(near, key=lambda e: int(e[0])),
        building=f"{row['osm_type']}/{row['id']}",
        name=str(tags.get("name") or ""),
        occupants=occupants,
        default_width_m=default_width_m,
    )


def _check_request(
    building_id: str | int | None,
    at: tuple[float, float] | None,
    occupants: int,
    default_width_m: float,
) -> tuple[str | None, int | None]:
    """(OSM type, OSM id) of the requested building; every argument problem at once."""
    problems = []
    if (building_id is None) == (at is None):
        problems.append(FieldError("building", "give exactly one of --building and --at"))
    if not (math.isfinite(default_width_m) and default_width_m > 0):
        problems.append(FieldError("default_width_m", "must be > 0"))
    if occupants < 0:
        problems.append(FieldError("occupants", "must be ≥ 0"))
    wanted_type, wanted_id = None, None
    if building_id is not None:
        match = re.fullmatch(r"(?:(way|relation)/)?(\d+)", str(building_id).strip())
        if match is None:
            problems.append(FieldError("building", f"not an OSM id: {building_id!r}"))
        else:
            wanted_type, wanted_id = match.group(1), int(match.group(2))
    if at is not None and not (-90 <= at[0] <= 90 and -180 <= at[1] <= 180):
        problems.append(FieldError("at", f"not a latitude, longitude: {at!r}"))
    if problems:
        msg = "The OSM layout request is invalid."
        raise ValidationError(msg, errors=problems)
    return wanted_type, wanted_id


def _pick(buildings: Any, osm_type: str | None, osm_id: int | None, at: Any) -> Any:
    if osm_id is not None:
        hit = buildings[buildings["id"] == osm_id]
        if osm_type is not None:
            hit = hit[hit["osm_type"] == osm_type]
        if len(hit) == 0:
            msg = f"no building with OSM id {osm_id} in the extract"
            raise ValidationError(msg, errors=[FieldError("building", msg)])
        return hit.iloc[0]
    lat, lon = at
    frame = LocalFrame(lon, lat)
    best, best_d = None, math.inf
    for _, row in buildings.iterrows():
        poly = _largest(row["geometry"])
        if poly is None:
            continue
        ring = np.asarray(poly.exterior.coords)
        xy = frame.to_xy(ring[:, 0], ring[:, 1])
        local = Polygon(xy)
        d = 0.0 if local.covers(Point(0.0, 0.0)) else float(local.distance(Point(0.0, 0.0)))
        if d < best_d:
            best, best_d = row, d
    if best is None or best_d > SEARCH_RADIUS_M:
        msg = f"no building at or within {SEARCH_RADIUS_M:g} m of {lat}, {lon}"
        raise ValidationError(msg, errors=[FieldError("at", msg)])
    return best
