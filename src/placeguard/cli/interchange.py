"""``placeguard interchange``: STIX 2.1 / MISP export and STIX import from the command line.

``export --as USER [--format stix|misp] [--max-tlp green] [--kinds bulletin,location]
[--output FILE]`` writes what USER may export (the same service as the API, audited);
``import FILE --as USER`` creates organisation-only drafts for USER's organisation or lists
every problem and writes nothing. Django starts only when a command runs.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from placeguard.cli import _django
from placeguard.core.errors import PlaceguardError, ValidationError

if TYPE_CHECKING:
    from placeguard.web.orgs.models import User

__all__ = ["interchange_app"]

interchange_app = typer.Typer(
    help="Interchange: STIX 2.1 and MISP export, STIX import.", no_args_is_help=True
)
err = Console(stderr=True)


class ExportFormat(StrEnum):
    """``--format`` values."""

    STIX = "stix"
    MISP = "misp"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _user(username: str) -> User:
    from placeguard.web.orgs.models import User

    user = User.objects.filter(username=username).select_related("organisation").first()
    if user is None:
        msg = f"no user named {username!r}"
        raise _fail(msg)
    return user


def _print_problems(exc: PlaceguardError) -> None:
    err.print(f"[bold red]error:[/] {escape(exc.message)}")
    if isinstance(exc, ValidationError):
        for e in exc.errors:
            err.print(f"  {escape(e.field)}: {escape(e.message)}")


@interchange_app.command("export")
def export(
    as_user: Annotated[str, typer.Option("--as", help="Export what this user may export.")],
    file_format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.STIX,
    max_tlp: Annotated[str, typer.Option("--max-tlp", help="clear … red.")] = "green",
    kinds: Annotated[str, typer.Option("--kinds", help="Comma-separated kinds.")] = "",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """Write a STIX 2.1 bundle or MISP events of what a user may export."""
    _django.setup()
    from placeguard.web.interchange import services

    try:
        result = services.export_for(
            _user(as_user),
            max_tlp=services.parse_max_tlp(max_tlp),
            kinds=services.parse_kinds(kinds or None),
            fmt="stix" if file_format is ExportFormat.STIX else "misp",
        )
    except PlaceguardError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    text = json.dumps(result.document, ensure_ascii=False, indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
    summary = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(result.counts.items())) or "nothing"
    err.print(f"Exported {summary}.")


@interchange_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: Annotated[str, typer.Option("--as", help="Import as this user (their org).")],
) -> None:
    """Import a STIX 2.1 bundle's reports, notes and incidents as organisation-only drafts."""
    _django.setup()
    from placeguard.core.interchange.stix import MAX_BYTES
    from placeguard.web.interchange import services

    with file.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    try:
        result = services.import_bundle(raw, actor=_user(as_user))
    except PlaceguardError as exc:
        _print_problems(exc)
        raise typer.Exit(1) from exc
    for note in result.notes:
        err.print(f"note: {escape(note.stix_id)} {escape(note.field)}: {escape(note.message)}")
    ids = ", ".join(str(pk) for pk in result.created)
    err.print(f"Created {len(result.created)} draft bulletin(s): {ids}.")
    if result.created_incidents:
        ids = ", ".join(str(pk) for pk in result.created_incidents)
        err.print(f"Created {len(result.created_incidents)} draft incident(s): {ids}.")
