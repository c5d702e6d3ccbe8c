"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SarsConfig(AppConfig):
    """Suspicious-activity reports: intake, police vetting, reporter identity, retention."""

    name = "placeguard.web.sars"
    label = "sars"
    verbose_name = _("Suspicious-activity reports")
