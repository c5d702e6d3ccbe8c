"""Road graphs: speeds, one-way rules, parallel segments, GeoJSON and the bundled OSM extracts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.roads import (
    DEFAULT_SPEEDS_KMH,
    FALLBACK_SPEED_KMH,
    build_road_graph,
    edge_speed_kmh,
    haversine_m,
    oneway_direction,
    parse_maxspeed,
    road_graph_from_geojson,
)


def line(coords: list[tuple[float, float]], **tags: object) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": tags,
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("30 mph", 30 * 1.609344),
        ("50;30", 30.0),
        (" 40 ", 40.0),
        ("none", None),
        ("signals", None),
        ("RU:urban", None),
        ("0", None),
        ("999", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_maxspeed_tags_parse_to_kmh_or_none(tag: object, expected: float | None) -> None:
    assert parse_maxspeed(tag) == (pytest.approx(expected) if expected is not None else None)


def test_speed_uses_maxspeed_then_class_default_then_fallback() -> None:
    assert edge_speed_kmh("residential", "50") == 50.0
    assert edge_speed_kmh("motorway", "none") == DEFAULT_SPEEDS_KMH["motorway"]
    assert edge_speed_kmh("weird_class", None) == FALLBACK_SPEED_KMH


@pytest.mark.parametrize(
    ("oneway", "highway", "junction", "expected"),
    [
        ("yes", "residential", None, 1),
        ("1", "residential", None, 1),
        ("-1", "residential", None, -1),
        ("no", "motorway", None, 0),
        (None, "motorway", None, 1),
        (None, "primary", "roundabout", 1),
        (None, "primary", None, 0),
        ("reversible", "primary", None, 0),
    ],
)
def test_oneway_rules(oneway: object, highway: str, junction: object, expected: int) -> None:
    assert oneway_direction(oneway, highway, junction) == expected


def test_parallel_segments_keep_the_fastest_not_their_sum() -> None:
    g = build_road_graph(node_ids=[10, 20], lon=[0, 0.001], lat=[0, 0], u=[10, 10, 20],
                         v=[20, 20, 10], seconds=[30.0, 12.0, 50.0], direction=[1, 1, 1])  # fmt: skip
    assert g.times[0, 1] == pytest.approx(12.0)
    assert g.times[1, 0] == pytest.approx(50.0)
    assert g.n_edges == 2


def test_segment_to_an_unknown_node_is_rejected() -> None:
    with pytest.raises(ValidationError, match="not a known node"):
        build_road_graph(node_ids=[1, 2], lon=[0, 0], lat=[0, 0], u=[1], v=[3], seconds=[1.0],
                         direction=[0])  # fmt: skip


def test_geojson_drops_footways_and_closed_roads_and_honours_oneway() -> None:
    a, b, c = (0.0, 0.0), (0.001, 0.0), (0.002, 0.0)
    g = road_graph_from_geojson(
        collection(
            line([a, b], highway="residential", oneway="yes", maxspeed="36"),
            line([b, c], highway="footway"),
            line([a, c], highway="primary", access="private"),
        )
    )
    assert g.n_nodes == 2  # c belongs to dropped roads only
    expected = haversine_m(np.array(a[0]), np.array(a[1]), np.array(b[0]), np.array(b[1])) / 10.0
    assert g.times[0, 1] == pytest.approx(float(expected))
    assert g.times[1, 0] == 0.0 and g.n_edges == 1  # no way back against the one-way


def test_geojson_lines_join_at_shared_vertices() -> None:
    g = road_graph_from_geojson(
        collection(
            line([(0, 0), (0.001, 0)], highway="residential"),
            line([(0.001, 0), (0.001, 0.001)], highway="residential"),
        )
    )
    assert g.n_nodes == 3
    dist = dijkstra(g.times, indices=[0])[0]
    assert np.isfinite(dist).all()


def test_malformed_geojson_names_every_bad_feature() -> None:
    doc = collection(
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
        line([(0, 0)], highway="primary"),
        line([(0, 0), (500, 0)], highway="primary"),
    )
    with pytest.raises(ValidationError) as info:
        road_graph_from_geojson(doc)
    assert [e.field for e in info.value.errors] == ["features[0]", "features[1]", "features[2]"]


def test_snap_reports_great_circle_distance() -> None:
    g = road_graph_from_geojson(collection(line([(0, 0), (0.01, 0)], highway="primary")))
    nodes, dist = g.snap(np.array([0.0, 0.0099]), np.array([0.001, 0.0]))
    assert list(nodes) == [0, 1]
    assert dist[0] == pytest.approx(111.195, rel=1e-3)  # 0.001° of latitude
    assert dist[1] == pytest.approx(11.1195, rel=1e-3)
