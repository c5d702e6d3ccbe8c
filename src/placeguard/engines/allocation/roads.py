"""Road graphs of driving travel times, from OpenStreetMap ``.osm.pbf`` or GeoJSON lines.

A road graph is a directed graph whose nodes are road vertices (OSM nodes, or the vertices of
GeoJSON lines) and whose edge weights are **driving travel times in seconds**:

``time = length / speed``, where ``length`` is the great-circle length of the segment (metres)
and ``speed`` is the segment's ``maxspeed`` tag when present and parseable, otherwise the
default for its ``highway`` class (:data:`DEFAULT_SPEEDS_KMH`), times an optional
``speed_factor``.

Rules, stated once:

* only roads a car may use are kept: footways, pavements, paths, steps, cycleways, tracks,
  service roads and roads closed to motor vehicles are dropped (:data:`NOT_DRIVABLE`; pyrosm's
  ``driving`` filter applies the same exclusions to ``.osm.pbf`` input);
* ``oneway=yes|true|1`` allows travel along the way's direction only, ``oneway=-1|reverse``
  against it only; ``highway=motorway`` and ``junction=roundabout|circular`` are one-way unless
  tagged ``oneway=no``; ``oneway=reversible|alternating`` is treated as two-way (optimistic);
* of several parallel segments between the same two nodes, the fastest is kept.

The graph is a :class:`scipy.sparse.csr_array`; explicit zero entries are zero-time edges
(duplicate OSM nodes), which :mod:`scipy.sparse.csgraph` honours.

Reading ``.osm.pbf`` needs the optional ``roads`` extra (pyrosm); it is imported only inside
:func:`read_pbf`, so this module imports without it. Nothing is downloaded at any time.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import KDTree

from placeguard.core.errors import FieldError, PlaceguardError, ValidationError

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "EARTH_RADIUS_M",
    "FALLBACK_SPEED_KMH",
    "NOT_DRIVABLE",
    "MissingExtraError",
    "RoadGraph",
    "build_road_graph",
    "edge_speed_kmh",
    "haversine_m",
    "oneway_direction",
    "parse_maxspeed",
    "read_pbf",
    "road_graph_from_geojson",
    "road_graph_from_pyrosm",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""

DEFAULT_SPEEDS_KMH: Mapping[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "road": 30.0,
    "living_street": 10.0,
}
"""Default speed per ``highway`` class (km/h) when ``maxspeed`` is absent or unparseable."""

FALLBACK_SPEED_KMH = 30.0
"""Speed (km/h) for a drivable ``highway`` class missing from the table."""

NOT_DRIVABLE: frozenset[str] = frozenset(
    {
        "abandoned", "bridleway", "bus_guideway", "busway", "construction", "corridor",
        "cycleway", "elevator", "escalator", "footway", "ladder", "no", "path", "pedestrian",
        "planned", "platform", "proposed", "raceway", "razed", "rest_area", "service",
        "services", "sidewalk", "steps", "track", "trail",
    }
)  # fmt: skip
"""``highway`` values dropped from the driving graph (pyrosm's ``driving`` filter, same list)."""

_CLOSED_ACCESS = frozenset({"no", "private"})
_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
_FORWARD = frozenset({"yes", "true", "1"})
_BACKWARD = frozenset({"-1", "reverse"})
_TWO_WAY = frozenset({"no", "false", "0", "reversible", "alternating"})
_MPH = 1.609344
_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$")


class MissingExtraError(PlaceguardError):
    """An optional dependency is not installed."""

    code = "missing_extra"


@dataclass(frozen=True, slots=True, kw_only=True)
class RoadGraph:
    """A directed road graph weighted by driving time.

    Attributes
    ----------
    times : csr_array
        ``(n, n)`` travel time in seconds from row node to column node.
    node_ids : ndarray of int64
        Source identifier of each node (OSM node id, or a running number for GeoJSON).
    lon, lat : ndarray of float64
        Node coordinates, WGS84 degrees.
    """

    times: csr_array
    node_ids: IntArray
    lon: FloatArray
    lat: FloatArray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_ids.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges (after keeping the fastest of parallel segments)."""
        return int(self.times.nnz)

    def main_component(self) -> BoolArray:
        """Nodes of the largest strongly connected component (each reaches every other)."""
        if self.n_nodes == 0:
            return np.zeros(0, dtype=bool)
        _, labels = connected_components(self.times, directed=True, connection="strong")
        return np.asarray(labels == np.argmax(np.bincount(labels)))

    def snap(
        self, lon: FloatArray, lat: FloatArray, *, among: BoolArray | None = None
    ) -> tuple[IntArray, FloatArray]:
        """Nearest graph node of each point, by great-circle distance.

        Parameters
        ----------
        lon, lat : ndarray of float64
            Points, WGS84 degrees.
        among : ndarray of bool, optional
            Only these nodes may be snapped to (e.g. :meth:`main_component`).

        Returns
        -------
        nodes : ndarray of int64
            Index of the nearest node of each point.
        distance_m : ndarray of float64
            Great-circle distance from the point to that node, metres.
        """
        allowed = np.arange(self.n_nodes) if among is None else np.flatnonzero(among)
        if allowed.size == 0:
            msg = "the road graph has no nodes to snap to"
            raise ValidationError(msg, errors=[FieldError("roads", "no drivable roads")])
        tree = KDTree(_unit_vectors(self.lon[allowed], self.lat[allowed]))
        chord, nearest = tree.query(_unit_vectors(np.asarray(lon), np.asarray(lat)))
        chord = np.minimum(np.asarray(chord, dtype=np.float64), 2.0)
        distance = 2.0 * EARTH_RADIUS_M * np.arcsin(chord / 2.0)
        return allowed[np.asarray(nearest, dtype=np.int64)], distance


def _unit_vectors(lon: FloatArray, lat: FloatArray) -> FloatArray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def haversine_m(
    lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray
) -> FloatArray:
    """Great-circle distance in metres between WGS84 points (degrees), element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def parse_maxspeed(value: object) -> float | None:
    """A ``maxspeed`` tag in km/h, or None when absent or not a number.

    Accepts ``"50"``, ``"50 km/h"``, ``"30 mph"`` and several values separated by ``;``
    (the lowest is taken). Symbolic values (``"none"``, ``"signals"``, ``"RU:urban"``,
    ``"walk"``) and values outside (0, 250] km/h give None, so the class default applies.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    speeds = []
    for part in str(value).split(";"):
        match = _SPEED.match(part.strip().lower())
        if match is None:
            return None
        speed = float(match.group(1)) * (_MPH if match.group(2) == "mph" else 1.0)
        if not 0.0 < speed <= 250.0:
            return None
        speeds.append(speed)
    return min(speeds) if speeds else None


def edge_speed_kmh(
    highway: object,
    maxspeed: object = None,
    *,
    speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
) -> float:
    """Speed (km/h) of one road segment: its ``maxspeed`` if parseable, else its class default."""
    parsed = parse_maxspeed(maxspeed)
    if parsed is not None:
        return parsed
    return float(speeds.get(_text(highway), FALLBACK_SPEED_KMH))


def oneway_direction(oneway: object, highway: object = None, junction: object = None) -> int:
    """Allowed direction of travel along a way.

    Returns
    -------
    int
        ``1`` forward only, ``-1`` backward only, ``0`` both ways.
    """
    tag = _text(oneway)
    if tag in _FORWARD:
        return 1
    if tag in _BACKWARD:
        return -1
    if tag in _TWO_WAY:
        return 0
    implied = _text(highway) == "motorway" or _text(junction) in {"roundabout", "circular"}
    return 1 if implied else 0


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().lower()


def build_road_graph(
    *,
    node_ids: Sequence[int] | IntArray,
    lon: Sequence[float] | FloatArray,
    lat: Sequence[float] | FloatArray,
    u: Sequence[int] | IntArray,
    v: Sequence[int] | IntArray,
    seconds: Sequence[float] | FloatArray,
    direction: Sequence[int] | IntArray,
) -> RoadGraph:
    """Assemble a :class:`RoadGraph` from node and segment arrays.

    Parameters
    ----------
    node_ids, lon, lat : sequences of length n
        Node identifiers (unique) and WGS84 coordinates (degrees).
    u, v : sequences of length m
        Segment end points, as node identifiers (not indices).
    seconds : sequence of float, length m
        Travel time along each segment, seconds (non-negative).
    direction : sequence of int, length m
        ``1`` u→v only, ``-1`` v→u only, ``0`` both.

    Returns
    -------
    RoadGraph
        With the fastest of any parallel segments kept.
    """
    ids = np.asarray(node_ids, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    if ids.size and np.any(sorted_ids[1:] == sorted_ids[:-1]):
        msg = "road node identifiers are not unique"
        raise ValidationError(msg, errors=[FieldError("nodes", msg)])

    def index_of(endpoints: IntArray, field: str) -> IntArray:
        pos = np.searchsorted(sorted_ids, endpoints)
        pos = np.minimum(pos, max(ids.size - 1, 0))
        if endpoints.size and (ids.size == 0 or np.any(sorted_ids[pos] != endpoints)):
            msg = f"a road segment's {field} end is not a known node"
            raise ValidationError(msg, errors=[FieldError(field, msg)])
        return np.asarray(order[pos], dtype=np.int64)

    ui = index_of(np.asarray(u, dtype=np.int64), "u")
    vi = index_of(np.asarray(v, dtype=np.int64), "v")
    t = np.asarray(seconds, dtype=np.float64)
    d = np.asarray(direction, dtype=np.int64)
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        msg = "road segment times must be finite and non-negative"
        raise ValidationError(msg, errors=[FieldError("seconds", msg)])
    fwd, bwd = d >= 0, d <= 0
    rows = np.concatenate([ui[fwd], vi[bwd]])
    cols = np.concatenate([vi[fwd], ui[bwd]])
    data = np.concatenate([t[fwd], t[bwd]])
    keep = rows != cols  # a loop never shortens a path
    rows, cols, data = rows[keep], cols[keep], data[keep]
    # Fastest parallel segment: sort by (row, col, time) and keep the first of each pair;
    # building from COO would *sum* duplicates instead.
    sort = np.lexsort((data, cols, rows))
    rows, cols, data = rows[sort], cols[sort], data[sort]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, data = rows[first], cols[first], data[first]
    n = ids.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    times = csr_array((data, cols, indptr), shape=(n, n))
    return RoadGraph(
        times=times,
        node_ids=ids,
        lon=np.asarray(lon, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
    )


def _is_closed(tags: Mapping[str, object]) -> bool:
    for key in _ACCESS_KEYS:  # the most specific key present decides
        value = _text(tags.get(key))
        if value:
            return value in _CLOSED_ACCESS
    return False


def road_graph_from_geojson(
    collection: Mapping[str, Any],
    *,
    speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    speed_factor: float = 1.0,
) -> RoadGraph:
    """Road graph from a GeoJSON FeatureCollection of LineStrings (or MultiLineStrings).

    Each feature is one road; its properties are OSM tags (``highway``, ``maxspeed``,
    ``oneway``, ``junction``, ``access``...). Vertices at equal coordinates (to 1e-7°, about
    1 cm) are the same node, so lines join where they share a vertex. A feature without a
    ``highway`` property counts as ``road``.

    Parameters
    ----------
    collection : mapping
        The parsed GeoJSON.
    speeds : mapping of str to float, optional
        Speed per ``highway`` class, km/h.
    speed_factor : float, optional
        Multiplies every speed (e.g. 1.2 for blue-light driving), > 0.

    Raises
    ------
    ValidationError
        Naming every malformed feature.
    """
    problems: list[FieldError] = []
    if collection.get("type") != "FeatureCollection" or not isinstance(
        collection.get("features"), list
    ):
        msg = "the road file is not a GeoJSON FeatureCollection"
        raise ValidationError(msg, errors=[FieldError("roads", msg)])
    _check_speed_factor(speed_factor)
    keys: dict[tuple[int, int], int] = {}
    node_lon: list[float] = []
    node_lat: list[float] = []
    u: list[int] = []
    v: list[int] = []
    seconds_per_m: list[float] = []
    direction: list[int] = []
    for number, feature in enumerate(collection["features"]):
        where = f"features[{number}]"
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        props = (feature.get("properties") or {}) if isinstance(feature, Mapping) else {}
        if not isinstance(geometry, Mapping) or geometry.get("type") not in (
            "LineString",
            "MultiLineString",
        ):
            problems.append(FieldError(where, "geometry must be a LineString or MultiLineString"))
            continue
        highway = _text(props.get("highway")) or "road"
        if highway in NOT_DRIVABLE or _is_closed(props):
            continue
        lines = geometry.get("coordinates")
        if geometry["type"] == "LineString":
            lines = [lines]
        if not isinstance(lines, list) or not all(
            isinstance(line, list) and len(line) >= 2 and all(_is_position(p) for p in line)
            for line in lines
        ):
            problems.append(FieldError(where, "coordinates must be [lon, lat] positions, ≥ 2"))
            continue
        pace = 3.6 / (edge_speed_kmh(highway, props.get("maxspeed"), speeds=speeds) * speed_factor)
        way = oneway_direction(props.get("oneway"), highway, props.get("junction"))
        for line in lines:
            ends = []
            for x, y in line:
                key = (round(float(x) * 1e7), round(float(y) * 1e7))
                if key not in keys:
                    keys[key] = len(keys)
                    node_lon.append(float(x))
                    node_lat.append(float(y))
                ends.append(keys[key])
            for a, b in itertools.pairwise(ends):
                u.append(a)
                v.append(b)
                seconds_per_m.append(pace)
                direction.append(way)
    if problems:
        msg = f"{len(problems)} road feature(s) are malformed"
        raise ValidationError(msg, errors=problems)
    lon, lat = np.asarray(node_lon), np.asarray(node_lat)
    ui, vi = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    length = haversine_m(lon[ui], lat[ui], lon[vi], lat[vi])
    return build_road_graph(
        node_ids=np.arange(lon.size),
        lon=lon,
        lat=lat,
        u=ui,
        v=vi,
        seconds=length * np.asarray(seconds_per_m),
        direction=direction,
    )


def _is_position(p: object) -> bool:
    return (
        isinstance(p, list | tuple)
        and len(p) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p[:2])
        and -180.0 <= float(p[0]) <= 180.0
        and -90.0 <= float(p[1]) <= 90.0
    )


def _check_speed_factor(speed_factor: float) -> None:
    if not (math.isfinite(speed_factor) and speed_factor > 0):
        msg = "speed_factor must be a positive number"
        raise ValidationError(msg, errors=[FieldError("speed_factor", msg)])


def road_graph_from_pyrosm(
    nodes: Any,
    edges: Any,
    *,
    speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    speed_factor: float = 1.0,
) -> RoadGraph:
    """Road graph from pyrosm's ``get_network(network_type="driving", nodes=True)`` frames.

    Parameters
    ----------
    nodes : DataFrame
        Columns ``id``, ``lon``, ``lat``.
    edges : DataFrame
        Columns ``u``, ``v``, ``length`` (metres), ``highway``, and where present
        ``maxspeed``, ``oneway``, ``junction`` and ``tags`` (a JSON object of other tags).
    speeds, speed_factor
        As for :func:`road_graph_from_geojson`.
    """
    _check_speed_factor(speed_factor)

    def column(name: str) -> list[object]:
        return list(edges[name]) if name in edges.columns else [None] * len(edges)

    tags = [_tags(t) for t in column("tags")]
    highway = column("highway")
    junction = [
        j if _text(j) else t.get("junction") for j, t in zip(column("junction"), tags, strict=True)
    ]
    speed = np.array(
        [
            edge_speed_kmh(h, m, speeds=speeds)
            for h, m in zip(highway, column("maxspeed"), strict=True)
        ]
    )
    way = [
        oneway_direction(o, h, j)
        for o, h, j in zip(column("oneway"), highway, junction, strict=True)
    ]
    length = np.asarray(edges["length"], dtype=np.float64)
    return build_road_graph(
        node_ids=np.asarray(nodes["id"], dtype=np.int64),
        lon=np.asarray(nodes["lon"], dtype=np.float64),
        lat=np.asarray(nodes["lat"], dtype=np.float64),
        u=np.asarray(edges["u"], dtype=np.int64),
        v=np.asarray(edges["v"], dtype=np.int64),
        seconds=length * 3.6 / (speed * speed_factor),
        direction=way,
    )


def _tags(value: object) -> dict[str, object]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def read_pbf(
    path: str | PathLike[str],
    *,
    speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH,
    speed_factor: float = 1.0,
) -> RoadGraph:
    """Read the driving road graph of an OpenStreetMap ``.osm.pbf`` file, offline.

    This is the module's only file access; it needs the ``roads`` extra
    (``pip install 'placeguard[roads]'``, which brings pyrosm).

    Raises
    ------
    MissingExtraError
        pyrosm is not installed.
    ValidationError
        The file holds no drivable road.
    """
    try:
        import pyrosm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "reading .osm.pbf needs the roads extra: pip install 'placeguard[roads]'"
        raise MissingExtraError(msg) from exc
    network = pyrosm.OSM(str(path)).get_network(
        network_type="driving", nodes=True, extra_attributes=["junction"]
    )
    if network is None or network[1] is None or len(network[1]) == 0:
        msg = f"{path} holds no drivable road"
        raise ValidationError(msg, errors=[FieldError("pbf", "no drivable road")])
    nodes, edges = network
    return road_graph_from_pyrosm(nodes, edges, speeds=speeds, speed_factor=speed_factor)
