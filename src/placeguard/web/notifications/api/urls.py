"""``/api/v1/`` routes of notifications, included by ``web/config/api_urls.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from placeguard.web.notifications.api.views import NotificationViewSet, WebhookEndpointViewSet

router = SimpleRouter(trailing_slash=True)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
urlpatterns = router.urls
