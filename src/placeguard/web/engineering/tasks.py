"""Background tasks of the engineering app (django-tasks).

The database backend stores each enqueued task; the ``db_worker`` process that
``placeguard serve`` starts beside the server runs it. Tests use the immediate backend, which
runs the task inside ``enqueue``.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_study(study_id: int) -> None:
    """Run the engine of a queued study (progress, result and failures are stored on it)."""
    from placeguard.web.engineering.services import execute_study

    execute_study(study_id)
