"""Query-string filters of the exercise API lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from placeguard.web.exercises.choices import (
    CorrectiveActionStatus,
    ExerciseStatus,
    ExerciseType,
)
from placeguard.web.exercises.models import CorrectiveAction, Exercise, Inject


class ExerciseFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter exercises by site, status and type."""

    site = django_filters.NumberFilter(field_name="site_id", label=_("Site id"))
    status = django_filters.ChoiceFilter(choices=ExerciseStatus.choices, label=_("Status"))
    exercise_type = django_filters.ChoiceFilter(choices=ExerciseType.choices, label=_("Type"))

    class Meta:
        model = Exercise
        fields = ["site", "status", "exercise_type"]


class InjectFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Filter injects by exercise."""

    exercise = django_filters.NumberFilter(field_name="exercise_id", label=_("Exercise id"))

    class Meta:
        model = Inject
        fields = ["exercise"]


class CorrectiveActionFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Filter corrective actions by exercise, status and owner organisation (slug)."""

    exercise = django_filters.NumberFilter(field_name="exercise_id", label=_("Exercise id"))
    status = django_filters.ChoiceFilter(choices=CorrectiveActionStatus.choices, label=_("Status"))
    owner_org = django_filters.CharFilter(field_name="owner_org__slug", label=_("Owner (slug)"))

    class Meta:
        model = CorrectiveAction
        fields = ["exercise", "status", "owner_org"]
