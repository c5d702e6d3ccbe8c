"""``placeguard allocate patrol`` and ``schedule`` on GAME.json files, with no database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from placeguard.cli import allocate
from placeguard.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_allocate_console() -> Any:
    widths = (allocate.console.width, allocate.err.width)
    allocate.console.width = allocate.err.width = 240
    yield
    allocate.console.width, allocate.err.width = widths


def target(tid: str, udc: float, udu: float, uac: float, uau: float) -> dict[str, Any]:
    return {"id": tid, "defender_covered": udc, "defender_uncovered": udu,
            "attacker_covered": uac, "attacker_uncovered": uau}  # fmt: skip


GT1 = {"resources": 1, "targets": [target("t1", 5, -20, -10, 30), target("t2", 5, -10, -10, 20)]}


def write(tmp_path: Path, data: Any, name: str = "game.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def run_json(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_patrol_json_gives_coverage_utility_and_attacked_target(tmp_path: Path) -> None:
    body = run_json("allocate", "patrol", str(write(tmp_path, GT1)), "--format", "json")
    assert body["coverage"] == pytest.approx({"t1": 4 / 7, "t2": 3 / 7})
    assert body["defender_utility"] == pytest.approx(-25 / 7)
    assert body["attacked"] == "t2"
    assert body["attack_set"] == ["t1", "t2"]


def test_patrol_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["allocate", "patrol", str(write(tmp_path, GT1))])
    assert result.exit_code == 0, result.output
    assert "attacked: t2" in result.stdout


def test_patrol_bayesian_reports_the_gap(tmp_path: Path) -> None:
    four = lambda a, b, c, d: {"defender_covered": a, "defender_uncovered": b,  # noqa: E731
                               "attacker_covered": c, "attacker_uncovered": d}  # fmt: skip
    game = {
        "resources": 1,
        "targets": [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}],
        "types": [
            {"name": "one", "prior": 0.6,
             "targets": {"t1": four(4, -8, -3, 6), "t2": four(2, -4, -2, 4), "t3": four(1, -2, -1, 2)}},
            {"name": "two", "prior": 0.4,
             "targets": {"t1": four(4, -8, -1, 1), "t2": four(2, -4, -1, 3), "t3": four(1, -2, -1, 5)}},
        ],
    }  # fmt: skip
    body = run_json("allocate", "patrol", str(write(tmp_path, game)), "--format", "json")
    assert body["defender_utility"] == pytest.approx(-18 / 11, abs=1e-6)
    assert body["proven_optimal"] is True
    assert body["optimality_gap"] == pytest.approx(0, abs=1e-6)
    assert body["attacked"]["two"] == "t3"
    table = runner.invoke(app, ["allocate", "patrol", str(write(tmp_path, game))])
    assert "proven optimal" in table.stdout


def test_patrol_with_quantal_attacker_reports_each_model(tmp_path: Path) -> None:
    body = run_json(
        "allocate", "patrol", str(write(tmp_path, GT1)), "--format", "json", "--qr-lambda", "0.5"
    )
    utilities = body["robustness"]["defender_utility"]
    assert set(utilities) == {"sse", "quantal"}
    assert utilities["quantal"]["quantal"] >= utilities["sse"]["quantal"] - 1e-9


def test_bad_game_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    bad = {"resources": -1, "targets": [target("a", -5, 1, 0, 1), target("a", 1, -1, 3, 2),
                                        {"id": "c", "defender_covered": 1}]}  # fmt: skip
    result = runner.invoke(app, ["allocate", "patrol", str(write(tmp_path, bad))])
    assert result.exit_code == 1
    for field in ("resources", "targets[a].defender_covered", "targets[a].id",
                  "targets[c].attacker_uncovered"):  # fmt: skip
        assert field in result.stderr
    assert "problem(s)" in result.stderr


def test_priors_not_summing_to_one_are_reported(tmp_path: Path) -> None:
    four = {
        "defender_covered": 1,
        "defender_uncovered": -1,
        "attacker_covered": -1,
        "attacker_uncovered": 1,
    }
    game = {"resources": 1, "targets": [{"id": "a"}],
            "types": [{"name": "x", "prior": 0.5, "targets": {"a": four, "b": four}}]}  # fmt: skip
    result = runner.invoke(app, ["allocate", "patrol", str(write(tmp_path, game))])
    assert result.exit_code == 1
    assert "priors must sum to 1" in result.stderr
    assert "types[x].targets[b]" in result.stderr


def test_invalid_json_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["allocate", "patrol", str(write(tmp_path, "{nope"))])
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr


def test_schedule_csv(tmp_path: Path) -> None:
    args = ["allocate", "schedule", str(write(tmp_path, GT1)), "--teams", "1", "--days", "3",
            "--seed", "7", "--start", "2026-02-01", "--shifts", "2"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["date", "shift", "start", "end", "team", "site", "post"]
    assert len(rows) == 1 + 3 * 2
    assert {r[5] for r in rows[1:]} <= {"t1", "t2"}
    assert "seed 7" in result.stderr
    again = runner.invoke(app, args)
    assert again.stdout == result.stdout  # the same seed gives the same plan


def test_schedule_ics_and_json(tmp_path: Path) -> None:
    game = write(tmp_path, GT1)
    ics = runner.invoke(app, ["allocate", "schedule", str(game), "--days", "2", "--format", "ics"])
    assert ics.exit_code == 0, ics.output
    assert ics.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert ics.stdout_bytes.endswith(b"END:VCALENDAR\r\n")
    assert ics.stdout_bytes.count(b"BEGIN:VEVENT") == 2
    body = run_json("allocate", "schedule", str(game), "--teams", "2", "--days", "1", "--seed", "1",
                    "--format", "json")  # fmt: skip
    assert body["seed"] == 1
    assert body["coverage"] == {"t1": 1.0, "t2": 1.0}
    assert sorted(a["site"] for a in body["assignments"]) == ["t1", "t2"]


def test_schedule_with_district_teams(tmp_path: Path) -> None:
    game = {
        "targets": [target("n1", 1, -1, -1, 5) | {"district": "n"}, target("n2", 1, -1, -1, 5) | {"district": "n"},
                    target("s1", 1, -1, -1, 1) | {"district": "s"}],
        "teams": [{"name": "North", "district": "n"}, {"name": "South", "district": "s"}],
    }  # fmt: skip
    body = run_json("allocate", "schedule", str(write(tmp_path, game)), "--days", "30", "--seed", "2",
                    "--format", "json")  # fmt: skip
    for a in body["assignments"]:
        allowed = {"n1", "n2", ""} if a["team"] == "North" else {"s1", ""}
        assert a["site"] in allowed


def test_schedule_rejects_a_team_count_that_contradicts_the_file(tmp_path: Path) -> None:
    game = GT1 | {"teams": [{"name": "A"}], "resources": 1}
    result = runner.invoke(
        app, ["allocate", "schedule", str(write(tmp_path, game)), "--teams", "3"]
    )
    assert result.exit_code == 1
    assert "lists 1 teams" in result.stderr


def test_schedule_bad_start_date(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["allocate", "schedule", str(write(tmp_path, GT1)), "--start", "May"]
    )
    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.stderr
