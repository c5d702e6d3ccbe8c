"""Site API shapes. Types are checked here; meaning is checked by the one site validator."""

from __future__ import annotations

from rest_framework import serializers

from placeguard.web.common.strict import StrictInputMixin
from placeguard.web.orgs.models import Organisation, Region
from placeguard.web.sites.choices import SiteType
from placeguard.web.sites.models import Site, Tag


class SiteSerializer(serializers.ModelSerializer[Site]):
    """A site as read."""

    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    operator: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    responsible_le: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    tags: serializers.SlugRelatedField[Tag] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )
    url = serializers.HyperlinkedIdentityField(view_name="api:site-detail")

    class Meta:
        model = Site
        fields = [
            "id", "uuid", "url", "name", "site_type", "status", "address", "region", "region_name",
            "latitude", "longitude", "capacity", "time_zone", "time_profile", "operator",
            "operator_name", "responsible_le", "tags", "notes", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


class SiteWriteSerializer(StrictInputMixin, serializers.Serializer[Site]):
    """Input for create and update; references are region codes and organisation slugs."""

    name = serializers.CharField(max_length=200)
    site_type = serializers.ChoiceField(choices=SiteType.choices)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    region = serializers.CharField(max_length=32, help_text="Region code.")
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    capacity = serializers.IntegerField(min_value=0)
    time_zone = serializers.CharField(max_length=64, required=False)
    operator = serializers.CharField(max_length=64, help_text="Operator organisation slug.")
    responsible_le = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        help_text=(
            "Law-enforcement organisation slugs; when omitted, the forces whose "
            "jurisdiction covers the region."
        ),
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    time_profile = serializers.JSONField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ArchiveSerializer(StrictInputMixin, serializers.Serializer[Site]):
    """Archive (true) or restore (false) a site."""

    archived = serializers.BooleanField(default=True)
