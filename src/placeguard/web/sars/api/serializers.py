"""SAR API shapes: strict input serializers (types, unknown fields) and output serializers.

Input is checked twice on purpose: these serializers refuse unknown fields and wrong types
(:class:`~placeguard.web.common.strict.StrictInputMixin`), then ``services`` checks meaning
(required fields, the tier-2 rule, the site, the state machine) for API and pages alike.
Output never carries the reporter's identity or vetting notes unless their own visibility
function admits the reader: the keys are absent, not empty.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from placeguard.core.vocab import OrgKind
from placeguard.web.common.strict import StrictInputMixin
from placeguard.web.orgs.models import User
from placeguard.web.sars import queries
from placeguard.web.sars.choices import BEHAVIOURS, BehaviourCode, Channel, SarStatus
from placeguard.web.sars.models import (
    Attachment,
    Dissemination,
    ReporterIdentity,
    StatusChange,
    SuspiciousActivityReport,
    VettingNote,
)

_TEXT: dict[str, Any] = {"required": False, "allow_blank": True, "allow_null": True}


_VET_STATUSES = [c for c in SarStatus.choices if c[0] != SarStatus.PURGED]


# Statuses are documented as text with their values listed: drf-spectacular turns every enum
# into a shared ``StatusEnum`` component, which collides with other apps' status fields.
@extend_schema_field({"type": "string", "description": "One of: " + ", ".join(SarStatus.values)})
class SarStatusField(serializers.ChoiceField):
    """A report status (read only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=SarStatus.choices, read_only=True, **kwargs)


@extend_schema_field(
    {"type": "string", "description": "One of: " + ", ".join(v for v, _label in _VET_STATUSES)}
)
class VetStatusField(serializers.ChoiceField):
    """The status a vetting decision moves the report to."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_VET_STATUSES, **kwargs)


class ReporterInputSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """The reporter's identity, stored apart from the report (R11)."""

    full_name = serializers.CharField(max_length=200, **_TEXT)
    job_title = serializers.CharField(max_length=200, **_TEXT)
    phone = serializers.CharField(max_length=64, **_TEXT)
    email = serializers.CharField(max_length=254, **_TEXT)
    may_contact = serializers.BooleanField(required=False)


class SarCreateSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """A new report. ``behaviours``: ISE-SAR codes; tier-2 ones need ``articulable_facts``."""

    site = serializers.IntegerField(required=False, allow_null=True)
    behaviours = serializers.ListField(
        child=serializers.ChoiceField(choices=BehaviourCode.choices), required=False
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    observed_from = serializers.DateTimeField(required=False, allow_null=True)
    observed_until = serializers.DateTimeField(required=False, allow_null=True)
    location_detail = serializers.CharField(**_TEXT)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    narrative = serializers.CharField(**_TEXT)
    why_suspicious = serializers.CharField(**_TEXT)
    articulable_facts = serializers.CharField(**_TEXT)
    subject_count = serializers.IntegerField(required=False, allow_null=True)
    subject_description = serializers.CharField(**_TEXT)
    vehicle_description = serializers.CharField(**_TEXT)
    reporter = ReporterInputSerializer(required=False)


class VetInputSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """A vetting decision; ``refer_to`` lists police force short names (LE-to-LE referral)."""

    status = VetStatusField()
    note = serializers.CharField(**_TEXT)
    vetting_facts = serializers.CharField(**_TEXT)
    refer_to = serializers.ListField(child=serializers.SlugField(), required=False)


class NoteInputSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """A law-enforcement-only vetting note."""

    body = serializers.CharField(**_TEXT)


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    """Multipart upload: one or more ``file`` parts (JPEG, PNG, PDF, MP4)."""

    file = serializers.FileField()


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    """Attachment metadata (bytes come from the download action, hash-verified)."""

    has_shared_copy = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "has_shared_copy", "created"]
        read_only_fields = fields

    def get_has_shared_copy(self, obj: Attachment) -> bool:
        return bool(obj.shared_sha256)


class StatusChangeSerializer(serializers.ModelSerializer[StatusChange]):
    """One vetting transition (visible to the reporting organisation too)."""

    from_status = SarStatusField()
    to_status = SarStatusField()

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "at"]
        read_only_fields = fields


class ReporterIdentitySerializer(serializers.ModelSerializer[ReporterIdentity]):
    """The reporter (author and the police the report was filed to only)."""

    class Meta:
        model = ReporterIdentity
        fields = ["full_name", "job_title", "phone", "email", "may_contact"]
        read_only_fields = fields


class VettingNoteSerializer(serializers.ModelSerializer[VettingNote]):
    """A vetting note (law enforcement only)."""

    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = VettingNote
        fields = ["id", "kind", "body", "org", "author", "created"]
        read_only_fields = fields


class SarListSerializer(serializers.ModelSerializer[SuspiciousActivityReport]):
    """A report in a list: no narrative, no identity."""

    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    status = SarStatusField()
    site_name = serializers.CharField(source="site.name", read_only=True)
    behaviours = serializers.SerializerMethodField()
    tier_two = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = SuspiciousActivityReport
        fields = [
            "id", "uuid", "site", "site_name", "org", "status", "behaviours", "tier_two",
            "observed_from", "created", "status_changed_at", "review_due", "purge_due", "is_mine",
        ]  # fmt: skip
        read_only_fields = fields

    def get_behaviours(self, obj: SuspiciousActivityReport) -> list[str]:
        return sorted(b.code for b in obj.behaviours.all())

    def get_tier_two(self, obj: SuspiciousActivityReport) -> bool:
        return any(BEHAVIOURS[b.code].tier == 2 for b in obj.behaviours.all())

    def get_is_mine(self, obj: SuspiciousActivityReport) -> bool:
        viewer = self.context.get("viewer")
        return isinstance(viewer, User) and obj.author_id == viewer.pk


class DisseminationSerializer(serializers.ModelSerializer[Dissemination]):
    """A release outside the reporting organisation; ``reason`` for police only."""

    released_by_org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    to_org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Dissemination
        fields = ["kind", "released_by_org", "to_org", "reason", "includes_identity", "at"]
        read_only_fields = fields

    def to_representation(self, instance: Dissemination) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        viewer = self.context.get("viewer")
        org = getattr(viewer, "organisation", None)
        if org is None or org.kind != OrgKind.LAW_ENFORCEMENT:
            data.pop("reason")
        return data


class SarDetailSerializer(SarListSerializer):
    """A report with its narrative, history, attachments and (for those allowed) identity/notes."""

    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    disseminations = DisseminationSerializer(many=True, read_only=True)
    reporter = serializers.SerializerMethodField()
    vetting_notes = serializers.SerializerMethodField()

    class Meta(SarListSerializer.Meta):
        fields = [
            *SarListSerializer.Meta.fields,
            "channel", "observed_until", "location_detail", "latitude", "longitude", "narrative",
            "why_suspicious", "articulable_facts", "subject_count", "subject_description",
            "vehicle_description", "status_history", "attachments", "disseminations", "reporter",
            "vetting_notes",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reporter(self, obj: SuspiciousActivityReport) -> dict[str, Any] | None:
        row = queries.identities_visible_to(self.context.get("viewer")).filter(sar=obj).first()
        return dict(ReporterIdentitySerializer(row).data) if row is not None else None

    def get_vetting_notes(self, obj: SuspiciousActivityReport) -> list[dict[str, Any]] | None:
        viewer = self.context.get("viewer")
        if not queries.may_read_notes(viewer, obj):
            return None
        rows = queries.notes_visible_to(viewer).filter(sar=obj).select_related("org", "author")
        return [dict(VettingNoteSerializer(n).data) for n in rows]

    def to_representation(self, instance: SuspiciousActivityReport) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        for key in ("reporter", "vetting_notes"):  # hidden means absent, not empty
            if data.get(key) is None:
                data.pop(key, None)
        return data
