"""``/api/v1/`` routes of practices, included by ``web/config/api_urls.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

router = SimpleRouter(trailing_slash=True)
urlpatterns = router.urls
