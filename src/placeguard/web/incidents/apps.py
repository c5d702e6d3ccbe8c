"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Incidents and investigations: timeline, tasks, evidence with SHA-256, chain of custody."""

    name = "placeguard.web.incidents"
    label = "incidents"
    verbose_name = _("Incidents")
