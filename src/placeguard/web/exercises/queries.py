"""Scoped reads of the exercises app: every list starts from :mod:`access`."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from placeguard.web.exercises import access
from placeguard.web.exercises.models import CorrectiveAction, Exercise
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.models import User

__all__ = ["exercise_list", "task_list"]


def exercise_list(user: User) -> QuerySet[Exercise]:
    """Exercises the user sees, newest first, with what a list shows."""
    return (
        access.visible_to(user)
        .select_related("owner", "site", "region")
        .annotate(n_injects=Count("injects", distinct=True))
        .order_by("-created", "-id")
    )


def task_list(user: User) -> QuerySet[CorrectiveAction]:
    """Corrective actions owned by the user's organisation (its task list), by due date."""
    org = active_org(user)
    if org is None:
        return CorrectiveAction.objects.none()
    return (
        access.actions_visible_to(user)
        .filter(owner_org_id=org.id)
        .select_related("exercise", "area", "owner_org")
        .order_by("due", "id")
    )
