"""The one visibility function per model of the incidents app.

Incidents are read through the sharing policy's queryset twin
(:func:`placeguard.web.sharing.queries.shared_visible_to`), like bulletins. Every child
(timeline entry, task, evidence file, custody entry, lesson) is visible exactly when its parent
incident is visible *with content*: a withdrawn stub shows no children, a RED parent shows its
children only to those who see the parent. Children therefore can never be more visible than
their parent (the hub's rule), and child ids are always looked up under their parent (#57).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from placeguard.web.incidents.models import (
    INCIDENT,
    CustodyEntry,
    Evidence,
    Incident,
    LessonLearned,
    Task,
    TimelineEntry,
)
from placeguard.web.orgs.models import User
from placeguard.web.sharing.queries import shared_visible_to

__all__ = [
    "custody_visible_to",
    "evidence_visible_to",
    "incidents_visible_to",
    "lessons_visible_to",
    "tasks_visible_to",
    "timeline_visible_to",
    "visible_to",
]

Reader = User | AnonymousUser | None


def incidents_visible_to(user: Reader) -> QuerySet[Incident]:
    """Incidents ``user`` may see (content or withdrawn stub), annotated with ``is_stub``."""
    return shared_visible_to(INCIDENT, user)


def visible_to(user: Reader) -> QuerySet[Incident]:
    """Alias of :func:`incidents_visible_to`, the name every app uses for its main model."""
    return incidents_visible_to(user)


def _parents(user: Reader) -> QuerySet[Any]:
    """Ids of the incidents whose content ``user`` may read (stubs excluded)."""
    return incidents_visible_to(user).filter(Q(is_stub=False)).values("pk")


def timeline_visible_to(user: Reader) -> QuerySet[TimelineEntry]:
    """Timeline entries of incidents ``user`` may read."""
    return TimelineEntry.objects.filter(incident__in=_parents(user))


def tasks_visible_to(user: Reader) -> QuerySet[Task]:
    """Tasks of incidents ``user`` may read."""
    return Task.objects.filter(incident__in=_parents(user))


def evidence_visible_to(user: Reader) -> QuerySet[Evidence]:
    """Evidence files of incidents ``user`` may read (the only gate of downloads)."""
    return Evidence.objects.filter(incident__in=_parents(user))


def custody_visible_to(user: Reader) -> QuerySet[CustodyEntry]:
    """Chain-of-custody entries of incidents ``user`` may read."""
    return CustodyEntry.objects.filter(incident__in=_parents(user))


def lessons_visible_to(user: Reader) -> QuerySet[LessonLearned]:
    """Lessons learned of incidents ``user`` may read."""
    return LessonLearned.objects.filter(incident__in=_parents(user))
