"""Practice API shapes (output). Input is checked by ``services.parse_practice``.

A withdrawn practice seen from outside its originating organisation is a *stub* (R2): its id,
status, TLP, originator and withdrawal reason only, never its title, body or tags.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.practices.models import Practice


class PracticeSerializer(serializers.ModelSerializer[Practice]):
    """A practice with its tags and audience (ids), or its stub."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    is_stub = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    orgs = serializers.SerializerMethodField()
    users = serializers.SerializerMethodField()
    need_to_know = serializers.SerializerMethodField()

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

    def get_is_stub(self, obj: Practice) -> bool:
        return bool(getattr(obj, "is_stub", False))

    def get_groups(self, obj: Practice) -> list[int]:
        return sorted(r.group_id for r in obj.group_rows.all())

    def get_orgs(self, obj: Practice) -> list[int]:
        return sorted(r.org_id for r in obj.org_rows.all())

    def get_users(self, obj: Practice) -> list[int]:
        return sorted(r.user_id for r in obj.user_rows.all())

    def get_need_to_know(self, obj: Practice) -> list[str] | None:
        if not obj.has_need_to_know:
            return None
        return sorted(r.token for r in obj.ntk_rows.all())

    def to_representation(self, instance: Practice) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if getattr(instance, "is_stub", False):
            return {k: data[k] for k in self.STUB_FIELDS}
        return data


class FacetsSerializer(serializers.Serializer[dict[str, Any]]):
    """Counts of visible practices per tag value and per kind (only values that occur)."""

    total = serializers.IntegerField()
    site_type = serializers.DictField(child=serializers.IntegerField())
    scenario = serializers.DictField(child=serializers.IntegerField())
    measure = serializers.DictField(child=serializers.IntegerField())
    kind = serializers.DictField(child=serializers.IntegerField())
