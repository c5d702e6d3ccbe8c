"""Background tasks of the notifications app (django-tasks; immediate backend in tests).

``deliver_outbox`` is enqueued when a transaction that queued notifications commits; with the
database backend it re-enqueues itself for the rows left and for the earliest retry.
"""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_outbox() -> int:
    """Deliver the due outbox rows; returns how many were delivered."""
    from placeguard.web.notifications.delivery import deliver_due

    return deliver_due().delivered
