"""Query-string filters of the study list."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from placeguard.web.engineering.choices import StudyKind, StudyStatus
from placeguard.web.engineering.models import EngineeringStudy


class StudyFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter studies by site, kind and status."""

    site = django_filters.NumberFilter(field_name="site_id", label=_("Site id"))
    kind = django_filters.ChoiceFilter(choices=StudyKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=StudyStatus.choices, label=_("Status"))

    class Meta:
        model = EngineeringStudy
        fields = ["site", "kind", "status"]
