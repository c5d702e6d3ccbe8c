"""Notification pages: your notifications (newest first) and marking them read.

Reads start from ``queries.notifications_visible_to`` (your own rows only); marking read calls
``services.mark_read``. Following a notification's link goes to the item's own page, which
checks visibility again (a notification never grants access).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from placeguard.web.notifications import queries, services
from placeguard.web.orgs.models import User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, 50 a page; ``?unread=1`` for the unread ones."""
    rows = queries.notifications_visible_to(_user(request)).order_by("-created", "-id")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    unread = queries.notifications_visible_to(_user(request)).filter(read_at__isnull=True)
    context = {"page": page, "unread_only": unread_only, "unread_count": unread.count()}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of yours (no ``id``) read."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.mark_read(actor=_user(request), ids=ids)
    return HttpResponseRedirect(reverse("notifications:list"))
