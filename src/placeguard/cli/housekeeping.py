"""``placeguard housekeeping``: the built-in housekeeping schedule, run by hand.

``run`` runs every housekeeping job once, now (expire bulletins, purge bulletins past retention,
purge suspicious-activity reports due, recompute rule-built sharing groups) and prints what each
did; it exits 1 if any job failed (the others still ran). ``placeguard serve`` schedules the same
jobs every ``PLACEGUARD_HOUSEKEEPING_MINUTES`` on its task worker, so cron is optional;
``schedule`` does that for a worker run as its own service (queues a run unless one waits).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from placeguard.cli import _django

housekeeping_app = typer.Typer(
    help="Housekeeping: expiry, retention purges, group rules.", no_args_is_help=True
)
console = Console()
logger = logging.getLogger(__name__)


def schedule_beside_server(*, production: bool = False) -> None:
    """Enqueue the housekeeping schedule for the worker ``placeguard serve`` starts.

    Called before the worker starts. A failure (database not migrated yet, say) is logged and
    the server starts anyway: housekeeping is then scheduled on the next start.

    Parameters
    ----------
    production
        The server runs under gunicorn in a child process. Django is set up here only to
        enqueue; the mode defaults to production, as the settings do, and not to the CLI's
        development default, which the child process would otherwise inherit.
    """
    if production:
        os.environ.setdefault("PLACEGUARD_ENV", "production")
    _django.setup()
    from django.db import connections

    try:
        from placeguard.web.sharing.housekeeping import ensure_scheduled

        if ensure_scheduled():
            logger.info("housekeeping scheduled")
    except Exception:  # never keep the server from starting
        logger.exception("could not schedule housekeeping; the server starts without it")
    finally:
        if production:  # this process only waits for gunicorn now: let go of the database
            connections.close_all()


@housekeeping_app.callback()
def _main() -> None:
    """Housekeeping jobs (run by ``placeguard serve`` on a schedule)."""


@housekeeping_app.command("run")
def run(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run every housekeeping job once, now; exit 1 if any job failed."""
    _django.setup()
    from placeguard.web.sharing.housekeeping import run_housekeeping

    report = run_housekeeping()
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        table = Table(title=f"Housekeeping at {report.started:%Y-%m-%d %H:%M:%S %Z}")
        table.add_column("job")
        table.add_column("changed", justify="right")
        table.add_column("error")
        for outcome in report.outcomes:
            count = "" if outcome.count is None else str(outcome.count)
            table.add_row(outcome.name, count, escape(outcome.error or ""))  # text, not markup
        console.print(table)
    if not report.ok:
        raise typer.Exit(1)


@housekeeping_app.command("schedule")
def schedule() -> None:
    """Queue the housekeeping schedule for a worker run apart from ``placeguard serve``."""
    _django.setup()
    from placeguard.web.sharing.housekeeping import ensure_scheduled, interval

    if interval() is None:
        console.print("Housekeeping is off (PLACEGUARD_HOUSEKEEPING_MINUTES=0).")
    elif ensure_scheduled():
        console.print("Housekeeping queued; the task worker runs it and re-queues it.")
    else:
        console.print("Housekeeping is already queued.")
