"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelConfig(AppConfig):
    """Incident datasets of national analysts: imports, trend dashboards, claim tests."""

    name = "placeguard.web.intel"
    label = "intel"
    verbose_name = _("Intelligence")
