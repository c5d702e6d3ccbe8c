"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    """The site registry."""

    name = "placeguard.web.sites"
    label = "sites"
    verbose_name = _("Sites")
