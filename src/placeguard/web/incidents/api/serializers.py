"""Incident API shapes (output). Input is checked by ``services`` (one validator).

A withdrawn incident seen from outside its originating organisation is a *stub* (R2): only its
id, status, TLP, originator and withdrawal reason; its children are not listed at all.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.incidents.models import (
    CustodyEntry,
    Evidence,
    Incident,
    LessonLearned,
    Task,
    TimelineEntry,
)


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    """An incident with its audience (ids), or its stub."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    is_stub = serializers.SerializerMethodField()
    sites = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    orgs = serializers.SerializerMethodField()
    users = serializers.SerializerMethodField()
    need_to_know = serializers.SerializerMethodField()
    # Plain strings (values listed in docs/incidents.md) so the schema's enum names stay unique.
    scenario = serializers.CharField(read_only=True)
    investigation_status = serializers.CharField(read_only=True)

    STUB_FIELDS = ("id", "status", "tlp", "org", "withdrawal_reason", "withdrawn_at", "is_stub")

    class Meta:
        model = Incident
        fields = [
            "id", "author", "org", "status", "title", "summary", "occurred_at", "sites",
            "scenario", "deaths", "injured", "investigation_status", "lead_investigator", "tlp",
            "audience_public", "audience_community", "groups", "orgs", "users", "le_only", "pii",
            "source_protected", "need_to_know", "valid_from", "valid_until", "withdrawal_reason",
            "created", "updated", "published_at", "withdrawn_at", "is_stub",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_stub(self, obj: Incident) -> bool:
        return bool(getattr(obj, "is_stub", False))

    def get_sites(self, obj: Incident) -> list[int]:
        return sorted(s.pk for s in obj.sites.all())

    def get_groups(self, obj: Incident) -> list[int]:
        return sorted(r.group_id for r in obj.group_rows.all())

    def get_orgs(self, obj: Incident) -> list[int]:
        return sorted(r.org_id for r in obj.org_rows.all() if not r.via_rule)

    def get_users(self, obj: Incident) -> list[int]:
        return sorted(r.user_id for r in obj.user_rows.all())

    def get_need_to_know(self, obj: Incident) -> list[str] | None:
        if not obj.has_need_to_know:
            return None
        return sorted(r.token for r in obj.ntk_rows.all())

    def to_representation(self, instance: Incident) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if getattr(instance, "is_stub", False):
            return {k: data[k] for k in self.STUB_FIELDS}
        return data


class TimelineEntrySerializer(serializers.ModelSerializer[TimelineEntry]):
    """A timeline entry."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = TimelineEntry
        fields = ["id", "incident", "occurred_at", "text", "author", "created"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer[Task]):
    """An investigation task."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    status = serializers.CharField(read_only=True, help_text="todo, in_progress, done, cancelled")

    class Meta:
        model = Task
        fields = ["id", "incident", "title", "description", "status", "assignee", "due",
                  "author", "created", "updated"]  # fmt: skip
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    """An evidence file's metadata (the bytes come from ``download/``)."""

    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Evidence
        fields = ["id", "incident", "original_name", "description", "content_type", "size",
                  "sha256", "uploaded_by", "uploaded_at"]  # fmt: skip
        read_only_fields = fields


class CustodyEntrySerializer(serializers.ModelSerializer[CustodyEntry]):
    """One chain-of-custody entry."""

    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    actor_org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    action = serializers.CharField(
        read_only=True,
        help_text="collected, uploaded, downloaded, transferred, verified, released, "
        "integrity_failure",
    )

    class Meta:
        model = CustodyEntry
        fields = ["id", "incident", "evidence", "action", "actor", "actor_org", "at", "reason",
                  "handed_to", "sha256"]  # fmt: skip
        read_only_fields = fields


class LessonSerializer(serializers.ModelSerializer[LessonLearned]):
    """A lesson learned."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = LessonLearned
        fields = ["id", "incident", "text", "recommendation", "tags", "author", "practice_id",
                  "created"]  # fmt: skip
        read_only_fields = fields
