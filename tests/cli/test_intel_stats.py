"""``placeguard intel trends | claim | likelihoods`` straight from a GTD-layout file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placeguard.cli import intel
from placeguard.cli.main import app
from tests.engines.intel.generators import gdelt_rows, gtd_rows, write_gdelt, write_gtd_csv

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_intel_console() -> Iterator[None]:
    widths = (intel.console.width, intel.err.width)
    intel.console.width = intel.err.width = 240
    yield
    intel.console.width, intel.err.width = widths


@pytest.fixture(scope="module")
def gtd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("intel") / "gtd.csv"
    return write_gtd_csv(path, gtd_rows(800, seed=3))


def test_trends_json_has_the_promised_fields(gtd: Path) -> None:
    result = runner.invoke(app, ["intel", "trends", str(gtd), "--source", "gtd", "--by",
                                 "category", "--split-year", "2010", "--breaks", "2008",
                                 "--resamples", "500", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["breaks"] == [2008] and doc["split_year"] == 2010 and doc["source"] == "gtd"
    assert "START" in doc["attribution"]
    assert doc["years"] == [2005, 2014]
    group = doc["groups"][0]
    for name in ("yearly", "rate_ratio", "rate_ratio_ci", "rate_ratio_unadjusted",
                 "rate_ratio_unadjusted_ci", "lethality_before", "lethality_before_ci",
                 "lethality_after", "lethality_after_ci"):  # fmt: skip
        assert name in group
    total = sum(y["attacks"] for g in doc["groups"] for y in g["yearly"])
    assert total >= 800  # each incident under each of its categories


def test_trends_html_to_a_file(gtd: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["intel", "trends", str(gtd), "--source", "gtd", "--format",
                                 "html", "--resamples", "300", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "break 2008" in html


def test_trends_rejects_bad_options(gtd: Path) -> None:
    bad_by = runner.invoke(app, ["intel", "trends", str(gtd), "--source", "gtd", "--by", "x"])
    assert bad_by.exit_code == 1 and "--by must be one of" in bad_by.output
    bad_breaks = runner.invoke(app, ["intel", "trends", str(gtd), "--source", "gtd",
                                     "--breaks", "199x"])  # fmt: skip
    assert bad_breaks.exit_code == 1 and "comma-separated" in bad_breaks.output
    csv_no_map = runner.invoke(app, ["intel", "trends", str(gtd), "--source", "csv"])
    assert csv_no_map.exit_code == 1 and "--mapping is required" in csv_no_map.output


def test_trends_reports_bad_rows_without_a_traceback(tmp_path: Path) -> None:
    rows = gtd_rows(20, seed=4)
    rows[3]["iyear"] = "nineteen"
    path = write_gtd_csv(tmp_path / "bad.csv", rows)
    result = runner.invoke(app, ["intel", "trends", str(path), "--source", "gtd"])
    assert result.exit_code == 1
    assert "iyear" in result.output


def test_gdelt_version_is_detected(tmp_path: Path) -> None:
    path = write_gdelt(tmp_path / "20150218.export.CSV", gdelt_rows(40, 2))
    result = runner.invoke(app, ["intel", "trends", str(path), "--source", "gdelt",
                                 "--resamples", "200"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "gdelt"


def test_claim_text_and_json(gtd: Path) -> None:
    args = ["intel", "claim", str(gtd), "--source", "gtd", "--metric", "lethality",
            "--category", "place_of_worship", "--split-year", "2010", "--resamples", "500",
            "--text", "attacks against religious sites are becoming more lethal"]  # fmt: skip
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "Verdict:" in text.stdout and "Sensitivity checks" in text.stdout
    assert "religious sites" in text.stdout
    doc = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert doc["verdict"] in {"supported", "not supported", "inconclusive"}
    assert doc["claim"]["split_year"] == 2010 and doc["checks"]


def test_claim_on_urban_incidents_flags_them_from_the_gazetteer(gtd: Path) -> None:
    result = runner.invoke(app, ["intel", "claim", str(gtd), "--source", "gtd", "--metric",
                                 "share", "--share-of", "deaths", "--urban", "--split-year",
                                 "2010", "--urban-min-pop", "500000", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["claim"]["urban"] is True and doc["definitions"]["subject"] == "urban=True"
    assert 0 < doc["data"]["attacks_in_subject"] < doc["data"]["attacks_in_scope"]


def test_trends_by_urban_flag(gtd: Path) -> None:
    result = runner.invoke(app, ["intel", "trends", str(gtd), "--source", "gtd", "--by",
                                 "urban", "--resamples", "300"])  # fmt: skip
    assert result.exit_code == 0, result.output
    keys = {g["key"] for g in json.loads(result.stdout)["groups"]}
    assert keys <= {"urban", "non_urban", "unknown"} and "urban" in keys


def test_likelihoods_json_with_provenance(gtd: Path) -> None:
    result = runner.invoke(app, ["intel", "likelihoods", str(gtd), "--source", "gtd",
                                 "--breaks", "2008", "--horizon", "5", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert "gtd, 2008–2014" in doc["provenance"]
    cell = doc["cells"][0]
    assert cell["provenance"]["years"] == [2008, 2014] and cell["horizon"] == 5
    assert 0 <= cell["p_low"] <= cell["p_horizon"] <= cell["p_high"] <= 1
    table = runner.invoke(app, ["intel", "likelihoods", str(gtd), "--source", "gtd",
                                "--category", "place_of_worship"])  # fmt: skip
    assert table.exit_code == 0, table.output
    assert "place_of_worship" in table.stdout
