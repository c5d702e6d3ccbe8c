"""Sharing API shapes (output). Input is checked by ``services.parse_bulletin``/``parse_group``.

A withdrawn bulletin seen from outside its originating organisation is a *stub* (R2): only its
id, status, TLP, originator and withdrawal reason, never its title or body.

People of another organisation are not named (catalogue 54): a bulletin's ``author`` is shown
only to users of the originating organisation; everyone else sees the originating organisation
(``org``, ``org_name``) and ``author: null``. The viewer comes from the serializer context
(``request`` or ``viewer_org``); without one the author is hidden (fail closed).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.sharing.models import Acknowledgement, Bulletin, SharingGroup


def _viewer(context: dict[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


def viewer_org_id(context: dict[str, Any]) -> int | None:
    """The organisation of the user the data is serialised for (None: unknown or anonymous)."""
    if "viewer_org" in context:
        org: int | None = context["viewer_org"]
        return org
    return getattr(_viewer(context), "organisation_id", None)


class BulletinSerializer(serializers.ModelSerializer[Bulletin]):
    """A bulletin with its audience (ids), or its stub."""

    author = serializers.SerializerMethodField()
    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    org_name = serializers.SerializerMethodField()
    is_stub = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    orgs = serializers.SerializerMethodField()
    rule_orgs = serializers.SerializerMethodField()
    users = serializers.SerializerMethodField()
    need_to_know = serializers.SerializerMethodField()

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

    def get_author(self, obj: Bulletin) -> str | None:
        """The author's username for the originating organisation's users, else None."""
        viewer = viewer_org_id(self.context)
        if viewer is None or viewer != obj.org_id:
            return None
        return obj.author.username

    def get_org_name(self, obj: Bulletin) -> str:
        return obj.org.name

    def get_is_stub(self, obj: Bulletin) -> bool:
        return bool(getattr(obj, "is_stub", False))

    def get_groups(self, obj: Bulletin) -> list[int]:
        return sorted(r.group_id for r in obj.group_rows.all())

    def get_orgs(self, obj: Bulletin) -> list[int]:
        return sorted(r.org_id for r in obj.org_rows.all() if not r.via_rule)

    def get_rule_orgs(self, obj: Bulletin) -> list[int]:
        return sorted(r.org_id for r in obj.org_rows.all() if r.via_rule)

    def get_users(self, obj: Bulletin) -> list[int]:
        """Named recipients; outside the originating organisation only the viewer themself."""
        named = sorted(r.user_id for r in obj.user_rows.all())
        viewer = viewer_org_id(self.context)
        if viewer is not None and viewer == obj.org_id:
            return named
        me = getattr(_viewer(self.context), "pk", None)
        return [u for u in named if u == me]

    def get_need_to_know(self, obj: Bulletin) -> list[str] | None:
        if not obj.has_need_to_know:
            return None
        return sorted(r.token for r in obj.ntk_rows.all())

    def to_representation(self, instance: Bulletin) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if getattr(instance, "is_stub", False):
            return {k: data[k] for k in self.STUB_FIELDS}
        return data


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
