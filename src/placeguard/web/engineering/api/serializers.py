"""Engineering API shapes. Types are checked here; meaning is checked by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.engineering import services
from placeguard.web.engineering.choices import StudyKind, StudyStatus
from placeguard.web.engineering.models import EngineeringStudy


class RunStatusSerializer(serializers.Serializer[Any]):
    """Where a study's background run is (queued → running → complete | failed)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StudyStatus.choices)
    status_display = serializers.CharField()
    finished = serializers.BooleanField()
    progress = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField()
    error = serializers.CharField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class StudyListSerializer(serializers.ModelSerializer[EngineeringStudy]):
    """A study in a list: what was asked, not what was answered."""

    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    run = serializers.SerializerMethodField()

    class Meta:
        model = EngineeringStudy
        fields = ["id", "site", "kind", "name", "status", "parameters", "created_by", "created_at",
                  "run"]  # fmt: skip
        read_only_fields = fields

    def get_run(self, obj: EngineeringStudy) -> dict[str, Any]:
        return services.run_status(obj)


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
