"""Query-string filters of the assessment, action-item and risk-acceptance lists."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from placeguard.web.assessments import queries
from placeguard.web.assessments.choices import AcceptanceStatus, ActionStatus, AssessmentStatus
from placeguard.web.assessments.models import ActionItem, Assessment, RiskAcceptance


class AssessmentFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter by site and status (repeat ``status`` for several)."""

    site = django_filters.NumberFilter(field_name="site_id", label=_("Site id"))
    status = django_filters.MultipleChoiceFilter(
        choices=AssessmentStatus.choices, label=_("Status")
    )

    class Meta:
        model = Assessment
        fields = ["site", "status"]


class ActionItemFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter by site, assessment, status and whether overdue."""

    site = django_filters.NumberFilter(field_name="site_id", label=_("Site id"))
    assessment = django_filters.NumberFilter(field_name="assessment_id", label=_("Assessment id"))
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = ActionItem
        fields = ["site", "assessment", "status", "overdue"]

    def filter_overdue(
        self, queryset: QuerySet[ActionItem], name: str, value: bool | None
    ) -> QuerySet[ActionItem]:
        """Items past their due date and not done or cancelled (or the others)."""
        if value is None:
            return queryset
        return queries.filter_overdue(queryset, value)


class RiskAcceptanceFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter by site, assessment, scenario and status as of today."""

    site = django_filters.NumberFilter(field_name="assessment__site_id", label=_("Site id"))
    assessment = django_filters.NumberFilter(field_name="assessment_id", label=_("Assessment id"))
    scenario = django_filters.CharFilter(label=_("Scenario"))
    status = django_filters.ChoiceFilter(
        choices=AcceptanceStatus.choices, method="filter_status", label=_("Status")
    )

    class Meta:
        model = RiskAcceptance
        fields = ["site", "assessment", "scenario", "status"]

    def filter_status(
        self, queryset: QuerySet[RiskAcceptance], name: str, value: str
    ) -> QuerySet[RiskAcceptance]:
        """Status as of today: an active acceptance past its date is expired."""
        return queries.filter_acceptances_by_status(queryset, value) if value else queryset
