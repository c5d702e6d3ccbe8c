"""``placeguard exercise``: an MSEL drafted from the templates, readable by the importer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from placeguard.cli import exercise
from placeguard.cli.main import app
from placeguard.content.preparedness import load_preparedness_pack
from placeguard.engines.preparedness.msel import msel_from_csv, msel_from_xlsx

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_exercise_console() -> Any:
    widths = (exercise.console.width, exercise.err.width)
    exercise.console.width = exercise.err.width = 240
    yield
    exercise.console.width, exercise.err.width = widths


def test_msel_csv_holds_every_template_inject(tmp_path: Path) -> None:
    out = tmp_path / "msel.csv"
    result = runner.invoke(app, ["exercise", "msel", "firearms", "hoax", "-o", str(out)])
    assert result.exit_code == 0, result.output
    templates = load_preparedness_pack().templates.templates
    rows = msel_from_csv(out.read_text(encoding="utf-8"))
    assert len(rows) == len(templates["firearms"].injects) + len(templates["hoax"].injects)
    assert {r.scenario for r in rows} == {"firearms", "hoax"}


def test_msel_xlsx_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "msel.xlsx"
    result = runner.invoke(app, ["exercise", "msel", "arson", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = msel_from_xlsx(out.read_bytes())
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))


def test_unknown_scenario_fails_with_the_list_of_templates(tmp_path: Path) -> None:
    result = runner.invoke(app, ["exercise", "msel", "teleport", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "teleport" in result.output and "firearms" in result.output
    assert not (tmp_path / "x.csv").exists()
