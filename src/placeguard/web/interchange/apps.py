"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    """Interchange: STIX 2.1 and MISP JSON export and import under the sharing policy."""

    name = "placeguard.web.interchange"
    label = "interchange"
    verbose_name = _("Interchange")
