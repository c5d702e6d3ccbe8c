"""``placeguard``: serve, load the demo, import and export sites, verify the audit chain."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from placeguard.cli import _django
from placeguard.cli._ui import progress_bar
from placeguard.cli.allocate import allocate_app
from placeguard.cli.capacity import capacity_app
from placeguard.cli.evac import evac_app
from placeguard.cli.exercise import exercise_app
from placeguard.cli.housekeeping import housekeeping_app, schedule_beside_server
from placeguard.cli.intel import intel_app
from placeguard.cli.interchange import interchange_app
from placeguard.cli.risk import risk_app
from placeguard.cli.sars import sars_app
from placeguard.cli.sharing import sharing_app
from placeguard.cli.vda import vda_app
from placeguard.core.errors import ImportValidationError, PlaceguardError

if TYPE_CHECKING:
    from placeguard.web.orgs.models import User

app = typer.Typer(help="PlaceGuard: protect vulnerable targets.", no_args_is_help=True)
demo_app = typer.Typer(help="The fictional demo country.", no_args_is_help=True)
sites_app = typer.Typer(help="The site registry.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(sites_app, name="sites")
app.add_typer(audit_app, name="audit")
app.add_typer(risk_app, name="risk")
app.add_typer(vda_app, name="vda")
app.add_typer(allocate_app, name="allocate")
app.add_typer(evac_app, name="evac")
app.add_typer(exercise_app, name="exercise")
app.add_typer(intel_app, name="intel")
app.add_typer(capacity_app, name="capacity")
app.add_typer(sars_app, name="sars")
app.add_typer(sharing_app, name="sharing")
app.add_typer(housekeeping_app, name="housekeeping")
app.add_typer(interchange_app, name="interchange")

console = Console()
err = Console(stderr=True)


def _progress() -> Progress:
    return progress_bar(err)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _user(username: str | None) -> User | None:
    """The acting user for ``--as`` (None: the local system)."""
    if username is None:
        return None
    from placeguard.web.orgs.models import User

    user = User.objects.filter(username=username).select_related("organisation").first()
    if user is None:
        msg = f"no user named {username!r}"
        raise _fail(msg)
    return user


# ---------------------------------------------------------------- serve / manage
@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (``placeguard manage migrate``)."""
    _django.setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["placeguard manage", *ctx.args])


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    production: Annotated[
        bool, typer.Option("--production", help="Serve with gunicorn (needs the server extra).")
    ] = False,
    workers: Annotated[int, typer.Option(help="gunicorn workers (with --production).")] = 3,
    worker: Annotated[
        bool, typer.Option(help="Start the background-task worker (db_worker) beside the server.")
    ] = True,
) -> None:
    """Serve the web application and API (and the background-task worker beside it)."""
    from placeguard.cli._worker import beside_server

    if production:
        import subprocess

        cmd = [sys.executable, "-m", "gunicorn", "placeguard.web.config.wsgi",
               "--bind", f"{host}:{port}", "--workers", str(workers)]  # fmt: skip
        if worker:
            schedule_beside_server(production=True)
        with beside_server(enabled=worker):
            code = subprocess.call(cmd)  # noqa: S603 - fixed argv, no shell
        raise typer.Exit(code)
    _django.setup()
    from django.core.management import call_command

    if worker:
        schedule_beside_server()
    with beside_server(enabled=worker):
        call_command("runserver", f"{host}:{port}", use_reloader=False)


# ---------------------------------------------------------------- demo
@demo_app.command("load")
def demo_load(
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same country.")
    ] = 7,
    sites: Annotated[int, typer.Option(min=0, max=100_000, help="Number of sites.")] = 300,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing (successfully) if the database has data.")
    ] = False,
) -> None:
    """Generate the demo country and load it into an empty database."""
    _django.setup()
    from placeguard.web.demo.loader import database_is_empty, load_demo

    if if_empty and not database_is_empty():
        console.print("Database already has data; demo not loaded.")
        return
    try:
        with _progress() as bar:
            task = bar.add_task("Loading demo sites", total=2 * sites)
            country = load_demo(seed=seed, n_sites=sites, progress=lambda n: bar.advance(task, n))
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    console.print(
        f"Loaded the demo country: {len(country.regions)} regions, "
        f"{len(country.organisations)} organisations, {len(country.users)} users, "
        f"{len(country.sites)} sites (seed {seed})."
    )
    _print_logins()


def _print_logins() -> None:
    from placeguard.engines.demo import DEMO_PASSWORD, generate

    table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    table.add_column("username")
    table.add_column("organisation")
    table.add_column("roles")
    names = {o.slug: o.name for o in generate(0, 0).organisations}
    for user in generate(0, 0).logins:
        table.add_row(
            user.username, names[user.organisation], ", ".join(r.value for r in user.roles)
        )
    console.print(table)
    from placeguard.web.orgs.demo import login_note

    console.print(login_note())


@demo_app.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    _print_logins()


# ---------------------------------------------------------------- sites
class FileFormat(StrEnum):
    """Site file formats (XLSX is export-only)."""

    AUTO = "auto"
    CSV = "csv"
    GEOJSON = "geojson"
    XLSX = "xlsx"


@sites_app.command("import")
def sites_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Act as this user (their rights apply).")
    ] = None,
    file_format: Annotated[FileFormat, typer.Option("--format")] = FileFormat.AUTO,
) -> None:
    """Import sites from CSV or GeoJSON: all rows or none; every bad row is reported."""
    _django.setup()
    from placeguard.web.sites.importing import read_site_file
    from placeguard.web.sites.services import import_sites

    actor = _user(as_user)
    try:
        parsed = read_site_file(file, kind=file_format.value)
        with _progress() as bar:
            task = bar.add_task(f"Importing {file.name}", total=2 * len(parsed.rows))
            created = import_sites(
                parsed.rows,
                actor=actor,
                row_numbers=parsed.numbers,
                progress=lambda n: bar.advance(task, n),
            )
    except ImportValidationError as exc:
        label = "line" if file.suffix.lower() == ".csv" else "row"
        table = Table(title=exc.message, title_style="bold red")
        table.add_column(label, justify="right")
        table.add_column("column")
        table.add_column("problem")
        for row in exc.rows:
            table.add_row(str(row.row) if row.row else "file", row.column, row.message)
        err.print(table)
        raise typer.Exit(1) from exc
    except PlaceguardError as exc:
        raise _fail(exc.message) from exc
    console.print(f"Imported {len(created)} site(s) from {file}.")


@sites_app.command("export")
def sites_export(
    as_user: Annotated[str, typer.Option("--as", help="Export what this user can see.")],
    file_format: Annotated[FileFormat, typer.Option("--format")] = FileFormat.CSV,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    include_archived: Annotated[bool, typer.Option("--include-archived")] = False,
) -> None:
    """Export the sites a user can see, as CSV or GeoJSON (re-importable)."""
    _django.setup()
    import csv
    import io

    from placeguard.web.sites.exporting import sites_to_csv_rows, sites_to_geojson, sites_to_xlsx
    from placeguard.web.sites.queries import site_list

    actor = _user(as_user)
    assert actor is not None  # --as is required here
    sites = site_list(actor).order_by("name", "id")
    if not include_archived:
        sites = sites.filter(status="active")
    if file_format == FileFormat.XLSX:
        if output is None:
            msg = "an Excel export needs --output FILE"
            raise _fail(msg)
        output.write_bytes(sites_to_xlsx(sites))
        err.print(f"Wrote {sites.count()} site(s) to {output}.")
        return
    buffer = io.StringIO()
    if file_format == FileFormat.GEOJSON:
        json.dump(sites_to_geojson(sites), buffer, ensure_ascii=False, indent=1)
        buffer.write("\n")
    else:
        from placeguard.core.spreadsheet import neutralise_row

        csv.writer(buffer, lineterminator="\n").writerows(
            neutralise_row(row) for row in sites_to_csv_rows(sites)
        )
    if output is None:
        sys.stdout.write(buffer.getvalue())
    else:
        output.write_text(buffer.getvalue(), encoding="utf-8")
        err.print(f"Wrote {sites.count()} site(s) to {output}.")


# ---------------------------------------------------------------- audit
@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 if any event was edited or deleted."""
    _django.setup()
    from placeguard.web.audit.services import verify_chain

    report = verify_chain()
    if report.ok:
        console.print(f"[green]Audit chain intact[/]: {report.checked} event(s) verified.")
        return
    for problem in report.problems:
        err.print(f"[red]✗[/] {problem}")
    msg = f"audit chain broken: {len(report.problems)} problem(s) in {report.checked} event(s)"
    raise _fail(msg)


if __name__ == "__main__":  # pragma: no cover
    app()
