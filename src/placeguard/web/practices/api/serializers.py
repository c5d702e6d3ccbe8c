"""Practice API shapes (output). Input is checked by ``services.parse_practice``.

A withdrawn practice seen from outside its originating organisation is a *stub* (R2): its id,
status, TLP, originator and withdrawal reason only, never its title, body or tags.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.practices.models import Practice
from placeguard.web.sharing.api.shared_fields import SharedItemFields, SharedItemListSerializer


class PracticeSerializer(SharedItemFields, serializers.ModelSerializer[Practice]):
    """A practice with its tags and audience (ids), or its stub."""

    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]

    STUB_FIELDS = ("id", "status", "tlp", "org", "withdrawal_reason", "withdrawn_at", "is_stub")

    class Meta:
        model = Practice
        fields = [
            "id", "author", "org", "status", "kind", "title", "body", "site_types", "scenarios",
            "measures", "source", "curated", "curated_at", "tlp", "audience_public",
            "audience_community", "groups", "orgs", "users", "le_only", "pii",
            "source_protected", "need_to_know", "withdrawal_reason", "created", "updated",
            "published_at", "withdrawn_at", "is_stub",
        ]  # fmt: skip
        read_only_fields = fields
        list_serializer_class = SharedItemListSerializer


class FacetsSerializer(serializers.Serializer[dict[str, Any]]):
    """Counts of visible practices per tag value and per kind (only values that occur)."""

    total = serializers.IntegerField()
    site_type = serializers.DictField(child=serializers.IntegerField())
    scenario = serializers.DictField(child=serializers.IntegerField())
    measure = serializers.DictField(child=serializers.IntegerField())
    kind = serializers.DictField(child=serializers.IntegerField())
