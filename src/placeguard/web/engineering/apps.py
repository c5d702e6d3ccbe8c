"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineeringConfig(AppConfig):
    """Site-engineering studies: evacuation times and hostile-vehicle impact speeds."""

    name = "placeguard.web.engineering"
    label = "engineering"
    verbose_name = _("Site engineering")
