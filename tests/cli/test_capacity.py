"""``placeguard capacity`` on roster CSVs, with no database; figures hand-computed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placeguard.cli.main import app

runner = CliRunner()

#: Course A (max 20): Ana 10→15 (g 0.5), Ben 5→17 (g 0.8); ⟨pre⟩ 0.375, ⟨post⟩ 0.8 →
#: ⟨g⟩ = 0.425 / 0.625 = 0.68. Course B (max 100): Ana again (other topic), 40→70 (g 0.5);
#: Eli did not attend (ignored everywhere).
ROSTER = """participant,course,country,sector,topic,gender,attended,pre,post,max_score,satisfaction
Ana,A,XM,place_of_worship,protective security,female,yes,10,15,20,4
Ben,A,XM,place_of_worship,protective security,,yes,5,17,20,5
Ana,B,XM,retail,vehicle barriers,female,yes,40,70,100,
Eli,B,XM,retail,vehicle barriers,male,no,0,100,100,1
"""


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_gain_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["capacity", "gain", _write(tmp_path, ROSTER), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["A"]["g_of_averages"] == pytest.approx(0.68)
    assert doc["A"]["individual"] == {"Ana": pytest.approx(0.5), "Ben": pytest.approx(0.8)}
    assert doc["B"]["n_complete"] == 1


def test_indicators_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "capacity",
            "indicators",
            _write(tmp_path, ROSTER),
            "--format",
            "json",
            "--as-of",
            "2026-08-01",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["officials_trained"] == 2
    assert doc["by_gender"] == {"female": 1, "not stated": 1}
    assert doc["by_topic"] == {"protective security": 2, "vehicle barriers": 1}
    assert doc["satisfaction_mean"] == pytest.approx(4.5)
    # pooled over three complete records: pre (0.5, 0.25, 0.4), post (0.75, 0.85, 0.7)
    assert doc["learning"]["g_of_averages"] == pytest.approx((0.7667 - 0.3833) / 0.6167, abs=1e-3)


def test_indicators_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["capacity", "indicators", _write(tmp_path, ROSTER)])
    assert result.exit_code == 0
    assert "officials trained" in result.stdout


def test_bad_roster_lists_every_problem(tmp_path: Path) -> None:
    bad = "participant,course,pre,post,attended,satisfaction\n,A,x,30,maybe,9\nB,,5,5,yes,\n"
    result = runner.invoke(app, ["capacity", "indicators", _write(tmp_path, bad)])
    assert result.exit_code == 1
    for word in ["participant", "pre", "attended", "satisfaction", "course"]:
        assert word in result.stderr
    missing = runner.invoke(app, ["capacity", "gain", _write(tmp_path, "name,score\nA,1\n")])
    assert missing.exit_code == 1 and "column is missing" in missing.stderr
