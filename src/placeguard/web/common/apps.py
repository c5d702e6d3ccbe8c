"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """Shared web pieces: base templates, problem+json, health check, dashboard."""

    name = "placeguard.web.common"
    label = "common"
    verbose_name = _("Common")
