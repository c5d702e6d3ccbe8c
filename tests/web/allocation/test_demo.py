"""The demo country gets stations, teams and a road grid on which coverage and plans run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from placeguard.engines.allocation.roads import road_graph_from_geojson
from placeguard.engines.demo.roads import road_grid
from placeguard.web.allocation import queries, services
from placeguard.web.orgs.models import User


def test_road_grid_joins_access_roads_to_the_grid() -> None:
    grid = road_grid([(-29.013, 43.004), (-28.9, 43.1)], spacing_deg=0.05, margin_deg=0.05)
    graph = road_graph_from_geojson(grid)
    assert int(graph.main_component().sum()) == graph.n_nodes  # one connected network
    access = [f for f in grid["features"] if f["properties"]["highway"] == "residential"]
    # The first point defines the grid's south-west corner, so it lies on a crossing already.
    assert [f["geometry"]["coordinates"][0] for f in access] == [[-28.9, 43.1]]
    with pytest.raises(ValueError, match="spacing"):
        road_grid([(0.0, 0.0)], spacing_deg=0)


@pytest.mark.django_db
def test_demo_police_can_plan_and_cover(settings: Any, tmp_path: Path) -> None:
    from placeguard.web.demo.loader import load_demo

    settings.DATA_DIR = tmp_path
    load_demo(n_sites=40)
    settings.PLACEGUARD_ROAD_NETWORK = str(tmp_path / "demo-roads.geojson")
    police = User.objects.get(username="police.north")
    teams = list(queries.team_list(police))
    assert {t.name for t in teams} >= {"Rapid response", "Northgate patrol"}
    sites = list(queries.plannable_sites(police).values_list("id", flat=True))
    plan = services.run_patrol_plan(
        {"sites": sites, "teams": [t.pk for t in teams], "days": 2}, actor=police
    )
    assert plan.results["schedule"]["assignments"]
    result = services.run_coverage(actor=police, standard_seconds=900, units=1)
    assert result["stations_off_network"] == [] and result["unreachable"] == []
    assert result["siting"]["share_people_after"] >= result["share_people"]
