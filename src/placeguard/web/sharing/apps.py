"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    """Sharing: TLP 2.0-enforced bulletins, sharing groups and the instance community."""

    name = "placeguard.web.sharing"
    label = "sharing"
    verbose_name = _("Sharing")
