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
from placeguard.web.sharing.api.shared_fields import SharedItemFields, SharedItemListSerializer


def sites_of(incident_ids: list[int]) -> dict[int, list[int]]:
    """``{incident id: sorted site ids}`` in one query (plain ids, not prefetched sites)."""
    by_incident: dict[int, list[int]] = {}
    pairs = Incident.sites.through.objects.filter(incident_id__in=incident_ids)
    for incident_id, site_id in pairs.order_by("site_id").values_list("incident_id", "site_id"):
        by_incident.setdefault(incident_id, []).append(site_id)
    return by_incident


class IncidentSerializer(SharedItemFields, serializers.ModelSerializer[Incident]):
    """An incident with its audience (ids), or its stub."""

    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    sites = serializers.SerializerMethodField()
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
        list_serializer_class = SharedItemListSerializer

    def load_page(self, rows: list[Any]) -> None:
        super().load_page(rows)
        site_ids = sites_of([r.pk for r in rows])
        for row in rows:
            row.site_ids = site_ids.get(row.pk, [])  # read by get_sites

    def get_sites(self, obj: Incident) -> list[int]:
        found: list[int] | None = getattr(obj, "site_ids", None)
        if found is None:
            found = sites_of([obj.pk]).get(obj.pk, [])
        return found


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
