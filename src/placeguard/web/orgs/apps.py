"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    """Organisations, people and roles."""

    name = "placeguard.web.orgs"
    label = "orgs"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        """Register the OpenAPI description of token authentication."""
        from placeguard.web.orgs.api import schema  # noqa: F401
