"""The one visibility path per model of the exercises app, and who may do what.

* **exercises** are visible to members of the owner organisation and of participating
  organisations, and to vetted territorial organisations (police, authorities) that see the
  exercise's site (:func:`placeguard.web.sites.access.visible_to`) or whose jurisdiction
  covers its region — the same jurisdiction rule as the registry. Sector exercises are seen
  by their owner and participants only;
* **injects, ratings and AAR items** are visible exactly when their exercise is;
* **corrective actions** are visible with their exercise, and always to members of the
  organisation that owns the action (its task list);
* **design and conduct** (edit, MSEL, clock, AAR): editors of the owner organisation;
* **evaluation and responses**: editors of the owner or a participating organisation;
* **status of a corrective action**: editors of its owner organisation or of the exercise owner.

Everyone else who sees an object only reads (403 on writes); outsiders get 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from placeguard.web.exercises.models import CorrectiveAction, Exercise, Inject
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import EDITOR_ROLES, TERRITORIAL_KINDS
from placeguard.web.orgs.models import User
from placeguard.web.sites.access import jurisdiction_regions
from placeguard.web.sites.access import visible_to as sites_visible_to

__all__ = [
    "actions_visible_to",
    "can_design",
    "can_evaluate",
    "can_update_action",
    "injects_visible_to",
    "is_editor",
    "visible_to",
]

Principal = User | AnonymousUser


def visible_to(user: Principal) -> QuerySet[Exercise]:
    """Exercises ``user`` may read."""
    org = active_org(user)
    if org is None:
        return Exercise.objects.none()
    rule = Q(owner_id=org.id) | Q(participants=org)
    if org.vetted and org.kind in TERRITORIAL_KINDS:
        rule |= Q(site_id__in=sites_visible_to(user).values("id"))
        rule |= Q(site__isnull=True, region_id__in=jurisdiction_regions(org).values("id"))
    ids = Exercise.objects.filter(rule).values("id")
    return Exercise.objects.filter(id__in=ids)


def injects_visible_to(user: Principal) -> QuerySet[Inject]:
    """MSEL rows of the exercises ``user`` sees."""
    return Inject.objects.filter(exercise_id__in=visible_to(user).values("id"))


def actions_visible_to(user: Principal) -> QuerySet[CorrectiveAction]:
    """Corrective actions of visible exercises, and those owned by the user's organisation."""
    org = active_org(user)
    if org is None:
        return CorrectiveAction.objects.none()
    return CorrectiveAction.objects.filter(
        Q(exercise_id__in=visible_to(user).values("id")) | Q(owner_org_id=org.id)
    )


def is_editor(user: Principal) -> bool:
    """An active user with an editor role (ANALYST, PUBLISHER, ORG_ADMIN)."""
    return active_org(user) is not None and isinstance(user, User) and user.has_role(*EDITOR_ROLES)


def can_design(user: Principal, exercise: Exercise) -> bool:
    """Whether ``user`` may design and conduct ``exercise`` (which they see)."""
    org = active_org(user)
    return org is not None and is_editor(user) and exercise.owner_id == org.id


def can_evaluate(user: Principal, exercise: Exercise) -> bool:
    """Whether ``user`` may rate critical tasks and record responses."""
    org = active_org(user)
    if org is None or not is_editor(user):
        return False
    return exercise.owner_id == org.id or exercise.participants.filter(pk=org.pk).exists()


def can_update_action(user: Principal, action: CorrectiveAction) -> bool:
    """Whether ``user`` may change a corrective action's status and notes."""
    org = active_org(user)
    if org is None or not is_editor(user):
        return False
    return org.id in {action.owner_org_id, action.exercise.owner_id}
