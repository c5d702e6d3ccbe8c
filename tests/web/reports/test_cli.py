"""``placeguard risk report``: every format from the example answers file, no database."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from placeguard.cli.main import app
from tests.web.reports.conftest import MOSQUE

runner = CliRunner()


def report(*args: str) -> str:
    result = runner.invoke(app, ["risk", "report", str(MOSQUE), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_html_report_from_the_example(tmp_path: Path) -> None:
    out = tmp_path / "mosque.html"
    said = report("--output", str(out), "--name", "Al-Noor <Mosque>", "--marking", "TLP:GREEN")
    assert "Wrote the HTML report" in said
    page = out.read_text(encoding="utf-8")
    assert "Al-Noor &lt;Mosque&gt;" in page
    assert "TLP:GREEN" in page and "marking--green" in page
    assert "No budget was given" in page


def test_pdf_report_with_a_plan(tmp_path: Path) -> None:
    out = tmp_path / "mosque.pdf"
    report("--output", str(out), "--budget", "20000", "--opex", "60000", "--pareto", "0")
    assert out.read_bytes().startswith(b"%PDF-")


def test_csv_report_with_a_plan(tmp_path: Path) -> None:
    out = tmp_path / "mosque.csv"
    report("-o", str(out), "--budget", "5000", "--openness", "0", "--pareto", "0")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["scenario", "name", "T"]
    assert sum(1 for r in rows[1:15] if r) == 14
    plan_header = rows.index(["measure", "name", "capex_EUR", "opex_EUR_per_year", "openness"])
    about = rows.index(["about", "value"])
    plan = [r for r in rows[plan_header + 1 : about] if r]
    assert plan and all(r[4] == "0" for r in plan)  # --openness 0
    assert sum(float(r[2]) for r in plan) <= 5000


def test_xlsx_report(tmp_path: Path) -> None:
    out = tmp_path / "mosque.xlsx"
    report("--output", str(out))
    book = load_workbook(out)
    assert book["Findings"].max_row == 15
    assert book["Plan"].max_row == 1  # no budget: header only


def test_the_output_suffix_must_name_a_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["risk", "report", str(MOSQUE), "--output", str(tmp_path / "r.doc")]
    )
    assert result.exit_code == 1
    assert "cannot tell the format" in result.output
    assert not (tmp_path / "r.doc").exists()


def test_site_name_defaults_to_the_file_then_its_stem(tmp_path: Path) -> None:
    named = tmp_path / "named.yaml"
    named.write_text(
        MOSQUE.read_text(encoding="utf-8").replace("site:\n", "site:\n  name: St Mary's\n", 1),
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["risk", "report", str(named), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "St Mary&#x27;s" in out.read_text(encoding="utf-8")
    report("-o", str(out))
    assert '<h1 class="site-name" id="site-name">mosque-answers</h1>' in out.read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("suffix", [".html", ".csv"])
def test_report_needs_no_database_or_settings(tmp_path: Path, suffix: str) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLACEGUARD_", "DJANGO_", "DATABASE_"))
    }
    env["PLACEGUARD_ENV"] = "production"  # would refuse to start if the web settings were loaded
    out = tmp_path / f"report{suffix}"
    cmd = [sys.executable, "-m", "placeguard.cli.main", "risk", "report", str(MOSQUE),
           "--output", str(out)]  # fmt: skip
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 1000
