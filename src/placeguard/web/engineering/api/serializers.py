"""Engineering API shapes. Types are checked here; meaning is checked by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.engineering.choices import StudyKind
from placeguard.web.engineering.models import EngineeringStudy


class StudyListSerializer(serializers.ModelSerializer[EngineeringStudy]):
    """A study in a list: what was asked, not what was answered."""

    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = EngineeringStudy
        fields = ["id", "site", "kind", "name", "status", "parameters", "created_by", "created_at"]
        read_only_fields = fields


class StudySerializer(StudyListSerializer):
    """A study with its input GeoJSON and its result (assumptions included)."""

    class Meta(StudyListSerializer.Meta):
        fields = [*StudyListSerializer.Meta.fields, "geojson", "result"]
        read_only_fields = fields


class StudyCreateSerializer(serializers.Serializer[Any]):
    """Input for running a study."""

    site = serializers.IntegerField(help_text="Site id.")
    kind = serializers.ChoiceField(choices=StudyKind.choices)
    name = serializers.CharField(max_length=200)
    geojson = serializers.DictField(
        help_text="Evacuation: the layout (local metres). Vehicle: the site file (WGS84)."
    )
    parameters = serializers.DictField(
        required=False,
        default=dict,
        help_text="Run options of the kind (docs/engineering.md); omitted ones take defaults.",
    )
