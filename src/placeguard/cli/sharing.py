"""``placeguard sharing``: housekeeping of the sharing hub.

``expire`` moves published bulletins whose validity has ended to EXPIRED (one audited
``bulletin.expire`` event each). PlaceGuard has no scheduler of its own: run it from cron, or let
the bulletin list page do it when someone opens it.
"""

from __future__ import annotations

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
