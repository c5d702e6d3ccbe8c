"""Response coverage: how fast the nearest station reaches every site over the road graph.

From a :class:`~placeguard.engines.allocation.roads.RoadGraph` (driving times, seconds), a set
of stations and a set of sites (each with a capacity, the people it holds):

1. every station and site is **snapped** to its nearest road node (great-circle distance,
   recorded per point), by default among the nodes of the largest strongly connected
   component only. A point farther than ``max_snap_m`` from such a node counts as off the
   network: an off-network site is unreachable, an off-network station is ignored; both are
   reported, neither is an error;
2. one **multi-source Dijkstra** (:func:`scipy.sparse.csgraph.dijkstra` with ``min_only=True``
   and the station nodes as ``indices``) gives, for every node, the driving time *from* the
   nearest station *to* it, and which station that is; the travel runs station → site, along
   one-way streets in their legal direction;
3. a site's **response time** is its node's time (the snap distance is not added: the time is
   to the road point nearest the site). A site is **covered** when that time is within the
   standard; the shares of sites and of people (capacity-weighted) covered are reported;
4. **isochrones** per band (e.g. 5, 10 and 15 minutes): the nodes reached within the band, and
   as polygons the convex hull of those nodes *per serving station* (each node belongs to its
   nearest station), so that two distant stations do not give one hull spanning the gap
   between them. A convex hull over-states the area reached between roads; the node sets are
   exact.

:func:`plan_units` adds siting of response units (MCLP / LSCP, :mod:`.siting`). Everything
here is pure: graphs and points in, frozen results out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import ConvexHull, QhullError

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation.roads import RoadGraph
from placeguard.engines.allocation.siting import (
    SitingResult,
    coverage_sets,
    solve_lscp,
    solve_mclp,
)

__all__ = [
    "DEFAULT_BANDS_S",
    "CoverageResult",
    "Isochrone",
    "Place",
    "UnitPlan",
    "compute_coverage",
    "nearest_station_times",
    "plan_units",
    "validate_places",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

DEFAULT_BANDS_S: tuple[float, ...] = (300.0, 600.0, 900.0)
"""Isochrone bands, seconds (5, 10 and 15 minutes)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """A station, a site or a candidate base.

    Attributes
    ----------
    id : str
        Unique within its set.
    lon, lat : float
        WGS84 degrees.
    capacity : float
        People the site holds (its weight in the share of people); ignored for stations.
    """

    id: str
    lon: float
    lat: float
    capacity: float = 1.0


def validate_places(
    places: Sequence[Place], *, name: str, require: bool = True
) -> list[FieldError]:
    """Every problem with a set of places: empty set, bad coordinates, duplicate ids, capacity.

    Parameters
    ----------
    places : sequence of Place
    name : str
        Field prefix in the errors (``"stations"``, ``"sites"``).
    require : bool
        Whether an empty set is a problem.
    """
    problems: list[FieldError] = []
    if require and not places:
        problems.append(FieldError(name, f"at least one of the {name} is needed", "required"))
    seen: set[str] = set()
    for i, p in enumerate(places):
        where = f"{name}[{i}]" + (f" ({p.id})" if p.id else "")
        if not p.id:
            problems.append(FieldError(where, "id is empty", "required"))
        elif p.id in seen:
            problems.append(FieldError(where, f"duplicate id {p.id!r}", "duplicate"))
        seen.add(p.id)
        if not (math.isfinite(p.lat) and -90.0 <= p.lat <= 90.0):
            problems.append(FieldError(where, f"latitude {p.lat} is not in [-90, 90]"))
        if not (math.isfinite(p.lon) and -180.0 <= p.lon <= 180.0):
            problems.append(FieldError(where, f"longitude {p.lon} is not in [-180, 180]"))
        if not (math.isfinite(p.capacity) and p.capacity >= 0):
            problems.append(FieldError(where, f"capacity {p.capacity} must be ≥ 0"))
    return problems


def _check_standard(standard_s: float, problems: list[FieldError]) -> None:
    if not (math.isfinite(standard_s) and standard_s > 0):
        problems.append(FieldError("standard", f"standard {standard_s} s must be > 0"))


def nearest_station_times(times: csr_array, station_nodes: IntArray) -> tuple[FloatArray, IntArray]:
    """Time from the nearest station to every node, and which station that is.

    Parameters
    ----------
    times : csr_array
        ``(n, n)`` travel times, seconds.
    station_nodes : ndarray of int64
        Node index of each station (repeats allowed: the first station at a node serves).

    Returns
    -------
    time_s : ndarray of float64, shape (n,)
        Seconds from the nearest station; ``inf`` when no station reaches the node.
    station : ndarray of int64, shape (n,)
        Position in ``station_nodes`` of the nearest station; ``-1`` when unreachable.
    """
    n = times.shape[0]
    station_nodes = np.asarray(station_nodes, dtype=np.int64)
    if station_nodes.size == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    unique, first = np.unique(station_nodes, return_index=True)
    dist, _, sources = dijkstra(
        times, directed=True, indices=unique, min_only=True, return_predecessors=True
    )
    owner = np.full(n, -1, dtype=np.int64)
    owner[unique] = first  # node index of a station → its first position in station_nodes
    sources = np.asarray(sources, dtype=np.int64)
    station = np.where(sources >= 0, owner[np.maximum(sources, 0)], -1)
    return np.asarray(dist, dtype=np.float64), station


@dataclass(frozen=True, slots=True)
class Isochrone:
    """Nodes reached within one band, and their hull polygons (one per serving station).

    Attributes
    ----------
    band_s : float
        Upper bound of the band, seconds.
    nodes : int
        Number of road nodes reached within ``band_s``.
    polygons : tuple
        Rings of ``(lon, lat)``, closed, counter-clockwise; a station that serves fewer than
        three non-collinear reached nodes contributes none.
    """

    band_s: float
    nodes: int
    polygons: tuple[tuple[tuple[float, float], ...], ...]

    def as_feature(self) -> dict[str, Any]:
        """A GeoJSON Feature (MultiPolygon) with ``band_s`` and ``nodes`` properties."""
        return {
            "type": "Feature",
            "properties": {"band_s": self.band_s, "nodes": self.nodes},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[list(p) for p in ring]] for ring in self.polygons],
            },
        }


def _hull(lon: FloatArray, lat: FloatArray) -> tuple[tuple[float, float], ...] | None:
    points = np.unique(np.column_stack([lon, lat]), axis=0)
    if points.shape[0] < 3:
        return None
    try:
        hull = ConvexHull(points)
    except QhullError:  # all points on one line
        return None
    ring = [(float(points[i, 0]), float(points[i, 1])) for i in hull.vertices]
    return (*ring, ring[0])


def _isochrones(
    graph: RoadGraph, time_s: FloatArray, station: IntArray, bands_s: Sequence[float]
) -> tuple[Isochrone, ...]:
    result = []
    for band in sorted(bands_s):
        reached = time_s <= band
        polygons = []
        for s in np.unique(station[reached]):
            mask = reached & (station == s)
            ring = _hull(graph.lon[mask], graph.lat[mask])
            if ring is not None:
                polygons.append(ring)
        result.append(Isochrone(float(band), int(reached.sum()), tuple(polygons)))
    return tuple(result)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageResult:
    """Response times and coverage of every site.

    Arrays are in the order of the input sites (``site_*``) or stations (``station_*``).
    ``site_time_s`` is ``inf`` for an unreachable site and ``site_station`` is ``None``.
    """

    standard_s: float
    max_snap_m: float | None
    site_ids: tuple[str, ...]
    site_capacity: FloatArray
    site_node: IntArray
    site_snap_m: FloatArray
    site_time_s: FloatArray
    site_station: tuple[str | None, ...]
    station_ids: tuple[str, ...]
    station_node: IntArray
    station_snap_m: FloatArray
    station_off_network: tuple[str, ...]
    isochrones: tuple[Isochrone, ...]
    node_time_s: FloatArray = field(repr=False)

    @property
    def covered(self) -> BoolArray:
        """Whether each site is reached within the standard."""
        return np.asarray(self.site_time_s <= self.standard_s)

    @property
    def share_sites(self) -> float:
        """Share of sites covered (0 to 1; NaN with no sites)."""
        return float(self.covered.mean()) if self.site_ids else math.nan

    @property
    def share_people(self) -> float:
        """Capacity-weighted share covered: Σ capacity·covered / Σ capacity (NaN if Σ = 0)."""
        total = float(self.site_capacity.sum())
        return float(self.site_capacity[self.covered].sum()) / total if total > 0 else math.nan

    @property
    def uncovered_ids(self) -> tuple[str, ...]:
        """Sites not reached within the standard (unreachable ones included)."""
        return tuple(i for i, c in zip(self.site_ids, self.covered, strict=True) if not c)

    @property
    def unreachable_ids(self) -> tuple[str, ...]:
        """Sites no station reaches at all (disconnected, or off the network)."""
        return tuple(
            i for i, t in zip(self.site_ids, self.site_time_s, strict=True) if not np.isfinite(t)
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (``inf`` and NaN become null)."""
        return {
            "standard_s": self.standard_s,
            "max_snap_m": self.max_snap_m,
            "share_sites": _finite(self.share_sites),
            "share_people": _finite(self.share_people),
            "sites": [
                {
                    "id": sid,
                    "capacity": float(cap),
                    "time_s": _finite(float(t)),
                    "station": st,
                    "covered": bool(t <= self.standard_s),
                    "node": int(node),
                    "snap_m": round(float(snap), 1),
                }
                for sid, cap, t, st, node, snap in zip(
                    self.site_ids,
                    self.site_capacity,
                    self.site_time_s,
                    self.site_station,
                    self.site_node,
                    self.site_snap_m,
                    strict=True,
                )
            ],
            "stations": [
                {"id": sid, "node": int(node), "snap_m": round(float(snap), 1)}
                for sid, node, snap in zip(
                    self.station_ids, self.station_node, self.station_snap_m, strict=True
                )
            ],
            "stations_off_network": list(self.station_off_network),
            "uncovered": list(self.uncovered_ids),
            "unreachable": list(self.unreachable_ids),
            "isochrones": {
                "type": "FeatureCollection",
                "method": "convex hull of reached road nodes, per serving station",
                "features": [iso.as_feature() for iso in self.isochrones],
            },
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _snap(
    graph: RoadGraph, places: Sequence[Place], max_snap_m: float | None, among: BoolArray | None
) -> tuple[IntArray, FloatArray, BoolArray]:
    if not places:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
    lon = np.array([p.lon for p in places], dtype=np.float64)
    lat = np.array([p.lat for p in places], dtype=np.float64)
    nodes, dist = graph.snap(lon, lat, among=among)
    on = dist <= max_snap_m if max_snap_m is not None else np.ones(len(places), dtype=bool)
    return nodes, dist, np.asarray(on)


def compute_coverage(
    graph: RoadGraph,
    stations: Sequence[Place],
    sites: Sequence[Place],
    *,
    standard_s: float,
    bands_s: Sequence[float] = DEFAULT_BANDS_S,
    max_snap_m: float | None = 1000.0,
    main_component: bool = True,
) -> CoverageResult:
    """Response time from the nearest station to every site, and the shares covered.

    Parameters
    ----------
    graph : RoadGraph
        Driving times, seconds.
    stations, sites : sequences of Place
        At least one of each; ids unique within each set.
    standard_s : float
        Response-time standard, seconds (> 0).
    bands_s : sequence of float
        Isochrone bands, seconds (> 0).
    max_snap_m : float or None
        Points farther than this (metres) from every road node are off the network;
        None snaps every point however far.
    main_component : bool
        Snap only to nodes of the largest strongly connected component, so that a point is
        never attached to a fragment that no station can reach (an extract's clipped edge, a
        one-way stub). The snap distance recorded is to the node actually used.

    Returns
    -------
    CoverageResult

    Raises
    ------
    ValidationError
        Listing every problem in the inputs. Unreachable sites are a result, not an error.
    """
    problems = validate_places(stations, name="stations")
    problems += validate_places(sites, name="sites")
    _check_standard(standard_s, problems)
    problems += [
        FieldError("bands", f"band {b} s must be > 0")
        for b in bands_s
        if not (math.isfinite(b) and b > 0)
    ]
    if max_snap_m is not None and not (math.isfinite(max_snap_m) and max_snap_m >= 0):
        problems.append(FieldError("max_snap_m", f"snap limit {max_snap_m} m must be ≥ 0"))
    if problems:
        msg = f"the coverage inputs have {len(problems)} problem(s)"
        raise ValidationError(msg, errors=problems)

    among = graph.main_component() if main_component else None
    station_node, station_snap, station_on = _snap(graph, stations, max_snap_m, among)
    site_node, site_snap, site_on = _snap(graph, sites, max_snap_m, among)
    serving = np.flatnonzero(station_on)
    node_time, node_station = nearest_station_times(graph.times, station_node[serving])
    node_station = np.where(node_station >= 0, serving[np.maximum(node_station, 0)], -1)
    site_time = np.where(site_on, node_time[site_node], np.inf)
    site_station = np.where(site_on, node_station[site_node], -1)
    return CoverageResult(
        standard_s=float(standard_s),
        max_snap_m=max_snap_m,
        site_ids=tuple(p.id for p in sites),
        site_capacity=np.array([p.capacity for p in sites], dtype=np.float64),
        site_node=site_node,
        site_snap_m=site_snap,
        site_time_s=site_time,
        site_station=tuple(stations[s].id if s >= 0 else None for s in site_station),
        station_ids=tuple(p.id for p in stations),
        station_node=station_node,
        station_snap_m=station_snap,
        station_off_network=tuple(
            p.id for p, on in zip(stations, station_on, strict=True) if not on
        ),
        isochrones=_isochrones(graph, node_time, node_station, bands_s),
        node_time_s=node_time,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitPlan:
    """Where to put response units, and what they cover.

    Attributes
    ----------
    siting : SitingResult
        The MCLP or LSCP solution over the candidate columns.
    candidate_nodes : ndarray of int64
        Road node of each candidate column of ``siting``.
    chosen_nodes : ndarray of int64
        Road node of each unit placed.
    chosen_lon, chosen_lat : ndarray of float64
        Their coordinates, WGS84 degrees.
    chosen_ids : tuple of str
        Candidate ids of the units placed (node ids as text when candidates are road nodes).
    covered_before, covered_after : ndarray of bool
        Per site: covered by the kept stations alone / with the new units as well.
    """

    siting: SitingResult
    candidate_nodes: IntArray
    chosen_nodes: IntArray
    chosen_lon: FloatArray
    chosen_lat: FloatArray
    chosen_ids: tuple[str, ...]
    site_ids: tuple[str, ...]
    site_capacity: FloatArray
    covered_before: BoolArray
    covered_after: BoolArray

    @property
    def share_people_after(self) -> float:
        """Capacity-weighted share of sites covered with the new units (NaN if Σ = 0)."""
        total = float(self.site_capacity.sum())
        return float(self.site_capacity[self.covered_after].sum()) / total if total else math.nan

    @property
    def uncovered_ids(self) -> tuple[str, ...]:
        """Sites still not covered after the new units."""
        return tuple(s for s, c in zip(self.site_ids, self.covered_after, strict=True) if not c)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            **self.siting.as_dict(),
            "uncoverable_sites": [
                self.site_ids[i] for i in np.flatnonzero(self.siting.uncoverable)
            ],
            "units": [
                {"id": cid, "node": int(n), "lon": float(x), "lat": float(y)}
                for cid, n, x, y in zip(
                    self.chosen_ids,
                    self.chosen_nodes,
                    self.chosen_lon,
                    self.chosen_lat,
                    strict=True,
                )
            ],
            "share_sites_after": float(self.covered_after.mean()) if self.site_ids else None,
            "share_people_after": _finite(self.share_people_after),
            "uncovered_after": list(self.uncovered_ids),
        }


def plan_units(
    graph: RoadGraph,
    sites: Sequence[Place],
    *,
    standard_s: float,
    units: int | None = None,
    stations: Sequence[Place] = (),
    candidates: Sequence[Place] | None = None,
    max_snap_m: float | None = 1000.0,
    main_component: bool = True,
    time_limit_s: float = 30.0,
    max_exact_nonzeros: int = 2_000_000,
) -> UnitPlan:
    """Site response units so that sites are reached within the standard.

    With ``units = k`` this solves the MCLP (the k bases maximising the people covered);
    without, the LSCP (the fewest bases covering every coverable site). The ``stations``
    are kept where they are: sites they already cover count as covered, and the new units
    serve the rest.

    Parameters
    ----------
    graph : RoadGraph
    sites : sequence of Place
        Demand: each site weighs its capacity.
    standard_s : float
        Response-time standard, seconds.
    units : int or None
        Number of new units (≥ 1) for the MCLP; None for the LSCP.
    stations : sequence of Place
        Existing stations, kept.
    candidates : sequence of Place or None
        Possible bases; None makes every road node a candidate (every node of the main
        component when ``main_component``; candidates covering the same sites are merged
        first, which changes no optimum).
    max_snap_m, main_component
        See :func:`compute_coverage`.
    time_limit_s, max_exact_nonzeros
        See :func:`.siting.solve_mclp`.

    Raises
    ------
    ValidationError
        Listing every problem (bad places, ``units`` < 1 or more than the candidates...).
    """
    problems = validate_places(sites, name="sites")
    problems += validate_places(stations, name="stations", require=False)
    if candidates is not None:
        problems += validate_places(candidates, name="candidates")
    _check_standard(standard_s, problems)
    if units is not None and units < 1:
        problems.append(FieldError("units", f"units {units} must be ≥ 1"))
    if problems:
        msg = f"the siting inputs have {len(problems)} problem(s)"
        raise ValidationError(msg, errors=problems)

    among = graph.main_component() if main_component else None
    site_node, _, site_on = _snap(graph, sites, max_snap_m, among)
    capacity = np.array([p.capacity for p in sites], dtype=np.float64)
    station_node, _, station_on = _snap(graph, stations, max_snap_m, among)
    node_time, _ = nearest_station_times(graph.times, station_node[station_on])
    before = site_on & (node_time[site_node] <= standard_s)

    if candidates is None:
        cand_nodes = np.arange(graph.n_nodes, dtype=np.int64)
        if among is not None:
            cand_nodes = cand_nodes[among]
        cand_ids = tuple(str(graph.node_ids[n]) for n in cand_nodes)
    else:  # candidates off the network are left out
        snapped, _, cand_on = _snap(graph, candidates, max_snap_m, among)
        cand_nodes = snapped[cand_on]
        cand_ids = tuple(p.id for p, on in zip(candidates, cand_on, strict=True) if on)
    cover = coverage_sets(graph.times, site_node, cand_nodes, standard_s=standard_s)
    cover = csr_array(cover.multiply(site_on[:, None]))  # off-network sites: nobody covers them
    if units is not None and units > cover.shape[1]:
        msg = f"units {units} exceed the {cover.shape[1]} candidate base(s) on the network"
        raise ValidationError(msg, errors=[FieldError("units", msg)])
    demand = np.where(before, 0.0, capacity)
    keep = ~before
    if units is None:
        siting = solve_lscp(
            cover, required=keep, time_limit_s=time_limit_s, max_exact_nonzeros=max_exact_nonzeros
        )
    else:
        siting = solve_mclp(
            cover, demand, units, time_limit_s=time_limit_s, max_exact_nonzeros=max_exact_nonzeros
        )
    chosen = siting.chosen
    chosen_nodes = cand_nodes[chosen]
    after = before | siting.covered
    return UnitPlan(
        siting=siting,
        candidate_nodes=cand_nodes,
        chosen_nodes=chosen_nodes,
        chosen_lon=graph.lon[chosen_nodes],
        chosen_lat=graph.lat[chosen_nodes],
        chosen_ids=tuple(cand_ids[j] for j in chosen),
        site_ids=tuple(p.id for p in sites),
        site_capacity=capacity,
        covered_before=before,
        covered_after=after,
    )
