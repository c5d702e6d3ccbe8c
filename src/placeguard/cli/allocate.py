"""``placeguard allocate``: patrol plans from security games and randomised schedules — no
database.

``patrol GAME.json`` prints the optimal coverage (probability each target is protected),
the defender's expected utility and the target(s) the attacker picks; for several attacker
types also the optimality gap. ``schedule GAME.json`` turns that coverage into named teams'
posts, shift by shift, as CSV, iCalendar or JSON.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from placeguard.cli.coverage import coverage_command
from placeguard.core.errors import PlaceguardError, ValidationError

if TYPE_CHECKING:
    from placeguard.engines.allocation.validation import ParsedGame

allocate_app = typer.Typer(
    help="Allocation: game-theoretic patrol plans, schedules and response coverage.",
    no_args_is_help=True,
)
allocate_app.command("coverage")(coverage_command)
console = Console()
err = Console(stderr=True)

GameFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


class PatrolFormat(StrEnum):
    """Output formats of ``patrol``."""

    JSON = "json"
    TABLE = "table"


class ScheduleFormat(StrEnum):
    """Output formats of ``schedule``."""

    CSV = "csv"
    ICS = "ics"
    JSON = "json"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _read_game(path: Path) -> ParsedGame:
    from placeguard.engines.allocation.validation import parse_game

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path} is not valid JSON: {exc}"
        raise _fail(msg) from exc
    try:
        return parse_game(data)
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc


def _print_problems(exc: ValidationError) -> None:
    table = Table(title=f"{exc.message} {len(exc.errors)} problem(s):", title_style="bold red")
    table.add_column("where")
    table.add_column("problem")
    for e in exc.errors:
        table.add_row(escape(e.field or "(top)"), escape(e.message))
    err.print(table)


def _probabilities(ids: tuple[str, ...], coverage: Any) -> dict[str, float]:
    return {t: round(float(p), 12) for t, p in zip(ids, coverage, strict=True)}


def _solve(parsed: ParsedGame, time_limit: float) -> dict[str, Any]:
    """Solve the parsed game and describe the result as JSON-ready data."""
    from placeguard.engines.allocation.games import SecurityGame, solve_game
    from placeguard.engines.allocation.games_bayesian import solve_bayesian

    game = parsed.game
    ids = game.ids
    if isinstance(game, SecurityGame):
        s = solve_game(game)
        return {
            "kind": "single",
            "resources": game.resources,
            "method": s.method,
            "coverage": _probabilities(ids, s.coverage),
            "defender_utility": s.defender_utility,
            "attacker_utility": s.attacker_utility,
            "attacked": ids[s.attacked],
            "attack_set": [ids[t] for t in s.attack_set],
            "_coverage": s.coverage,
            "_groups": s.group_coverage,
        }
    b = solve_bayesian(game, time_limit=time_limit)
    return {
        "kind": "bayesian",
        "resources": game.resources,
        "method": b.method,
        "status": b.status,
        "proven_optimal": b.proven_optimal,
        "coverage": _probabilities(ids, b.coverage),
        "defender_utility": b.defender_utility,
        "upper_bound": b.upper_bound,
        "optimality_gap": b.gap,
        "optimality_gap_absolute": b.gap_absolute,
        "attacked": {r.name: ids[r.attacked] for r in b.responses},
        "types": {
            r.name: {
                "attacked": ids[r.attacked],
                "attack_set": [ids[t] for t in r.attack_set],
                "attacker_utility": r.attacker_utility,
                "defender_utility": r.defender_utility,
            }
            for r in b.responses
        },
        "_coverage": b.coverage,
        "_groups": b.group_coverage,
    }


def _public(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if not k.startswith("_")}


@allocate_app.command("patrol")
def patrol(
    file: GameFile,
    output: Annotated[PatrolFormat, typer.Option("--format")] = PatrolFormat.TABLE,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0, help="Seconds for several attacker types.")
    ] = 60.0,
    qr_lambda: Annotated[
        float | None,
        typer.Option(
            "--qr-lambda", min=0, help="Also plan against a quantal-response attacker (λ)."
        ),
    ] = None,
) -> None:
    """Optimal patrol coverage for GAME.json (strong Stackelberg equilibrium)."""
    from placeguard.engines.allocation.games import SecurityGame
    from placeguard.engines.allocation.games_robust import compare_models

    parsed = _read_game(file)
    try:
        body = _solve(parsed, time_limit)
        robust = None
        game = parsed.game
        if isinstance(game, SecurityGame) and (qr_lambda is not None or parsed.intervals):
            robust = compare_models(game, rationality=qr_lambda, intervals=parsed.intervals)
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    if robust is not None:
        body["robustness"] = {
            "rationality": robust.rationality,
            "coverage": {k: _probabilities(game.ids, c) for k, c in robust.coverages.items()},
            "defender_utility": robust.utilities,
        }
    if output == PatrolFormat.JSON:
        _emit(_public(body))
        return
    _print_patrol(parsed, body)


def _print_patrol(parsed: ParsedGame, body: dict[str, Any]) -> None:
    table = Table(title=f"Patrol coverage with {body['resources']:g} resource(s)")
    table.add_column("target")
    table.add_column("coverage", justify="right")
    attacked = body["attacked"]
    hit = set(attacked.values()) if isinstance(attacked, dict) else {attacked}
    table.add_column("attacked")
    for target, p in body["coverage"].items():
        table.add_row(escape(target), f"{p:.3f}", "◀" if target in hit else "")
    console.print(table)
    console.print(f"Defender's expected utility: {body['defender_utility']:.4g}")
    if body["kind"] == "single":
        console.print(
            f"Attacker's best utility {body['attacker_utility']:.4g}; attack set: "
            + ", ".join(escape(t) for t in body["attack_set"])
            + f"; attacked: {escape(body['attacked'])}."
        )
    else:
        for name, r in body["types"].items():
            console.print(f"  {escape(name)} attacks {escape(r['attacked'])}")
        proof = "proven optimal" if body["proven_optimal"] else "time limit reached"
        console.print(
            f"{proof}; upper bound {body['upper_bound']:.4g}, "
            f"gap {100 * body['optimality_gap']:.3g} %."
        )
    if "robustness" in body:
        rob = body["robustness"]["defender_utility"]
        table = Table(title="Defender utility of each coverage under each attacker model")
        models = list(next(iter(rob.values())))
        table.add_column("coverage")
        for m in models:
            table.add_column(m, justify="right")
        for name, row in rob.items():
            table.add_row(name, *(f"{row[m]:.4g}" for m in models))
        console.print(table)
    del parsed


@allocate_app.command("schedule")
def schedule(  # noqa: PLR0917 - Typer maps each option to a parameter
    file: GameFile,
    teams: Annotated[
        int | None, typer.Option("--teams", min=1, help="Teams on duty per shift.")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366)] = 7,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Seed (default: a fresh secret one).")
    ] = None,
    output: Annotated[ScheduleFormat, typer.Option("--format")] = ScheduleFormat.CSV,
    shifts: Annotated[int, typer.Option("--shifts", min=1, max=24, help="Shifts a day.")] = 1,
    start: Annotated[
        str | None, typer.Option("--start", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0)] = 60.0,
) -> None:
    """Randomised posts of named teams per shift, realising the optimal coverage."""
    from placeguard.engines.allocation.schedules import make_schedule
    from placeguard.engines.allocation.validation import ParsedGame, Team

    parsed = _read_game(file)
    try:
        first = date.fromisoformat(start) if start else datetime.now(UTC).date()
    except ValueError as exc:
        msg = f"--start must be a date as YYYY-MM-DD, got {start!r}"
        raise _fail(msg) from exc
    game = parsed.game
    if parsed.teams:
        if teams is not None and teams != len(parsed.teams):
            msg = f"--teams {teams} but the game file lists {len(parsed.teams)} teams"
            raise _fail(msg)
        names = [t.name for t in parsed.teams]
    else:
        count = teams if teams is not None else game.resources
        if count != int(count) or count < 1:
            msg = "give --teams N (the game's resources are not a whole number ≥ 1)"
            raise _fail(msg)
        names = [f"team-{i + 1}" for i in range(int(count))]
        if count != game.resources:
            game = dataclasses.replace(game, resources=float(count))
            parsed = ParsedGame(game, tuple(Team(n, -1) for n in names), parsed.intervals)
    try:
        body = _solve(parsed, time_limit)
        grouped = bool(game.groups)
        plan = make_schedule(
            ids=game.ids,
            coverage=body["_coverage"],
            teams=names,
            days=days,
            start=first,
            shifts_per_day=shifts,
            team_groups=[t.group for t in parsed.teams] if grouped else None,
            group_coverage=body["_groups"] if grouped else None,
            seed=seed,
        )
    except ValidationError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    err.print(f"Schedule drawn with seed {plan.seed} (record it for audit; keep it confidential).")
    if output == ScheduleFormat.ICS:
        sys.stdout.flush()  # iCalendar needs CRLF exactly: write bytes, no newline translation
        sys.stdout.buffer.write(plan.to_ics(stamp=datetime.now(UTC)).encode("utf-8"))
        sys.stdout.buffer.flush()
    elif output == ScheduleFormat.JSON:
        _emit(
            {
                "seed": plan.seed,
                "method": plan.method,
                "coverage": body["coverage"],
                "assignments": [dict(zip(plan.csv_rows()[0], row, strict=True))
                                for row in plan.csv_rows()[1:]],
            }
        )  # fmt: skip
    else:
        buffer = io.StringIO()
        from placeguard.core.spreadsheet import neutralise_row

        csv.writer(buffer, lineterminator="\n").writerows(
            neutralise_row(row) for row in plan.csv_rows()
        )
        sys.stdout.write(buffer.getvalue())
