"""``placeguard sharing``: housekeeping of the sharing hub.

``expire`` moves published bulletins whose validity has ended to EXPIRED (one audited
``bulletin.expire`` event each). ``purge`` removes the content of withdrawn and expired bulletins
older than the retention period (``PLACEGUARD_BULLETIN_RETENTION_DAYS``, default 730) and writes
one ``bulletin.purge_certificate`` audit event. ``recompute-groups`` re-applies every active
sharing group's membership rule (audited per group). The housekeeping schedule
(``placeguard serve`` with its worker) runs them hourly; these commands run one job now, e.g.
from cron where no worker runs (the bulletin list page also expires lazily when opened).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from placeguard.cli import _django

sharing_app = typer.Typer(help="The sharing hub: bulletin housekeeping.", no_args_is_help=True)
console = Console()


@sharing_app.command("expire")
def expire() -> None:
    """Expire published bulletins whose ``valid until`` has passed (audited)."""
    _django.setup()
    from placeguard.web.sharing.lifecycle import expire_due

    count = expire_due()
    console.print(f"Expired {count} bulletin(s).")


@sharing_app.command("purge")
def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be purged.")
    ] = False,
    older_than_days: Annotated[
        int | None,
        typer.Option(
            "--older-than-days",
            min=1,
            help="Retention period in days (default: PLACEGUARD_BULLETIN_RETENTION_DAYS, 730).",
        ),
    ] = None,
) -> None:
    """Purge withdrawn and expired bulletins past retention (one audited purge certificate)."""
    _django.setup()
    from placeguard.web.sharing.lifecycle import purge_bulletins

    summary = purge_bulletins(older_than_days=older_than_days, dry_run=dry_run)
    ids = ", ".join(str(pk) for pk in summary.bulletins) or "none"
    verb = "Would purge" if dry_run else "Purged"
    console.print(
        f"{verb} {len(summary.bulletins)} bulletin(s): {ids}. Read receipts: "
        f"{summary.acknowledgements}; notifications: {summary.notifications}; outbox deleted: "
        f"{summary.outbox_deleted}, scrubbed: {summary.outbox_scrubbed}."
    )


@sharing_app.command("recompute-groups")
def recompute_groups() -> None:
    """Re-apply every active sharing group's membership rule (audited per changed group)."""
    _django.setup()
    from placeguard.web.sharing.lifecycle import recompute_group_rules

    changes = recompute_group_rules()
    for change in changes:
        console.print(
            f"Group {change.group}: added {change.added or '-'}, removed {change.removed or '-'}."
        )
    console.print(f"{len(changes)} group(s) changed.")
