"""``/api/v1/`` routes of sars, included by ``web/config/api_urls.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from placeguard.web.sars.api.views import SarViewSet

router = SimpleRouter(trailing_slash=True)
router.register("sars", SarViewSet, basename="sar")
urlpatterns = router.urls
