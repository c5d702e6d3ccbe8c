"""Intelligence API shapes: dataset metadata and upload input. No incident rows, ever."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.intel import services
from placeguard.web.intel.choices import DatasetSource, DatasetStatus
from placeguard.web.intel.models import Dataset


class DatasetSerializer(serializers.ModelSerializer[Dataset]):
    """A dataset: what was imported and where its import is (aggregates only elsewhere)."""

    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    status = serializers.ChoiceField(choices=DatasetStatus.choices, read_only=True)
    attribution = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = ["id", "owner", "name", "source", "licence", "file_name", "row_count", "status",
                  "progress", "progress_message", "problems", "facets", "attribution",
                  "created_by", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_attribution(self, obj: Dataset) -> str:
        return services.attribution(obj)


class DatasetCreateSerializer(serializers.Serializer[Any]):
    """Upload (multipart): the file, its layout and, for ``csv``, the column mapping."""

    name = serializers.CharField(max_length=200)
    source = serializers.ChoiceField(choices=DatasetSource.choices)  # type: ignore[assignment]
    file = serializers.FileField()
    mapping = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="YAML/JSON column mapping (csv only).")  # fmt: skip


class TrendsQuerySerializer(serializers.Serializer[Any]):
    """Query parameters of the trends action (the filters of ``placeguard intel trends``)."""

    by = serializers.ChoiceField(choices=["category", "scenario", "region", "country", "urban",
                                          "category_region"], default="category")  # fmt: skip
    category = serializers.CharField(required=False)
    scenario = serializers.CharField(required=False)
    region = serializers.CharField(required=False)
    urban = serializers.BooleanField(required=False, allow_null=True, default=None)
    first_year = serializers.IntegerField(required=False, min_value=1900, max_value=2100)
    last_year = serializers.IntegerField(required=False, min_value=1900, max_value=2100)
    split_year = serializers.IntegerField(required=False, min_value=1900, max_value=2100)
    breaks = serializers.CharField(required=False, help_text="Comma-separated years or 'none'.")

    def validate_breaks(self, value: str) -> tuple[int, ...]:
        if value.strip().lower() in {"", "none"}:
            return ()
        try:
            return tuple(sorted({int(x) for x in value.split(",") if x.strip()}))
        except ValueError:
            msg = "comma-separated years, e.g. 1998,2008,2012"
            raise serializers.ValidationError(msg) from None
