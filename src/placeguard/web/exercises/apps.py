"""App config."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    """Exercises: design, MSEL, conduct, evaluation and the after-action report."""

    name = "placeguard.web.exercises"
    label = "exercises"
    verbose_name = _("Exercises")
