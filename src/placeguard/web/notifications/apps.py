"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications: in-app, e-mail and signed webhooks from an outbox."""

    name = "placeguard.web.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
