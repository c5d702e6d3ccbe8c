"""Django admin plumbing shared by every app: platform admins only, writes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from placeguard.web.orgs.access import is_principal_valid
from placeguard.web.orgs.models import User


def is_platform_admin(request: HttpRequest) -> bool:
    """The admin site is for valid principals holding PLATFORM_ADMIN (not merely is_staff)."""
    user = request.user
    return isinstance(user, User) and is_principal_valid(user) and user.is_platform_admin


class PlatformAdminOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every permission is the PLATFORM_ADMIN role; nothing is ever deleted from the admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Organisations and users are deactivated, never deleted: the audit trail refers to them.
        return False

    def actor(self, request: HttpRequest) -> User:
        """The acting user (the admin check guarantees the type)."""
        assert isinstance(request.user, User)
        return request.user

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Relations are written by the service in save_model, inside its audited transaction.
        return None
