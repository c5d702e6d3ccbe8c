"""Urban flag: hand-picked points, a naive haversine oracle, ray casting against shapely."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.intel.synthetic import canonical_table
from placeguard.engines.intel.urban import (
    GEONAMES_ATTRIBUTION,
    NearestCity,
    UrbanPolygons,
    apply_urban,
    haversine_km,
)


def test_haversine_known_distances() -> None:
    # one degree of latitude on the 6,371.0088 km sphere
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.195, abs=0.001)
    # antipodes: half the circumference
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(np.pi * 6371.0088)
    # Paris – London, about 344 km
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)


def test_city_centres_are_urban_and_the_ocean_is_not() -> None:
    flag = NearestCity(min_population=1_000_000, max_km=15)
    lat = np.array([48.8566, 35.6895, -33.8688, 0.0, -40.0, 30.0, np.nan])
    lon = np.array([2.3522, 139.6917, 151.2093, -30.0, -120.0, -40.0, 10.0])
    result = flag.classify(lat, lon)
    assert result.urban[:3].all()  # Paris, Tokyo, Sydney
    assert not result.urban[3:6].any()  # mid-Atlantic, South Pacific, North Atlantic
    assert result.known.tolist() == [True] * 6 + [False]
    assert result.distance_km[3] > 500
    assert result.method == "nearest-place:geonames-cities15000:pop>=1000000:within=15km"
    assert result.attribution == GEONAMES_ATTRIBUTION
    assert "CC BY 4.0" in GEONAMES_ATTRIBUTION


def test_population_threshold_matters() -> None:
    # Chamonix (about 9,000 inhabitants; not in cities15000 above 100,000) — no big city near
    lat, lon = np.array([45.9237]), np.array([6.8694])
    assert not NearestCity(min_population=100_000, max_km=20).classify(lat, lon).urban[0]
    places = ([45.92], [6.87], [9000.0])
    custom = NearestCity(min_population=5000, max_km=20, places=places)
    assert custom.classify(lat, lon).urban[0]
    assert custom.attribution is None
    assert "custom-places" in custom.method


points = st.lists(
    st.tuples(st.floats(-89.9, 89.9), st.floats(-180.0, 180.0)), min_size=1, max_size=40
)


@settings(max_examples=40, deadline=None)
@given(places=points, queries=points)
def test_kdtree_nearest_matches_naive_haversine(
    places: list[tuple[float, float]], queries: list[tuple[float, float]]
) -> None:
    plat = np.array([p[0] for p in places])
    plon = np.array([p[1] for p in places])
    qlat = np.array([q[0] for q in queries])
    qlon = np.array([q[1] for q in queries])
    flag = NearestCity(min_population=0, max_km=500, places=(plat, plon, np.ones(len(plat))))
    _, dist = flag.nearest(qlat, qlon)
    naive = np.array(
        [min(float(haversine_km(a, b, c, d)) for c, d in zip(plat, plon, strict=True))
         for a, b in zip(qlat, qlon, strict=True)]
    )  # fmt: skip
    np.testing.assert_allclose(dist, naive, rtol=1e-9, atol=1e-6)
    assert (flag.classify(qlat, qlon).urban == (naive <= 500)).all() or np.any(
        np.isclose(naive, 500)
    )


SQUARE_WITH_HOLE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "centre"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                    [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[20, 20], [25, 20], [22, 26], [20, 20]]]],
            },
        },
    ],
}


@pytest.mark.parametrize("use_shapely", [True, False])
def test_polygons_hand_points(use_shapely: bool) -> None:
    flag = UrbanPolygons.from_geojson(SQUARE_WITH_HOLE, use_shapely=use_shapely)
    lon = np.array([1.0, 5.0, 9.0, 11.0, 22.0, 24.5, np.nan])
    lat = np.array([1.0, 5.0, 9.5, 5.0, 22.0, 25.0, 1.0])
    result = flag.classify(lat, lon)
    assert result.urban.tolist() == [True, False, True, False, True, False, False]
    assert result.known.tolist() == [True] * 6 + [False]
    assert result.method.startswith("polygons:")
    assert result.method.endswith("shapely" if use_shapely else "ray-casting")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 30), st.floats(-5, 30)), min_size=1, max_size=60))
def test_ray_casting_agrees_with_shapely(pts: list[tuple[float, float]]) -> None:
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    ours = UrbanPolygons.from_geojson(SQUARE_WITH_HOLE, use_shapely=False).classify(lat, lon)
    ref = UrbanPolygons.from_geojson(SQUARE_WITH_HOLE, use_shapely=True).classify(lat, lon)
    on_edge = np.isin(lon, [0, 4, 6, 10]) | np.isin(lat, [0, 4, 6, 10, 20])
    assert (ours.urban == ref.urban)[~on_edge].all()


def test_polygons_from_file_record_name_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "ucdb.geojson"
    path.write_text(json.dumps(SQUARE_WITH_HOLE))
    flag = UrbanPolygons.from_geojson(path)
    assert flag.method.startswith("polygons:ucdb.geojson:sha256=")
    with pytest.raises(ValueError, match="Polygon"):
        UrbanPolygons.from_geojson({"type": "Point", "coordinates": [0, 0]})


def test_apply_urban_sets_columns_and_keeps_unknown_null() -> None:
    table = canonical_table(200, seed=1)
    lat = table.column("latitude").to_pylist()
    lat[0] = None
    table = table.set_column(
        table.schema.names.index("latitude"), table.schema.field("latitude"),
        pa.array(lat, pa.float64()),
    )  # fmt: skip
    out = apply_urban(table, NearestCity())
    assert out.column("urban")[0].as_py() is None
    assert out.column("urban").null_count == 1
    assert set(out.column("urban_method").to_pylist()) == {NearestCity().method}
    planted = table.column("urban").to_pylist()[1:]
    assert out.column("urban").to_pylist()[1:] == planted
