"""Start Django lazily, only for the commands that need the database."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django with PlaceGuard's settings (development mode unless told otherwise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "placeguard.web.config.settings")
    os.environ.setdefault("PLACEGUARD_ENV", "development")
    import django

    django.setup()
