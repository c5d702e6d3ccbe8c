"""``placeguard exercise``: draft an MSEL from the shipped templates (no database), list the
exercises a user sees.

``msel SCENARIO [SCENARIO …] [--format csv|xlsx] -o FILE`` drafts the master scenario events
list of a tabletop exercise from ``content/preparedness/msel_templates.yaml`` with the
preparedness engine (the same draft the web app starts from) and writes it in the import
layout of the web app; ``list --as USER`` lists the exercises that user sees (database).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

exercise_app = typer.Typer(
    help="Exercises: draft an MSEL from the templates, list exercises.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


class MselFormat(StrEnum):
    """File formats of an MSEL."""

    CSV = "csv"
    XLSX = "xlsx"


@exercise_app.command("msel")
def msel(
    scenarios: Annotated[list[str], typer.Argument(help="Scenario ids, e.g. firearms hoax.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[MselFormat, typer.Option("--format", help="csv or xlsx.")] = MselFormat.CSV,
    stagger: Annotated[
        int, typer.Option(min=0, help="Minutes between the start of each scenario track.")
    ] = 0,
) -> None:
    """Draft an MSEL for SCENARIO(s) and write it as CSV or XLSX."""
    from placeguard.content.preparedness import load_preparedness_pack
    from placeguard.engines.preparedness.msel import draft_msel, msel_to_csv, msel_to_xlsx

    catalogue = load_preparedness_pack().templates.templates
    unknown = [s for s in scenarios if s not in catalogue]
    if unknown:
        err.print(
            f"[bold red]error:[/] no MSEL template for {escape(', '.join(unknown))}; "
            f"templates exist for: {', '.join(sorted(catalogue))}"
        )
        raise typer.Exit(1)
    draft = draft_msel(catalogue, scenarios, top_risks=0, stagger_min=stagger)
    if fmt is MselFormat.XLSX:
        output.write_bytes(msel_to_xlsx(draft.injects))
    else:
        output.write_text(msel_to_csv(draft.injects), encoding="utf-8", newline="")
    err.print(
        f"{len(draft.injects)} injects, {len(draft.objectives)} objectives → {escape(str(output))}"
    )
    table = Table("objective", "capability", "critical tasks", title="Objectives")
    for objective in draft.objectives:
        table.add_row(
            escape(f"{objective.id} {objective.title}"),
            escape(objective.capability),
            str(len(objective.critical_tasks)),
        )
    err.print(table)


@exercise_app.command("list")
def list_exercises(
    username: Annotated[str, typer.Option("--as", help="List what this user sees.")],
) -> None:
    """List the exercises USER sees (needs the database)."""
    from placeguard.cli import _django

    _django.setup()
    from placeguard.web.exercises.queries import exercise_list
    from placeguard.web.orgs.models import User

    user = User.objects.filter(username=username).select_related("organisation").first()
    if user is None:
        err.print(f"[bold red]error:[/] no user named {escape(username)!r}")
        raise typer.Exit(1)
    table = Table("id", "name", "type", "status", "owner", "injects", title="Exercises")
    for e in exercise_list(user):
        table.add_row(
            str(e.pk),
            escape(e.name),
            e.exercise_type,
            e.status,
            escape(e.owner.name),
            str(getattr(e, "n_injects", "")),
        )
    console.print(table)
