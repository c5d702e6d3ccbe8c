"""Query-string filters of the allocation lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from placeguard.web.allocation.choices import PlanStatus
from placeguard.web.allocation.models import PatrolPlan, PatrolTeam, ResponseStation


class PatrolPlanFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter plans by status."""

    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))

    class Meta:
        model = PatrolPlan
        fields = ["status"]


class PatrolTeamFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Filter teams by ``active``."""

    class Meta:
        model = PatrolTeam
        fields = ["active"]


class ResponseStationFilter(django_filters.FilterSet):  # type: ignore[misc]
    """Filter stations by ``active``."""

    class Meta:
        model = ResponseStation
        fields = ["active"]
