"""Sharing API shapes (output). Input is checked by ``services.parse_bulletin``/``parse_group``.

A withdrawn bulletin seen from outside its originating organisation is a *stub* (R2): only its
id, status, TLP, originator and withdrawal reason, never its title or body.

People of another organisation are not named (catalogue 54): see
:mod:`placeguard.web.sharing.api.shared_fields`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.sharing.api.shared_fields import (
    SharedItemFields,
    SharedItemListSerializer,
)
from placeguard.web.sharing.models import Acknowledgement, Bulletin, SharingGroup


class BulletinSerializer(SharedItemFields, serializers.ModelSerializer[Bulletin]):
    """A bulletin with its audience (ids), or its stub."""

    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    org_name = serializers.SerializerMethodField()

    STUB_FIELDS = (
        "id", "status", "tlp", "org", "org_name", "withdrawal_reason", "withdrawn_at", "is_stub",
    )  # fmt: skip

    class Meta:
        model = Bulletin
        fields = [
            "id", "author", "org", "org_name", "status", "title", "body", "tlp", "audience_public",
            "audience_community", "groups", "orgs", "rule_orgs", "users", "target_site_types",
            "le_only", "pii", "source_protected", "need_to_know", "valid_from", "valid_until",
            "withdrawal_reason", "created", "updated", "published_at", "withdrawn_at", "is_stub",
        ]  # fmt: skip
        read_only_fields = fields
        list_serializer_class = SharedItemListSerializer

    def get_org_name(self, obj: Bulletin) -> str:
        return obj.org.name


class AcknowledgementSerializer(serializers.ModelSerializer[Acknowledgement]):
    """A read receipt / acknowledgement."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Acknowledgement
        fields = ["id", "bulletin", "user", "org", "queued_at", "read_at", "acknowledged_at"]
        read_only_fields = fields


class SharingGroupSerializer(serializers.ModelSerializer[SharingGroup]):
    """A sharing group; members only for those allowed to see them (W4)."""

    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    members = serializers.SerializerMethodField()
    rule_regions = serializers.SerializerMethodField()

    class Meta:
        model = SharingGroup
        fields = [
            "id", "name", "description", "owner", "active", "hide_members", "rule_org_kinds",
            "rule_site_types", "rule_regions", "members", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields

    def get_rule_regions(self, obj: SharingGroup) -> list[str]:
        return sorted(r.code for r in obj.rule_regions.all())

    def get_members(self, obj: SharingGroup) -> list[dict[str, Any]] | None:
        viewer_org = self.context.get("viewer_org")
        rows = list(obj.memberships.all())
        managers = {obj.owner_id} | {r.organisation_id for r in rows if r.extender}
        allowed = managers if obj.hide_members else managers | {r.organisation_id for r in rows}
        if viewer_org not in allowed:
            return None
        return [
            {"organisation": r.organisation_id, "extender": r.extender, "via_rule": r.via_rule}
            for r in sorted(rows, key=lambda r: r.organisation_id)
        ]
