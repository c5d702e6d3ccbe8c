"""Scoped reads of the audit trail: users see their own organisation's events."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import OrgKind, Role
from placeguard.web.orgs.models import User

__all__ = ["LE_ONLY_ACTIONS", "recent_for", "visible_to"]

#: Read logs of suspicious-activity reports: who looked at a report (or downloaded its files) is
#: itself law-enforcement information (research/info-sharing.md §9.6 #53). Outside a police
#: force only the reader themself sees such an event.
LE_ONLY_ACTIONS = ("sar.read", "sar.attachment.download")


def visible_to(user: User | AnonymousUser) -> QuerySet[AuditEvent]:
    """Audit metadata a user may read.

    Organisation admins and auditors see the events made by members of their own
    organisation; platform admins additionally see every event about organisations, users
    and tokens (what they manage) but not other organisations' site events, whose diffs are
    content (rule R10); everyone else sees the events they caused themselves. Read logs of
    suspicious-activity reports (:data:`LE_ONLY_ACTIONS`) are shown to police forces only.
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
    if org.kind != OrgKind.LAW_ENFORCEMENT:
        rule &= ~Q(action__in=LE_ONLY_ACTIONS) | Q(actor_id=user.pk)
    return AuditEvent.objects.filter(rule)


def recent_for(user: User | AnonymousUser, *, limit: int = 20) -> list[AuditEvent]:
    """The latest visible events."""
    return list(visible_to(user).order_by("-id")[:limit])
