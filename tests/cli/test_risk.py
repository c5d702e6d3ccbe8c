"""``placeguard risk``: questions, assess and plan on a pack folder, with no database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from placeguard.cli.main import app
from tests.engines.risk.conftest import tiny_docs

runner = CliRunner()


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    for name, doc in tiny_docs().items():
        (folder / name).write_text(yaml.safe_dump(doc))
    return folder


def answers_file(tmp_path: Path, **data: object) -> Path:
    body = {
        "site": {"type": "venue", "capacity": 1000},
        "answers": {"Q1": 1, "Q2": 0, "Q3": 2},
        "threat_level": 3,
    }
    body.update(data)
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(body))
    return path


def run_json(*args: str) -> object:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_questions_for_a_site_type(pack_dir: Path) -> None:
    rows = run_json(
        "risk", "questions", "--site-type", "venue", "--format", "json", "--pack", str(pack_dir)
    )
    assert [r["id"] for r in rows] == ["Q1", "Q2", "Q3"]
    assert rows[0]["options"] == ["none", "partly", "fully"]
    assert rows[0]["scenarios"] == ["vehicle_ramming"]
    pow_rows = run_json(
        "risk",
        "questions",
        "--site-type",
        "place_of_worship",
        "--format",
        "json",
        "--pack",
        str(pack_dir),
    )
    assert [r["id"] for r in pow_rows] == ["Q1", "Q2"]


def test_unknown_site_type_is_an_error(pack_dir: Path) -> None:
    result = runner.invoke(
        app, ["risk", "questions", "--site-type", "castle", "--pack", str(pack_dir)]
    )
    assert result.exit_code == 1
    assert "unknown site type" in result.output


def test_assess_prints_t_v_c_risk_interval_score_and_drivers(
    pack_dir: Path, tmp_path: Path
) -> None:
    body = run_json(
        "risk", "assess", str(answers_file(tmp_path)), "--format", "json", "--pack", str(pack_dir)
    )
    ram = next(s for s in body["scenarios"] if s["scenario"] == "vehicle_ramming")
    assert ram["T"] == pytest.approx(1e-4)
    assert ram["V"] == pytest.approx(0.48)
    assert ram["C"] == pytest.approx(7.5)
    assert ram["risk"] == pytest.approx(3.6e-4)
    lo, hi = ram["risk_interval"]
    assert lo <= ram["risk"] <= hi
    assert 1 <= ram["score"] <= 125 and ram["band"] in {"low", "moderate", "high", "very high"}
    assert ram["drivers"][0]["question"] == "Q1"
    assert body["pack_version"] == "test-1"


def test_assess_lists_every_problem_in_the_answers_file(pack_dir: Path, tmp_path: Path) -> None:
    path = answers_file(
        tmp_path,
        site={"type": "place_of_worship", "capacity": -3, "colour": "red"},
        answers={"Q1": 7, "Q3": 1, "NOPE": 0, "Q2": "maybe"},
        threat_level=9,
    )
    result = runner.invoke(app, ["risk", "assess", str(path), "--pack", str(pack_dir)])
    assert result.exit_code == 1
    out = result.output
    for needle in [
        "site.capacity",
        "site.colour",
        "answers.Q1",
        "answers.NOPE",
        "unknown question id",
        "answers.Q3",
        "does not apply",
        "answers.Q2",
        "threat_level",
    ]:
        assert needle in out, needle


def test_plan_respects_budgets_and_reports_residual(pack_dir: Path, tmp_path: Path) -> None:
    path = answers_file(tmp_path, answers={"Q1": 0, "Q2": 0, "Q3": 0})
    body = run_json(
        "risk",
        "plan",
        str(path),
        "--budget",
        "21000",
        "--opex",
        "500",
        "--format",
        "json",
        "--pack",
        str(pack_dir),
        "--pareto",
        "5",
    )
    assert [m["id"] for m in body["chosen"]] == ["BARRIER", "KIT"]
    assert body["total"]["capex"] <= 21000
    assert body["total"]["opex"] <= 500
    assert body["risk_after"] < body["risk_before"]
    assert set(body["residual_by_scenario"]) == {"vehicle_ramming", "bladed_weapon"}
    assert body["currency"] == "EUR"
    assert len(body["pareto"]) >= 2


def test_risk_commands_need_no_database_or_settings(pack_dir: Path, tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLACEGUARD_", "DJANGO_", "DATABASE_"))
    }
    env["PLACEGUARD_ENV"] = "production"  # would refuse to start if Django settings were loaded
    cmd = [
        sys.executable,
        "-m",
        "placeguard.cli.main",
        "risk",
        "assess",
        str(answers_file(tmp_path)),
        "--format",
        "json",
        "--pack",
        str(pack_dir),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert "django" not in result.stderr.lower()
    assert json.loads(result.stdout)["site_type"] == "venue"


def test_malformed_pack_fails_with_file_path_and_reason(pack_dir: Path, tmp_path: Path) -> None:
    docs = tiny_docs()
    docs["measures.yaml"]["measures"][0]["effects"][0]["effectiveness"] = 1.5
    for name, doc in docs.items():
        (pack_dir / name).write_text(yaml.safe_dump(doc))
    result = runner.invoke(
        app, ["risk", "assess", str(answers_file(tmp_path)), "--pack", str(pack_dir)]
    )
    assert result.exit_code == 2
    assert "measures.yaml: measures[0].effects[0].effectiveness" in result.output


def test_compare_two_plans(pack_dir: Path, tmp_path: Path) -> None:
    body = run_json(
        "risk",
        "compare",
        str(answers_file(tmp_path)),
        "--plan-a",
        "BARRIER",
        "--plan-b",
        "KIT,GUARD",
        "--format",
        "json",
        "--pack",
        str(pack_dir),
    )
    assert body["plan_a"]["measures"] == ["BARRIER"]
    assert body["plan_b"]["residual_risk"] < body["current_risk"]
    bad = runner.invoke(
        app,
        [
            "risk",
            "compare",
            str(answers_file(tmp_path)),
            "--plan-a",
            "NOPE",
            "--plan-b",
            "KIT",
            "--pack",
            str(pack_dir),
        ],
    )
    assert bad.exit_code == 1 and "NOPE" in bad.output


def test_messages_writes_a_template_and_questions_speak_french(tmp_path: Path) -> None:
    out = tmp_path / "risk.pot"
    result = runner.invoke(app, ["risk", "messages", "--output", str(out)])
    assert result.exit_code == 0, result.output
    pot = out.read_text(encoding="utf-8")
    assert 'msgid "Who is responsible for protective security at this site?"' in pot
    assert "#: questions.yaml:GOV-01.text" in pot
    result = runner.invoke(app, ["risk", "questions", "--site-type", "venue", "--language",
                                 "fr", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    first = next(q for q in json.loads(result.stdout) if q["id"] == "GOV-01")
    assert first["text"] == "Qui est responsable de la sûreté de ce site ?"
