"""The one visibility function per model of the notifications app.

- :func:`notifications_visible_to`: a user's own notifications, nobody else's (not even a
  platform admin's: a notification repeats what its item says to that user).
- :func:`webhooks_visible_to`: the endpoints of the user's organisation for its organisation
  admins; every endpoint for platform admins (who alone may allow a private address). The
  secret is never part of a read.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from placeguard.web.notifications.models import Notification, WebhookEndpoint
from placeguard.web.orgs.models import User

__all__ = ["can_manage_webhooks", "notifications_visible_to", "visible_to", "webhooks_visible_to"]


def _usable(user: User | AnonymousUser | None) -> User | None:
    if not isinstance(user, User) or not user.is_active:
        return None
    return user


def notifications_visible_to(user: User | AnonymousUser | None) -> QuerySet[Notification]:
    """The user's own notifications."""
    me = _usable(user)
    if me is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=me.pk)


def can_manage_webhooks(user: User | AnonymousUser | None) -> bool:
    """Organisation admins (their organisation's endpoints) and platform admins."""
    me = _usable(user)
    return me is not None and (me.is_platform_admin or me.is_org_admin)


def webhooks_visible_to(user: User | AnonymousUser | None) -> QuerySet[WebhookEndpoint]:
    """Endpoints ``user`` manages."""
    me = _usable(user)
    if me is None or not can_manage_webhooks(me):
        return WebhookEndpoint.objects.none()
    if me.is_platform_admin:
        return WebhookEndpoint.objects.all()
    if me.organisation_id is None:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(org_id=me.organisation_id)


def visible_to(user: User | AnonymousUser | None) -> QuerySet[Notification]:
    """Alias of :func:`notifications_visible_to`, the name every app uses for its main model."""
    return notifications_visible_to(user)
