"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    """Good-practice library: practices and lessons learned, shared under the sharing policy."""

    name = "placeguard.web.practices"
    label = "practices"
    verbose_name = _("Good practices")
