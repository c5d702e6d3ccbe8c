"""Health check, dashboard and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import placeguard
from placeguard.web.audit.queries import recent_for
from placeguard.web.sites.choices import SiteType
from placeguard.web.sites.queries import counts_by_type


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except DatabaseError:
        db = "unavailable"
    code = 200 if db == "ok" else 503
    body = {
        "status": "ok" if code == 200 else "degraded",
        "database": db,
        "version": placeguard.__version__,
    }
    return JsonResponse(body, status=code)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What the user's organisation can see, at a glance."""
    counts = counts_by_type(request.user)
    largest = max(counts.values(), default=0)
    # (type, label, count, bar length as a percentage of the largest count)
    by_type = [
        (t, label, counts.get(t, 0), round(100 * counts.get(t, 0) / largest, 1) if largest else 0)
        for t, label in SiteType.choices
    ]
    context = {
        "by_type": by_type,
        "total_sites": sum(counts.values()),
        "recent_events": recent_for(request.user, limit=10),
    }
    return render(request, "common/dashboard.html", context)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The HTML 404 page."""
    return render(request, "404.html", status=404)
