"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail."""

    name = "placeguard.web.audit"
    label = "audit"
    verbose_name = _("Audit")
