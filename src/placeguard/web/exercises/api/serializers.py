"""Exercise API shapes. Types are checked here; meaning is checked by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.exercises.choices import (
    CorrectiveActionStatus,
    ExerciseScope,
    ExerciseType,
)
from placeguard.web.exercises.models import CorrectiveAction, Exercise, Inject, Objective


class ObjectiveSerializer(serializers.ModelSerializer[Objective]):
    """An objective with its capability target and critical tasks."""

    class Meta:
        model = Objective
        fields = ["code", "title", "capability", "capability_target", "critical_tasks", "source"]
        read_only_fields = fields


class ExerciseListSerializer(serializers.ModelSerializer[Exercise]):
    """An exercise in a list."""

    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = Exercise
        fields = [
            "id",
            "uuid",
            "name",
            "exercise_type",
            "scope",
            "site",
            "region",
            "sector",
            "status",
            "owner",
            "scenarios",
            "scheduled_on",
            "created",
        ]
        read_only_fields = fields


class ExerciseSerializer(ExerciseListSerializer):
    """An exercise with its participants, objectives and clock."""

    participants = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="slug", many=True, read_only=True
    )
    objectives = ObjectiveSerializer(many=True, read_only=True)

    class Meta(ExerciseListSerializer.Meta):
        fields = [
            *ExerciseListSerializer.Meta.fields,
            "participants",
            "summary",
            "notes",
            "objectives",
            "clock_offset_s",
            "clock_running",
        ]
        read_only_fields = fields


class ExerciseCreateSerializer(serializers.Serializer[Any]):
    """Input for designing an exercise (its MSEL is drafted from the content templates)."""

    name = serializers.CharField(max_length=200)
    exercise_type = serializers.ChoiceField(choices=ExerciseType.choices, default="tabletop")
    scope = serializers.ChoiceField(choices=ExerciseScope.choices, default="site")
    site = serializers.IntegerField(required=False, help_text="Site id (scope site).")
    region = serializers.CharField(required=False, help_text="Region code (scope region).")
    sector = serializers.CharField(required=False, help_text="Site type (scope sector).")
    scenarios = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    corrective_actions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Open corrective actions of earlier exercises of the site to test.",
    )
    participants = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Organisation ids.",
    )
    scheduled_on = serializers.DateField(required=False, allow_null=True)


class InjectSerializer(serializers.ModelSerializer[Inject]):
    """One MSEL row and its conduct state."""

    class Meta:
        model = Inject
        fields = [
            "id",
            "exercise",
            "seq",
            "time_min",
            "inject_type",
            "delivery",
            "sender",
            "recipient",
            "description",
            "expected_action",
            "objective",
            "scenario",
            "contingency_for",
            "state",
            "released_at",
        ]
        read_only_fields = fields


class CorrectiveActionSerializer(serializers.ModelSerializer[CorrectiveAction]):
    """An improvement-plan row, with where it came from and whether it is overdue."""

    owner_org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[var-annotated]
    origin = serializers.CharField(read_only=True)
    origin_url = serializers.CharField(read_only=True)
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "uuid",
            "exercise",
            "area",
            "code",
            "description",
            "element",
            "owner_org",
            "contact",
            "start",
            "due",
            "status",
            "completed_on",
            "notes",
            "origin",
            "origin_url",
            "days_overdue",
        ]
        read_only_fields = fields

    def get_days_overdue(self, obj: CorrectiveAction) -> int | None:
        """Days past due for open or in-progress actions (engine rule), else null."""
        flags: dict[int, int] = self.context.get("overdue", {})
        return flags.get(obj.pk)


class CorrectiveActionUpdateSerializer(serializers.Serializer[Any]):
    """Fields the owning organisation may change."""

    status = serializers.ChoiceField(choices=CorrectiveActionStatus.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    contact = serializers.CharField(required=False, max_length=200)
    start = serializers.DateField(required=False)
    due = serializers.DateField(required=False)
