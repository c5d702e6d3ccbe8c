"""The built-in housekeeping schedule: the life-cycle jobs, run by the task worker (no cron).

:data:`JOBS` are the periodic jobs: expire bulletins past ``valid_until``, purge withdrawn and
expired bulletins past retention, purge suspicious-activity reports whose purge date has come,
recompute rule-built sharing groups, and deliver notifications left in the outbox. Each writes
its own audit events (the functions it calls do). :func:`run_housekeeping` runs every job, each
on its own: one that fails is logged and reported, the others still run.

The ``housekeeping`` django-tasks task runs them and enqueues its next run
``PLACEGUARD_HOUSEKEEPING_MINUTES`` later (0 turns the schedule off). ``placeguard serve`` calls
:func:`ensure_scheduled` before starting the worker, which enqueues the task unless a run is
already waiting, so restarts do not pile up chains. With the immediate backend of the tests the
task runs inline at enqueue time and never re-enqueues itself (that would recurse for ever).
``placeguard housekeeping run`` runs the jobs once, now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from placeguard.web.sharing import lifecycle

__all__ = [
    "DEFAULT_INTERVAL_MINUTES",
    "JOBS",
    "STALE_RUN",
    "HousekeepingReport",
    "Job",
    "JobOutcome",
    "ensure_scheduled",
    "housekeeping",
    "interval",
    "pending_runs",
    "run_housekeeping",
]

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_MINUTES = 60
#: A run marked RUNNING for longer than this is taken as dead (a worker killed mid-run leaves
#: its row RUNNING for ever); it no longer counts as "already scheduled".
STALE_RUN = timedelta(hours=1)


# --------------------------------------------------------------------------- the jobs


def _expire_bulletins(now: datetime) -> int:
    return lifecycle.expire_due(now)


def _purge_bulletins(now: datetime) -> int:
    return len(lifecycle.purge_bulletins(now=now).bulletins)


def _purge_sars(now: datetime) -> int:
    # Imported here: the SAR app is a sibling, loaded only when the job runs.
    from placeguard.web.sars import retention

    return len(retention.run_purge(today=timezone.localdate(now)).purged)


def _recompute_groups(now: datetime) -> int:  # the rule has no clock: `now` is unused
    return len(lifecycle.recompute_group_rules())


def _deliver_notifications(now: datetime) -> int:
    # Delivery is enqueued on every commit that queues notifications; this tick bounds the delay
    # of rows stranded when that enqueue or its worker was lost.
    from placeguard.web.notifications.delivery import deliver_due

    return deliver_due(now=now).delivered


@dataclass(frozen=True)
class Job:
    """A named housekeeping job; ``run(now)`` returns how many things it changed."""

    name: str
    run: Callable[[datetime], int]


#: Every housekeeping job, in the order they run (expire first: a bulletin expired now is not
#: yet old enough to purge, but the order keeps a run's report easy to read).
JOBS: tuple[Job, ...] = (
    Job("expire_bulletins", _expire_bulletins),
    Job("purge_bulletins", _purge_bulletins),
    Job("purge_sars", _purge_sars),
    Job("recompute_groups", _recompute_groups),
    Job("deliver_notifications", _deliver_notifications),
)


@dataclass(frozen=True)
class JobOutcome:
    """One job's result: how many things it changed, or why it failed."""

    name: str
    count: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the job finished without an exception."""
        return self.error is None


@dataclass(frozen=True)
class HousekeepingReport:
    """What one housekeeping run did, job by job."""

    started: datetime
    outcomes: tuple[JobOutcome, ...]

    @property
    def ok(self) -> bool:
        """Whether every job finished."""
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> list[str]:
        """The names of the jobs that raised."""
        return [o.name for o in self.outcomes if not o.ok]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: job name → count, or ``{"error": text}`` for a failed job."""
        jobs: dict[str, Any] = {
            o.name: o.count if o.ok else {"error": o.error} for o in self.outcomes
        }
        return {"started": self.started.isoformat(), "ok": self.ok, "jobs": jobs}


def run_housekeeping(now: datetime | None = None) -> HousekeepingReport:
    """Run every job in :data:`JOBS`; one failing job does not stop the others.

    Parameters
    ----------
    now
        The moment the jobs compare dates with (default: the current time).

    Returns
    -------
    HousekeepingReport
        Per job, the count it returned or the error it raised (also logged with its traceback).
        Each job writes its own audit events in its own transactions.
    """
    moment = now or timezone.now()
    outcomes = []
    for job in JOBS:
        try:
            count = job.run(moment)
        except Exception as exc:  # one broken job must not stop the rest of the schedule
            logger.exception("housekeeping job %s failed", job.name)
            outcomes.append(JobOutcome(job.name, error=f"{type(exc).__name__}: {exc}"))
        else:
            outcomes.append(JobOutcome(job.name, count=count))
    return HousekeepingReport(moment, tuple(outcomes))


# --------------------------------------------------------------------------- the schedule


def interval() -> timedelta | None:
    """``PLACEGUARD_HOUSEKEEPING_MINUTES`` as a period; None when the schedule is off (≤ 0)."""
    minutes = int(getattr(settings, "PLACEGUARD_HOUSEKEEPING_MINUTES", DEFAULT_INTERVAL_MINUTES))
    return timedelta(minutes=minutes) if minutes > 0 else None


@task()
def housekeeping() -> dict[str, Any]:
    """Background task: :func:`run_housekeeping` now, then enqueue the next run."""
    now = timezone.now()
    try:
        report = run_housekeeping(now)
    finally:  # even an unexpected crash must not end the schedule
        _schedule_next(now)
    return report.as_dict()


def _defers() -> bool:
    """Whether the task backend can run a task later (the database backend; not immediate)."""
    return bool(housekeeping.get_backend().supports_defer)


def _on_database() -> bool:
    """Whether queued runs are rows of the database backend (the only one we can look into)."""
    return isinstance(housekeeping.get_backend(), DatabaseBackend)


def pending_runs(now: datetime | None = None) -> QuerySet[DBTaskResult[Any, Any]]:
    """Housekeeping task rows that are still to run or running (database backend only).

    READY rows count if due within one interval (a row left from a longer interval does not
    hold back the new one); RUNNING rows count unless started more than :data:`STALE_RUN` ago.

    Returns
    -------
    QuerySet[DBTaskResult]
        The rows, on the task's backend.
    """
    moment = now or timezone.now()
    horizon = moment + (interval() or timedelta(0))
    # A task enqueued without ``run_after`` is stored with the maximum date ("run at once").
    soon = Q(run_after__lte=horizon) | Q(run_after=get_date_max())
    ready = Q(status=TaskResultStatus.READY) & soon
    running = Q(status=TaskResultStatus.RUNNING, started_at__gte=moment - STALE_RUN)
    return DBTaskResult.objects.filter(
        ready | running,
        task_path=housekeeping.module_path,
        backend_name=housekeeping.backend,
    )


def _schedule_next(now: datetime) -> None:
    """Enqueue the run after this one, ``interval()`` from ``now`` (deferring backends only)."""
    period = interval()
    if period is None or not _defers():
        return
    try:
        # Another chain already waiting (say, enqueued by a restart while this run was going)
        # carries the schedule on: do not double it.
        waiting = pending_runs(now).filter(status=TaskResultStatus.READY)
        if _on_database() and waiting.exists():
            return
        housekeeping.using(run_after=now + period).enqueue()
    except Exception:  # the next `placeguard serve` start schedules it again
        logger.exception("could not schedule the next housekeeping run")


def ensure_scheduled(now: datetime | None = None) -> bool:
    """Enqueue the housekeeping task unless a run is already waiting or running.

    With the immediate backend (tests) the task runs inline, once, and does not re-enqueue
    itself. Nothing happens when ``PLACEGUARD_HOUSEKEEPING_MINUTES`` is 0.

    Parameters
    ----------
    now
        The current time (for the "already waiting" check).

    Returns
    -------
    bool
        True if a run was enqueued.
    """
    if interval() is None:
        return False
    if _on_database() and pending_runs(now).exists():
        return False
    housekeeping.enqueue()
    return True
