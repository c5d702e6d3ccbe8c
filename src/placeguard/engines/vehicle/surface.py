"""The site and its drivable surface: perimeter, ways, open areas and obstacles.

A *site file* is a GeoJSON FeatureCollection (WGS84 lon/lat):

* exactly one Polygon with ``"role": "perimeter"`` — the protected perimeter (the line a
  hostile vehicle must not cross: a crowd, a façade, a queue area);
* LineStrings / MultiLineStrings — ways a vehicle can drive on, with OSM tags as properties
  (``highway=primary``, ``highway=footway``…); a line without ``highway`` counts as a way;
* Polygons with ``"role": "open_area"`` (or ``area=yes`` with a ``highway`` tag,
  ``place=square``, ``amenity=parking``) — plazas, squares and car parks a vehicle can cross
  in a straight line;
* Polygons with ``"role": "obstacle"`` or a ``building`` tag — what a vehicle cannot drive
  through (used to block straight runs across open areas and the final approach).

Unlike the driving graph of :mod:`placeguard.engines.allocation.roads`, which is for response
units obeying traffic rules, the *drivable surface* keeps footways, pavements, pedestrian
streets, paths, cycleways, service roads and tracks, ignores one-way and access tags (a hostile
driver ignores them too) and drops only what no road vehicle can use (:data:`NOT_SURFACE`).

Ways can also come from an OpenStreetMap ``.osm.pbf`` extract (:func:`read_pbf_surface`,
needs the ``roads`` extra, imported lazily).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import KDTree

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation.roads import MissingExtraError
from placeguard.engines.vehicle.geometry import (
    LocalFrame,
    crosses_any,
    point_in_polygon,
    polygon_problems,
    sample_ring,
)

__all__ = [
    "KIND_NAMES",
    "NOT_SURFACE",
    "Site",
    "SurfaceGraph",
    "Way",
    "build_surface",
    "parse_site",
    "read_pbf_areas",
    "read_pbf_surface",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

NOT_SURFACE: frozenset[str] = frozenset(
    {"abandoned", "construction", "corridor", "elevator", "escalator", "ladder", "no",
     "planned", "proposed", "razed", "steps", "via_ferrata"}
)  # fmt: skip
"""``highway`` values no road vehicle can drive on (everything else is drivable surface)."""

KIND_NAMES = ("road", "pavement", "open_area")
"""Surface kinds of edges: carriageway, pavement/footway/path, straight run across an area."""

_PAVEMENT = frozenset(
    {"footway", "pedestrian", "path", "cycleway", "sidewalk", "bridleway", "track",
     "living_street", "platform", "crossing"}
)  # fmt: skip
_AREA_HIGHWAYS = frozenset({"pedestrian", "footway", "service", "living_street", "platform"})


@dataclass(frozen=True, slots=True)
class Way:
    """One drivable line, lon/lat degrees, with its surface kind (index into KIND_NAMES)."""

    coords: FloatArray
    kind: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """A protected perimeter and its surroundings, in a local metric frame.

    Attributes
    ----------
    frame : LocalFrame
        Metric frame centred on the perimeter.
    perimeter : ndarray (n, 2)
        Perimeter ring in metres, counter-clockwise, first vertex not repeated.
    ways : list of Way
        Drivable lines (lon/lat) given in the site file.
    open_areas, obstacles : list of ndarray (k, 2)
        Rings in metres.
    """

    frame: LocalFrame
    perimeter: FloatArray
    ways: list[Way] = field(default_factory=list)
    open_areas: list[FloatArray] = field(default_factory=list)
    obstacles: list[FloatArray] = field(default_factory=list)

    @property
    def perimeter_length(self) -> float:
        """Length of the perimeter, m."""
        d = np.roll(self.perimeter, -1, axis=0) - self.perimeter
        return float(np.hypot(d[:, 0], d[:, 1]).sum())

    def obstacle_segments(self) -> tuple[FloatArray, FloatArray]:
        """Edges of every obstacle ring as ``(start, end)`` arrays."""
        if not self.obstacles:
            empty = np.zeros((0, 2))
            return empty, empty
        a = np.vstack(self.obstacles)
        b = np.vstack([np.roll(r, -1, axis=0) for r in self.obstacles])
        return a, b


@dataclass(frozen=True, slots=True, kw_only=True)
class SurfaceGraph:
    """Undirected graph of the drivable surface in metres.

    Attributes
    ----------
    xy : ndarray (n, 2)
        Node positions, m.
    u, v : ndarray (m,)
        Edge end nodes (indices); each edge is a straight segment.
    length : ndarray (m,)
        Edge lengths, m.
    kind : ndarray (m,)
        Surface kind per edge (index into :data:`KIND_NAMES`).
    """

    xy: FloatArray
    u: IntArray
    v: IntArray
    length: FloatArray
    kind: NDArray[np.int8]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(self.u.shape[0])


# ------------------------------------------------------------------------------ parsing
def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().lower()


def _positions(value: object) -> FloatArray | None:
    if not isinstance(value, list) or len(value) < 2:
        return None
    out = []
    for p in value:
        if not (
            isinstance(p, list | tuple)
            and len(p) >= 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p[:2])
            and -180.0 <= float(p[0]) <= 180.0
            and -90.0 <= float(p[1]) <= 90.0
        ):
            return None
        out.append((float(p[0]), float(p[1])))
    return np.asarray(out, dtype=np.float64)


def _ring(value: object) -> FloatArray | None:
    """Outer ring of a GeoJSON Polygon's coordinates, closing vertex dropped."""
    if not isinstance(value, list) or not value:
        return None
    ring = _positions(value[0])
    if ring is None:
        return None
    if ring.shape[0] > 1 and np.allclose(ring[0], ring[-1]):
        ring = ring[:-1]
    return ring


def _way_kind(highway: str) -> int:
    return 1 if highway in _PAVEMENT else 0


def _is_open_area(props: Mapping[str, Any]) -> bool:
    role = _text(props.get("role"))
    if role in {"open_area", "plaza"}:
        return True
    return (
        (_text(props.get("area")) == "yes" and _text(props.get("highway")) in _AREA_HIGHWAYS)
        or _text(props.get("place")) == "square"
        or _text(props.get("amenity")) == "parking"
    )


def _is_obstacle(props: Mapping[str, Any]) -> bool:
    return _text(props.get("role")) == "obstacle" or _text(props.get("building")) not in ("", "no")


def parse_site(collection: Mapping[str, Any]) -> Site:  # noqa: PLR0912, PLR0915 - one pass
    """Parse and validate a site file (see the module docstring for its shape).

    Raises
    ------
    ValidationError
        Listing every problem: not a FeatureCollection, no or several perimeters, malformed
        geometries, self-intersecting or degenerate polygons (with the crossing edges).
    """
    if collection.get("type") != "FeatureCollection" or (
        not isinstance(collection.get("features"), list)
    ):
        msg = "the site file is not a GeoJSON FeatureCollection"
        raise ValidationError(msg, errors=[FieldError("site", msg)])
    problems: list[FieldError] = []
    perimeters: list[tuple[str, FloatArray]] = []
    lines: list[tuple[FloatArray, int]] = []
    areas: list[tuple[str, FloatArray]] = []
    obstacles: list[tuple[str, FloatArray]] = []
    for i, feature in enumerate(collection["features"]):
        where = f"features[{i}]"
        if not isinstance(feature, Mapping):
            problems.append(FieldError(where, "not a GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        gtype = geometry.get("type") if isinstance(geometry, Mapping) else None
        coords = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
        role = _text(props.get("role"))
        if role == "perimeter":
            ring = _ring(coords) if gtype == "Polygon" else None
            if ring is None:
                problems.append(FieldError(where, "the perimeter must be a Polygon of [lon, lat]"))
            else:
                perimeters.append((where, ring))
        elif gtype in ("LineString", "MultiLineString"):
            highway = _text(props.get("highway"))
            if highway in NOT_SURFACE:
                continue
            parts = [coords] if gtype == "LineString" else coords
            if not isinstance(parts, list):
                problems.append(FieldError(where, "coordinates must be a list of lines"))
                continue
            for part in parts:
                line = _positions(part)
                if line is None:
                    problems.append(FieldError(where, "a line needs ≥ 2 [lon, lat] positions"))
                else:
                    lines.append((line, _way_kind(highway)))
        elif gtype == "Polygon" and (_is_open_area(props) or _is_obstacle(props)):
            ring = _ring(coords)
            if ring is None:
                problems.append(FieldError(where, "a polygon needs [lon, lat] positions"))
            else:
                (areas if _is_open_area(props) else obstacles).append((where, ring))
        elif gtype not in ("Point", "MultiPoint", "Polygon", "MultiPolygon"):
            problems.append(FieldError(where, f"unsupported geometry {gtype!r}"))
    if not perimeters:
        problems.append(FieldError("perimeter", 'no Polygon feature with "role": "perimeter"'))
    elif len(perimeters) > 1:
        names = ", ".join(w for w, _ in perimeters)
        problems.append(FieldError("perimeter", f"exactly one perimeter expected, got {names}"))
    if problems:
        msg = f"the site file has {len(problems)} problem(s)"
        raise ValidationError(msg, errors=problems)
    where, ring = perimeters[0]
    lon0, lat0 = (float(c) for c in ring.mean(axis=0))
    frame = LocalFrame(lon0, lat0)
    per_xy = frame.to_xy(ring[:, 0], ring[:, 1])
    problems += polygon_problems(per_xy, f"perimeter ({where})")
    area_rings = []
    for w, r in areas:
        xy = frame.to_xy(r[:, 0], r[:, 1])
        problems += polygon_problems(xy, f"open area ({w})")
        area_rings.append(_ccw(xy))
    obstacle_rings = []
    for w, r in obstacles:
        xy = frame.to_xy(r[:, 0], r[:, 1])
        problems += polygon_problems(xy, f"obstacle ({w})")
        obstacle_rings.append(xy)
    if problems:
        msg = f"the site file has {len(problems)} invalid polygon(s)"
        raise ValidationError(msg, errors=problems)
    return Site(
        frame=frame,
        perimeter=_ccw(per_xy),
        ways=[Way(coords=c, kind=k) for c, k in lines],
        open_areas=area_rings,
        obstacles=obstacle_rings,
    )


def _ccw(ring: FloatArray) -> FloatArray:
    area = float(
        np.sum(ring[:, 0] * np.roll(ring[:, 1], -1) - np.roll(ring[:, 0], -1) * ring[:, 1])
    )
    return ring if area > 0 else ring[::-1].copy()


# ------------------------------------------------------------------------------ graph
def _distance_to_ring(points: FloatArray, ring: FloatArray) -> FloatArray:
    samples, _, _ = sample_ring(ring, 1.0)
    dist, _ = KDTree(samples).query(points)
    return np.asarray(dist, dtype=np.float64)


def build_surface(  # noqa: PLR0915 - one linear recipe
    site: Site,
    *,
    extra_ways: Sequence[Way] = (),
    radius_m: float = 300.0,
    max_area_vertices: int = 200,
) -> SurfaceGraph:
    """The drivable surface graph within ``radius_m`` of the perimeter.

    Ways are split into straight segments at every vertex; vertices at equal coordinates (to
    1e-7°, about 1 cm) are one node, so lines join where they share a vertex. Each open area
    adds a straight edge between every pair of its vertices (and the graph nodes inside it) that
    can see each other — the segment stays inside the area and crosses no obstacle.

    Parameters
    ----------
    site : Site
        The parsed site.
    extra_ways : sequence of Way
        More ways (e.g. from :func:`read_pbf_surface`).
    radius_m : float
        Search radius around the perimeter, m (> 0); nodes farther away are dropped.
    max_area_vertices : int
        Larger open areas are thinned to this many vertices (the pair count grows as its square).
    """
    if not (math.isfinite(radius_m) and radius_m > 0):
        msg = f"search radius {radius_m!r} m must be > 0"
        raise ValidationError(msg, errors=[FieldError("radius_m", msg)])
    keys: dict[tuple[int, int], int] = {}
    lonlat: list[tuple[float, float]] = []
    us: list[int] = []
    vs: list[int] = []
    kinds: list[int] = []

    def node(lon: float, lat: float) -> int:
        key = (round(lon * 1e7), round(lat * 1e7))
        found = keys.get(key)
        if found is None:
            found = keys[key] = len(lonlat)
            lonlat.append((lon, lat))
        return found

    for way in [*site.ways, *extra_ways]:
        ids = [node(float(x), float(y)) for x, y in way.coords]
        for a, b in itertools.pairwise(ids):
            if a != b:
                us.append(a)
                vs.append(b)
                kinds.append(way.kind)
    ll = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
    xy = site.frame.to_xy(ll[:, 0], ll[:, 1]) if ll.size else np.zeros((0, 2))
    # Open areas: ring vertices become nodes; visible pairs become straight edges.
    obs_a, obs_b = site.obstacle_segments()
    extra_xy: list[FloatArray] = []
    area_edges: list[tuple[IntArray, IntArray]] = []
    n_base = xy.shape[0]
    for area in site.open_areas:
        ring = area
        if ring.shape[0] > max_area_vertices:
            ring = area[np.linspace(0, ring.shape[0] - 1, max_area_vertices).astype(np.int64)]
        first = n_base + sum(e.shape[0] for e in extra_xy)
        extra_xy.append(ring)
        inside = np.flatnonzero(point_in_polygon(xy, ring)) if xy.size else np.zeros(0, np.int64)
        members = np.concatenate([np.arange(first, first + ring.shape[0]), inside])
        pts = np.vstack([ring, xy[inside]])
        i, j = np.triu_indices(members.shape[0], k=1)
        pa: FloatArray = pts[i]
        pb: FloatArray = pts[j]
        mid: FloatArray = 0.5 * (pa + pb)
        ok = point_in_polygon(mid, ring)
        ok[~ok] = _on_ring(mid[~ok], ring)
        ok[ok] = ~crosses_any(pa[ok], pb[ok], ring, np.roll(ring, -1, axis=0))
        if obs_a.shape[0]:  # only obstacle edges that reach into the area's bounding box
            lo, hi = ring.min(axis=0), ring.max(axis=0)
            near = np.all(np.minimum(obs_a, obs_b) <= hi, axis=1) & np.all(
                np.maximum(obs_a, obs_b) >= lo, axis=1
            )
            if near.any():
                ok[ok] &= ~crosses_any(pa[ok], pb[ok], obs_a[near], obs_b[near])
        area_edges.append((members[i[ok]], members[j[ok]]))
    if extra_xy:
        xy = np.vstack([xy, *extra_xy])
    u = np.asarray(us, dtype=np.int64)
    v = np.asarray(vs, dtype=np.int64)
    kind = np.asarray(kinds, dtype=np.int8)
    for au, av in area_edges:
        u = np.concatenate([u, au])
        v = np.concatenate([v, av])
        kind = np.concatenate([kind, np.full(au.shape[0], 2, dtype=np.int8)])
    return _clip(xy, u, v, kind, site.perimeter, radius_m)


def _on_ring(points: FloatArray, ring: FloatArray, tol: float = 1e-6) -> NDArray[np.bool_]:
    a, b = ring, np.roll(ring, -1, axis=0)
    d = b - a
    rel = points[:, None, :] - a[None, :, :]
    t = np.clip(np.sum(rel * d[None], axis=-1) / np.maximum(np.sum(d * d, axis=-1), 1e-300), 0, 1)
    closest = a[None] + t[..., None] * d[None]
    dist = np.hypot(*(points[:, None, :] - closest).transpose(2, 0, 1))
    return np.asarray(dist.min(axis=1) <= tol)


def _clip(  # noqa: PLR0917 - private helper over parallel arrays
    xy: FloatArray,
    u: IntArray,
    v: IntArray,
    kind: NDArray[np.int8],
    perimeter: FloatArray,
    radius_m: float,
) -> SurfaceGraph:
    """Keep nodes within the radius (renumbered), drop loops and duplicate edges."""
    if xy.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return SurfaceGraph(
            xy=np.zeros((0, 2)), u=empty, v=empty, length=np.zeros(0), kind=np.zeros(0, np.int8)
        )
    keep = _distance_to_ring(xy, perimeter) <= radius_m
    keep |= point_in_polygon(xy, perimeter)
    new = np.full(xy.shape[0], -1, dtype=np.int64)
    new[keep] = np.arange(int(keep.sum()))
    ok = keep[u] & keep[v] & (u != v)
    u, v, kind = new[u[ok]], new[v[ok]], kind[ok]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    _, first = np.unique(lo * (int(keep.sum()) + 1) + hi, return_index=True)
    u, v, kind = lo[first], hi[first], kind[first]
    pts = xy[keep]
    length = np.hypot(*(pts[v] - pts[u]).T)
    good = length > 1e-6
    return SurfaceGraph(
        xy=pts, u=u[good], v=v[good], length=np.asarray(length[good]), kind=kind[good]
    )


def read_pbf_surface(
    path: str | PathLike[str], *, bounding_box: Sequence[float] | None = None
) -> list[Way]:
    """Drivable ways (roads, pavements, paths, pedestrian streets) of an ``.osm.pbf`` file.

    Reads pyrosm's ``all`` network (every way with a ``highway`` tag) and keeps what a road
    vehicle can physically use (everything but :data:`NOT_SURFACE`). Nothing is downloaded.

    Parameters
    ----------
    path : path-like
        The extract.
    bounding_box : [west, south, east, north], optional
        Read only this area (degrees) — much faster on a large extract.

    Raises
    ------
    MissingExtraError
        pyrosm is not installed (``pip install 'placeguard[roads]'``).
    ValidationError
        The file holds no way in the bounding box.
    """
    try:
        import pyrosm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "reading .osm.pbf needs the roads extra: pip install 'placeguard[roads]'"
        raise MissingExtraError(msg) from exc
    osm = pyrosm.OSM(str(path), bounding_box=list(bounding_box) if bounding_box else None)
    network = osm.get_network(network_type="all", nodes=True)
    if network is None or network[1] is None or len(network[1]) == 0:
        msg = f"{path} holds no way within the search area"
        raise ValidationError(msg, errors=[FieldError("pbf", msg)])
    nodes, edges = network
    lon = dict(zip(nodes["id"].to_numpy(), nodes["lon"].to_numpy(), strict=True))
    lat = dict(zip(nodes["id"].to_numpy(), nodes["lat"].to_numpy(), strict=True))
    highways = edges["highway"] if "highway" in edges.columns else [None] * len(edges)
    ways = []
    for a, b, hw in zip(edges["u"].to_numpy(), edges["v"].to_numpy(), highways, strict=True):
        tag = _text(hw)
        if tag in NOT_SURFACE or a not in lon or b not in lon:
            continue
        coords = np.array([[lon[a], lat[a]], [lon[b], lat[b]]], dtype=np.float64)
        ways.append(Way(coords=coords, kind=_way_kind(tag)))
    return ways


def _polygon_rings(geom: Any) -> list[FloatArray]:
    """Outer rings (lon/lat, closing vertex dropped) of a shapely Polygon / MultiPolygon."""
    parts = getattr(geom, "geoms", None)
    polys = list(parts) if parts is not None else [geom]
    out = []
    for poly in polys:
        exterior = getattr(poly, "exterior", None)
        if exterior is None:
            continue
        ring = np.asarray(exterior.coords, dtype=np.float64)[:, :2]
        if ring.shape[0] > 1 and np.allclose(ring[0], ring[-1]):
            ring = ring[:-1]
        if ring.shape[0] >= 3:
            out.append(ring)
    return out


def read_pbf_areas(
    path: str | PathLike[str],
    site: Site,
    *,
    bounding_box: Sequence[float] | None = None,
    buildings: bool = True,
) -> tuple[Site, dict[str, int]]:
    """``site`` plus the open areas and buildings of an ``.osm.pbf`` extract.

    Open areas are pedestrian areas and squares (``highway=pedestrian|footway|… + area=yes``,
    ``place=square``) and car parks (``amenity=parking``); buildings become obstacles, except
    those touching the perimeter (usually the protected building itself). Invalid OSM
    polygons are skipped and counted, never fatal.

    Returns
    -------
    (Site, counts)
        The extended site and ``{"open_areas", "obstacles", "skipped"}`` counts.
    """
    import warnings

    try:
        import pyrosm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "reading .osm.pbf needs the roads extra: pip install 'placeguard[roads]'"
        raise MissingExtraError(msg) from exc
    from shapely.geometry import Polygon as ShapelyPolygon

    with warnings.catch_warnings():  # pyrosm warns when the area holds no match
        warnings.simplefilter("ignore", UserWarning)
        osm = pyrosm.OSM(str(path), bounding_box=list(bounding_box) if bounding_box else None)
        areas = osm.get_data_by_custom_criteria(
            custom_filter={"place": ["square"], "highway": sorted(_AREA_HIGHWAYS),
                           "amenity": ["parking"]},
            filter_type="keep", keep_nodes=False, keep_ways=True, keep_relations=True,
        )  # fmt: skip
        houses = osm.get_buildings() if buildings else None
    perimeter = ShapelyPolygon(site.perimeter)
    counts = {"open_areas": 0, "obstacles": 0, "skipped": 0}
    new_areas: list[FloatArray] = []
    new_obstacles: list[FloatArray] = []

    def add(geom: Any, into: list[FloatArray], key: str, *, avoid_perimeter: bool) -> None:
        for ring in _polygon_rings(geom):
            xy = site.frame.to_xy(ring[:, 0], ring[:, 1])
            if polygon_problems(xy, "osm"):
                counts["skipped"] += 1
                continue
            if avoid_perimeter and ShapelyPolygon(xy).intersects(perimeter):
                continue
            into.append(_ccw(xy))
            counts[key] += 1

    if areas is not None:
        for _, row in areas.iterrows():
            props = {k: row.get(k) for k in ("highway", "area", "place", "amenity")}
            if _is_open_area({k: v for k, v in props.items() if isinstance(v, str)}):
                add(row["geometry"], new_areas, "open_areas", avoid_perimeter=False)
    if houses is not None:
        for geom in houses["geometry"]:
            add(geom, new_obstacles, "obstacles", avoid_perimeter=True)
    extended = Site(
        frame=site.frame,
        perimeter=site.perimeter,
        ways=site.ways,
        open_areas=[*site.open_areas, *new_areas],
        obstacles=[*site.obstacles, *new_obstacles],
    )
    return extended, counts
