"""Template context: the signed-in user's unread notification count, for the page header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from placeguard.web.notifications.queries import notifications_visible_to


def unread(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: a callable, so the count query runs only where it is shown."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return notifications_visible_to(user).filter(read_at__isnull=True).count()

    counter: Callable[[], int] = count
    return {"unread_notifications": counter}
