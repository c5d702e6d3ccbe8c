"""The configured road network (``PLACEGUARD_ROAD_NETWORK``), read once and cached.

A GeoJSON FeatureCollection of road lines (``.geojson``/``.json``) or an OpenStreetMap
``.osm.pbf`` extract (needs the ``roads`` extra). The graph is rebuilt when the file changes.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from placeguard.core.errors import ConflictError, FieldError, ValidationError
from placeguard.engines.allocation.roads import RoadGraph, read_pbf, road_graph_from_geojson

__all__ = ["RoadNetwork", "configured_path", "load_graph", "status"]

_lock = threading.Lock()
_cache: dict[tuple[str, int, int], RoadGraph] = {}


@dataclass(frozen=True, slots=True)
class RoadNetwork:
    """What the coverage page says about the road network."""

    state: str  # "unconfigured", "missing" or "ready"
    path: str
    is_osm: bool


def configured_path() -> str:
    """The configured file, or an empty string."""
    return str(getattr(settings, "PLACEGUARD_ROAD_NETWORK", "") or "")


def status() -> RoadNetwork:
    """Whether a road network is configured and present."""
    path = configured_path()
    is_osm = path.lower().endswith(".pbf")
    if not path:
        return RoadNetwork("unconfigured", path, is_osm)
    return RoadNetwork("ready" if Path(path).is_file() else "missing", path, is_osm)


def load_graph() -> RoadGraph:
    """The road graph of the configured file (``ConflictError`` when there is none)."""
    net = status()
    if net.state != "ready":
        msg = (
            "No road network is configured (set PLACEGUARD_ROAD_NETWORK)."
            if net.state == "unconfigured"
            else "The configured road network file does not exist."
        )
        raise ConflictError(msg, code="no_road_network")
    path = Path(net.path)
    info = path.stat()
    key = (str(path), info.st_mtime_ns, info.st_size)
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = _read(path, is_osm=net.is_osm)
        return _cache[key]


def _read(path: Path, *, is_osm: bool) -> RoadGraph:
    if is_osm:
        return read_pbf(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        msg = "The configured road network is not a readable GeoJSON file."
        raise ValidationError(msg, errors=[FieldError("road_network", str(exc))]) from exc
    if not isinstance(doc, dict):
        msg = "The configured road network is not a GeoJSON FeatureCollection."
        raise ValidationError(msg, errors=[FieldError("road_network", msg)])
    return road_graph_from_geojson(doc)
