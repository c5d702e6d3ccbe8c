"""Top-level URL routing."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path

from placeguard.web.common import views as common_views
from placeguard.web.common.problems import api_not_found
from placeguard.web.orgs import security_views

urlpatterns = [
    path("healthz", common_views.healthz, name="healthz"),
    path("api/v1/", include("placeguard.web.config.api_urls", namespace="api")),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
    path("login/", security_views.PlaceguardLoginView.as_view(), name="login"),
    path("login/verify/", security_views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", common_views.dashboard, name="dashboard"),
    path("sites/", include("placeguard.web.sites.urls")),
    path("organisation/", include("placeguard.web.orgs.urls")),
    path("assessments/", include("placeguard.web.assessments.urls")),
    path("allocation/", include("placeguard.web.allocation.urls")),
    path("engineering/", include("placeguard.web.engineering.urls")),
    path("intel/", include("placeguard.web.intel.urls")),
    path("sharing/", include("placeguard.web.sharing.urls")),
    path("capacity/", include("placeguard.web.capacity.urls")),
    path("exercises/", include("placeguard.web.exercises.urls")),
    path("sars/", include("placeguard.web.sars.urls")),
    path("incidents/", include("placeguard.web.incidents.urls")),
    path("practices/", include("placeguard.web.practices.urls")),
    path("notifications/", include("placeguard.web.notifications.urls")),
    path("interchange/", include("placeguard.web.interchange.urls")),
]


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return common_views.page_not_found(request, exception)
