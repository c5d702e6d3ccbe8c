"""Query-string filters for the site list (API and web share them)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from placeguard.web.orgs.models import Region
from placeguard.web.sites.choices import SiteStatus, SiteType
from placeguard.web.sites.models import Site


@extend_schema_field(OpenApiTypes.STR)
class RegionCodeFilter(django_filters.ModelMultipleChoiceFilter):  # type: ignore[misc]
    """Region codes (repeatable); documented as strings in the OpenAPI schema."""


class SiteFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is untyped
    """Filter by type, region, operator, status, tag and free text."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    site_type = django_filters.MultipleChoiceFilter(choices=SiteType.choices, label=_("Type"))
    region = RegionCodeFilter(
        field_name="region__code",
        to_field_name="code",
        queryset=Region.objects.all(),
        label=_("Region"),
    )
    operator = django_filters.CharFilter(field_name="operator__slug", label=_("Operator"))
    status = django_filters.ChoiceFilter(choices=SiteStatus.choices, label=_("Status"))
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag"), distinct=True)
    min_capacity = django_filters.NumberFilter(
        field_name="capacity", lookup_expr="gte", label=_("Capacity at least")
    )

    class Meta:
        model = Site
        fields = ["q", "site_type", "region", "operator", "status", "tag", "min_capacity"]

    def search(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        """Case-insensitive match on name or address."""
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))
