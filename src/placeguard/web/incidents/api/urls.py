"""``/api/v1/`` routes of incidents, included by ``web/config/api_urls.py``.

Children are nested under their incident: ``incidents/{incident_pk}/timeline/`` and so on.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from placeguard.web.incidents.api.views import (
    CustodyViewSet,
    EvidenceViewSet,
    IncidentViewSet,
    LessonViewSet,
    TaskViewSet,
    TimelineViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("incidents", IncidentViewSet, basename="incident")
_PARENT = r"incidents/(?P<incident_pk>[0-9]+)"
router.register(f"{_PARENT}/timeline", TimelineViewSet, basename="incident-timeline")
router.register(f"{_PARENT}/tasks", TaskViewSet, basename="incident-task")
router.register(f"{_PARENT}/evidence", EvidenceViewSet, basename="incident-evidence")
router.register(f"{_PARENT}/custody", CustodyViewSet, basename="incident-custody")
router.register(f"{_PARENT}/lessons", LessonViewSet, basename="incident-lesson")
urlpatterns = router.urls
