"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    """Capacity building: technical assistance on request, courses and national action plans."""

    name = "placeguard.web.capacity"
    label = "capacity"
    verbose_name = _("Capacity building")
