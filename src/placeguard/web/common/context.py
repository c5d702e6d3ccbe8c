"""Template context shared by every page."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from placeguard import __version__


def _time_zone_of(request: HttpRequest) -> str:
    """The signed-in user's time zone when it is a known IANA name, else UTC."""
    name = getattr(getattr(request, "user", None), "time_zone", "") or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return str(name)


def placeguard(request: HttpRequest) -> dict[str, Any]:
    """Version, environment and display time zone for every page."""
    return {
        "placeguard_version": __version__,
        "placeguard_env": settings.ENVIRONMENT,
        "display_time_zone": _time_zone_of(request),
    }
