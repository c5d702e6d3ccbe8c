"""``placeguard capacity``: training figures from a participants CSV — no database.

``gain ROSTER.csv`` prints each participant's Hake normalised gain and the cohort figures per
course; ``indicators ROSTER.csv`` prints the programme indicators (officials trained by
country, sector, gender and topic, satisfaction, learning gain). The roster layout is in
:mod:`placeguard.engines.preparedness.roster`. A bad file lists every problem and exits 1.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from placeguard.core.errors import ImportValidationError

capacity_app = typer.Typer(
    help="Capacity building: learning gains and training indicators from a roster CSV.",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)

RosterFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


class OutputFormat(StrEnum):
    """Output formats."""

    JSON = "json"
    TABLE = "table"


Format = Annotated[OutputFormat, typer.Option("--format")]


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _rows(path: Path) -> Any:
    from placeguard.engines.preparedness.roster import parse_roster

    try:
        return parse_roster(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        err.print(f"[bold red]error:[/] {escape(str(path))} is not UTF-8 text")
        raise typer.Exit(1) from exc
    except ImportValidationError as exc:
        table = Table(title=exc.message, title_style="bold red")
        table.add_column("row")
        table.add_column("column")
        table.add_column("problem")
        for r in exc.rows:
            table.add_row(str(r.row), escape(r.column), escape(r.message))
        err.print(table)
        raise typer.Exit(1) from exc


def _gain_doc(g: Any) -> dict[str, Any]:
    return {
        "n_complete": g.n_complete,
        "n_incomplete": g.n_incomplete,
        "n_excluded_at_ceiling": g.n_excluded_at_ceiling,
        "mean_pre_pct": g.mean_pre_pct,
        "mean_post_pct": g.mean_post_pct,
        "g_of_averages": g.g_of_averages,
        "average_of_gains": g.average_of_gains,
        "band": g.band,
    }


def _f(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"


@capacity_app.command("gain")
def gain(file: RosterFile, fmt: Format = OutputFormat.TABLE) -> None:
    """Per-participant and cohort normalised gain, course by course (attendees only)."""
    from placeguard.engines.preparedness.training import Scores, cohort_gain

    by_course: dict[str, list[Any]] = defaultdict(list)
    for row in _rows(file):
        if row.record.attended:
            by_course[row.record.course].append(row.record)
    doc = {}
    for course, records in by_course.items():
        g = cohort_gain(Scores(r.participant, r.pre, r.post, r.max_score) for r in records)
        doc[course] = {**_gain_doc(g), "individual": dict(g.individual)}
    if fmt == OutputFormat.JSON:
        _emit(doc)
        return
    for course, figures in doc.items():
        table = Table(
            title=f"{escape(course)}: ⟨g⟩ = {_f(figures['g_of_averages'])} ({figures['band']})"
        )
        table.add_column("participant")
        table.add_column("g", justify="right")
        for who, g in figures["individual"].items():
            table.add_row(escape(who), _f(g))
        console.print(table)


@capacity_app.command("indicators")
def indicators(
    file: RosterFile,
    fmt: Format = OutputFormat.TABLE,
    as_of: Annotated[str | None, typer.Option(help="Date of the report (YYYY-MM-DD).")] = None,
) -> None:
    """Officials trained by country, sector, gender and topic; satisfaction; learning gain."""
    from placeguard.engines.preparedness.training import indicator_report

    try:
        day = date.fromisoformat(as_of) if as_of else date.today()  # noqa: DTZ011
    except ValueError as exc:
        err.print("[bold red]error:[/] --as-of must be YYYY-MM-DD")
        raise typer.Exit(2) from exc
    report = indicator_report([r.record for r in _rows(file)], [], as_of=day)
    doc: dict[str, Any] = {
        "as_of": day.isoformat(),
        "officials_trained": report.officials_trained,
        "by_country": report.by_country,
        "by_sector": report.by_sector,
        "by_gender": report.by_gender,
        "by_topic": report.by_topic,
        "satisfaction_mean": report.satisfaction_mean,
        "satisfaction_responses": report.satisfaction_responses,
        "learning": _gain_doc(report.learning),
    }
    if fmt == OutputFormat.JSON:
        _emit(doc)
        return
    table = Table(title=f"Training indicators as of {day.isoformat()}")
    table.add_column("indicator")
    table.add_column("breakdown")
    table.add_column("value", justify="right")
    table.add_row("officials trained", "total", str(report.officials_trained))
    for name in ("by_country", "by_sector", "by_gender", "by_topic"):
        for key, value in doc[name].items():
            table.add_row(f"officials trained {name.replace('_', ' ')}", escape(key), str(value))
    table.add_row(
        "satisfaction (1–5)",
        f"{report.satisfaction_responses} responses",
        _f(report.satisfaction_mean),
    )
    table.add_row("learning gain ⟨g⟩", report.learning.band, _f(report.learning.g_of_averages))
    console.print(table)
