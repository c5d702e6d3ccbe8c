"""Background tasks of the intelligence app (django-tasks; immediate backend in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_dataset(dataset_id: int) -> None:
    """Import a queued dataset's file (progress, counts and problems are stored on it)."""
    from placeguard.web.intel.services import execute_import

    execute_import(dataset_id)
