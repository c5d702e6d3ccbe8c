"""Read-only audit metadata in the Django admin, scoped by ``audit.queries.visible_to``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.queries import visible_to
from placeguard.web.common.admin_base import PlatformAdminOnly


@admin.register(AuditEvent)
class AuditEventAdmin(PlatformAdminOnly):
    """Audit events are never added, changed or deleted by hand."""

    list_display = ("at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor_label", "organisation", "action", "object_type", "object_id",
                       "object_repr", "diff", "prev_hash", "hash")  # fmt: skip
    exclude = ("actor",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return visible_to(request.user).select_related("organisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
