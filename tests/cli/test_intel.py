"""``placeguard intel``: import into a store (all-or-nothing) and yearly summaries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from placeguard.cli import intel
from placeguard.cli.main import app
from placeguard.engines.intel.adapters.acled import ACLED_COLUMNS
from tests.engines.intel.generators import (
    gdelt_rows,
    gtd_rows,
    write_csv,
    write_gdelt,
    write_gtd_csv,
)

runner = CliRunner()
UCDP_SAMPLE = Path("/work/shared/research/data/ucdp_ged_23_1_sample1000.csv")


@pytest.fixture(autouse=True)
def _wide_intel_console() -> Iterator[None]:
    widths = (intel.console.width, intel.err.width)
    intel.console.width = intel.err.width = 240
    yield
    intel.console.width, intel.err.width = widths


def test_import_then_summary(tmp_path: Path) -> None:
    store = tmp_path / "store"
    gtd = write_gtd_csv(tmp_path / "gtd.csv", gtd_rows(60))
    result = runner.invoke(app, ["intel", "import", str(gtd), "--source", "gtd", "--store",
                                 str(store), "--release", "test"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "Imported 60 incident(s) from gtd.csv as gtd (2005–2014; licence gtd-eua)" in result.output
    )
    again = runner.invoke(
        app, ["intel", "import", str(gtd), "--source", "gtd", "--store", str(store)]
    )
    assert again.exit_code == 0
    assert "already imported" in again.output

    gdelt = write_gdelt(tmp_path / "20150218.export.CSV", gdelt_rows(18, 2))
    result = runner.invoke(
        app, ["intel", "import", str(gdelt), "--source", "gdelt2", "--store", str(store)]
    )
    assert result.exit_code == 0, result.output

    summary = runner.invoke(app, ["intel", "summary", "--store", str(store), "--format", "json"])
    assert summary.exit_code == 0, summary.output
    doc = json.loads(summary.stdout)
    assert {i["source"] for i in doc["imports"]} == {"gtd", "gdelt2"}
    gtd_years = [r for r in doc["yearly"] if r["source"] == "gtd"]
    assert sum(r["attacks"] for r in gtd_years) == 60
    assert set(doc["yearly"][0]) == {"source", "year", "attacks", "deaths", "deaths_known"}

    table = runner.invoke(app, ["intel", "summary", "--store", str(store)])
    assert table.exit_code == 0
    assert "Incidents per year" in table.output
    assert "gdelt2" in table.output


@pytest.mark.skipif(not UCDP_SAMPLE.exists(), reason="shared UCDP sample not available")
def test_import_real_ucdp_sample(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = runner.invoke(app, ["intel", "import", str(UCDP_SAMPLE), "--source", "ucdp",
                                 "--store", str(store), "--release", "23.1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 1000 incident(s)" in result.output
    assert "licence cc-by-4.0" in result.output
    doc = json.loads(runner.invoke(app, ["intel", "summary", "--store", str(store),
                                         "--format", "json"]).stdout)  # fmt: skip
    assert sum(r["deaths"] for r in doc["yearly"]) == 9561
    assert doc["imports"][0]["release"] == "23.1"


def test_bad_file_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    raw = gtd_rows(20)
    raw[3]["attacktype1"] = 42
    raw[8]["iyear"] = "nineteen"
    gtd = write_gtd_csv(tmp_path / "gtd.csv", raw)
    result = runner.invoke(
        app, ["intel", "import", str(gtd), "--source", "gtd", "--store", str(store)]
    )
    assert result.exit_code == 1
    assert "gtd.csv: 2 row(s) failed validation; nothing was imported." in result.output
    assert "attacktype1" in result.output
    assert "iyear" in result.output
    assert not list(store.glob("source=*"))


def test_wrong_layout(tmp_path: Path) -> None:
    acled = write_csv(tmp_path / "acled.csv", ACLED_COLUMNS, [{"event_id_cnty": "X1"}])
    result = runner.invoke(app, ["intel", "import", str(acled), "--source", "gtd", "--store",
                                 str(tmp_path / "s")])  # fmt: skip
    assert result.exit_code == 1
    assert "required column is missing (is this a GTD distribution file?)" in result.output


def test_custom_needs_mapping_and_reports_mapping_problems(tmp_path: Path) -> None:
    log = write_csv(tmp_path / "log.csv", ("Ref", "Date"), [{"Ref": "1", "Date": "2020-01-01"}])
    result = runner.invoke(app, ["intel", "import", str(log), "--source", "custom", "--store",
                                 str(tmp_path / "s")])  # fmt: skip
    assert result.exit_code == 1
    assert "--mapping is required" in result.output
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {"source_row_id": "Ref", "when": "Date"}}))
    result = runner.invoke(app, ["intel", "import", str(log), "--source", "custom", "--mapping",
                                 str(mapping), "--store", str(tmp_path / "s")])  # fmt: skip
    assert result.exit_code == 1
    assert "m.yaml: columns.when: not a canonical incident field" in result.output
    mapping.write_text(yaml.safe_dump({"source": "my_log",
                                       "columns": {"source_row_id": "Ref", "date": "Date"}}))  # fmt: skip
    result = runner.invoke(app, ["intel", "import", str(log), "--source", "custom", "--mapping",
                                 str(mapping), "--store", str(tmp_path / "s")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "as my_log" in result.output
    assert "licence own-data" in result.output


def test_summary_of_empty_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["intel", "summary", "--store", str(tmp_path)])
    assert result.exit_code == 1
    assert "no incidents" in result.output
