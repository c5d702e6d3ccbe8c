"""``placeguard sars``: the retention schedule of suspicious-activity reports.

``purge`` deletes the content and reporter identity of every report closed with no further action
whose purge date has come (each leaves a tombstone and an audit "purge certificate"), and lists
referred reports overdue for review. ``--dry-run`` lists without deleting.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from placeguard.cli import _django

sars_app = typer.Typer(help="Suspicious-activity reports: retention.", no_args_is_help=True)


@sars_app.callback()
def _main() -> None:
    """Suspicious-activity reports."""


@sars_app.command()
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, delete nothing.")] = False,
) -> None:
    """Purge unfounded reports past their retention date; list overdue reviews (JSON)."""
    _django.setup()
    from placeguard.web.sars.retention import retention_days, run_purge

    report = run_purge(dry_run=dry_run)
    out = {
        "dry_run": report.dry_run,
        "retention_days": retention_days(),
        "purged" if not report.dry_run else "would_purge": list(report.purged),
        "overdue_reviews": list(report.overdue_reviews),
    }
    sys.stdout.write(json.dumps(out, indent=2) + "\n")
