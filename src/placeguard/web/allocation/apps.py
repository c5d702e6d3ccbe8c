"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    """Patrol plans (security games) and response coverage for law enforcement."""

    name = "placeguard.web.allocation"
    label = "allocation"
    verbose_name = _("Allocation")
