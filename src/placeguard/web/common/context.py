"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import placeguard


def placeguard(request: HttpRequest) -> dict[str, Any]:
    """Version and environment for the page footer and banners."""
    return {
        "placeguard_version": placeguard.__version__,
        "placeguard_env": settings.ENVIRONMENT,
    }
