"""Scoped reads of the audit trail: users see their own organisation's events."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import Role
from placeguard.web.orgs.models import User

__all__ = ["recent_for", "visible_to"]


def visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Audit metadata a user may read.

    Organisation admins and auditors see the events made by members of their own
    organisation; platform admins additionally see every event about organisations, users
    and tokens (what they manage) but not other organisations' site events, whose diffs are
    content (rule R10); everyone else sees the events they caused themselves.
    """
    org = active_org(user)
    if org is None:
        return AuditEvent.objects.none()
    assert isinstance(user, User)
    rule = Q(actor_id=user.pk)
    if user.has_role(Role.ORG_ADMIN, Role.AUDITOR, Role.PLATFORM_ADMIN):
        rule |= Q(organisation_id=org.id)
    if user.is_platform_admin:
        rule |= Q(object_type__startswith="orgs.")
    return AuditEvent.objects.filter(rule)


def recent_for(user: User | AnonymousUser, *, limit: int = 20) -> list[AuditEvent]:
    """The latest visible events."""
    return list(visible_to(user).order_by("-id")[:limit])
