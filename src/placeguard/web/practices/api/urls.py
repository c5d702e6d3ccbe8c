"""``/api/v1/`` routes of practices, included by ``web/config/api_urls.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from placeguard.web.practices.api.views import PracticeViewSet

router = SimpleRouter(trailing_slash=True)
router.register("practices", PracticeViewSet, basename="practice")
urlpatterns = router.urls
