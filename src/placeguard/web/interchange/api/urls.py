"""``/api/v1/`` routes of interchange, included by ``web/config/api_urls.py``."""

from __future__ import annotations

from django.urls import path

from placeguard.web.interchange.api.views import MispExportView, StixView

urlpatterns = [
    path("interchange/stix/", StixView.as_view(), name="interchange-stix"),
    path("interchange/misp/", MispExportView.as_view(), name="interchange-misp"),
]
