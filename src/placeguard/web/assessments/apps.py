"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Risk assessments of sites, their review and follow-up."""

    name = "placeguard.web.assessments"
    label = "assessments"
    verbose_name = _("Risk assessments")
