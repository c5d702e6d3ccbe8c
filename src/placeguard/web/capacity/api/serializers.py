"""Capacity API shapes. Types are checked here; meaning is checked by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from placeguard.web.capacity.choices import RequestStatus
from placeguard.web.capacity.models import (
    ActionPlan,
    Course,
    Participant,
    PlanAction,
    PlanIndicator,
    PlanObjective,
    TrainingRequest,
)

ORIGIN = ["origin_label", "origin_url", "origin_ref"]


class TrainingRequestSerializer(serializers.ModelSerializer[TrainingRequest]):
    """A request with its workflow fields."""

    requesting_org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = TrainingRequest
        fields = [
            "id",
            "requesting_org",
            "title",
            "need",
            "target_audience",
            "scenarios",
            "site_types",
            "legal_basis",
            "preferred_start",
            "preferred_end",
            "status",
            "triage_note",
            "assessment",
            "plan_activities",
            "plan_partners",
            "budget",
            "currency",
            "delivered_on",
            "followup_due",
            "overdue",
            "evaluation_summary",
            "followup_completed_on",
            "followup_report",
            *ORIGIN,
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: TrainingRequest) -> bool:
        """Whether the six-month follow-up is overdue today."""
        return obj.is_overdue()


class TrainingRequestCreateSerializer(serializers.Serializer[Any]):
    """Input for a new request (the requesting organisation is the caller's)."""

    title = serializers.CharField(max_length=200)
    need = serializers.CharField()
    target_audience = serializers.CharField(required=False, allow_blank=True)
    scenarios = serializers.ListField(child=serializers.CharField(), required=False)
    site_types = serializers.ListField(child=serializers.CharField(), required=False)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    preferred_start = serializers.DateField(required=False, allow_null=True)
    preferred_end = serializers.DateField(required=False, allow_null=True)
    origin_label = serializers.CharField(required=False, allow_blank=True)
    origin_url = serializers.CharField(required=False, allow_blank=True)
    origin_ref = serializers.CharField(required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer[Any]):
    """A workflow move and what it records (docs/preparedness-method.md lists each step)."""

    to = serializers.ChoiceField(choices=RequestStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    assessment = serializers.CharField(required=False, allow_blank=True)
    activities = serializers.CharField(required=False, allow_blank=True)
    partners = serializers.CharField(required=False, allow_blank=True)
    budget = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(required=False, allow_blank=True)
    delivered_on = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    completed_on = serializers.CharField(required=False, allow_blank=True)
    report = serializers.CharField(required=False, allow_blank=True)


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
    """A participant (gender blank = not stated)."""

    class Meta:
        model = Participant
        fields = [
            "id",
            "name",
            "organisation",
            "role",
            "gender",
            "attended",
            "completed",
            "pre_score",
            "post_score",
            "satisfaction",
        ]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer[Course]):
    """A course in a list."""

    class Meta:
        model = Course
        fields = [
            "id",
            "request",
            "title",
            "topic",
            "sector",
            "location",
            "start",
            "end",
            "max_score",
        ]
        read_only_fields = fields


class CourseDetailSerializer(CourseSerializer):
    """A course with its participants and learning gain."""

    participants = ParticipantSerializer(many=True, read_only=True)
    gain = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "participants", "gain"]
        read_only_fields = fields

    def get_gain(self, obj: Course) -> dict[str, Any]:
        """Hake's normalised gain: cohort figures and one per participant id."""
        from placeguard.web.capacity.queries import course_gain

        g = course_gain(obj)
        return {
            "g_of_averages": g.g_of_averages,
            "average_of_gains": g.average_of_gains,
            "band": g.band,
            "n_complete": g.n_complete,
            "n_incomplete": g.n_incomplete,
            "n_excluded_at_ceiling": g.n_excluded_at_ceiling,
            "individual": dict(g.individual),
        }


class PlanIndicatorSerializer(serializers.ModelSerializer[PlanIndicator]):
    """An action's indicator."""

    class Meta:
        model = PlanIndicator
        fields = ["id", "definition", "unit", "baseline", "target", "frequency", "data_source"]
        read_only_fields = fields


class PlanActionSerializer(serializers.ModelSerializer[PlanAction]):
    """An action with its indicators."""

    indicators = PlanIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "title",
            "lead_agency",
            "supporting_agencies",
            "mandate_refs",
            "milestones",
            "end",
            "budget",
            "currency",
            "status",
            "indicators",
            *ORIGIN,
        ]
        read_only_fields = fields


class PlanObjectiveSerializer(serializers.ModelSerializer[PlanObjective]):
    """An objective with its actions."""

    actions = PlanActionSerializer(many=True, read_only=True)

    class Meta:
        model = PlanObjective
        fields = ["id", "title", "priority", "actions"]
        read_only_fields = fields


PLAN_FIELDS = [
    "id",
    "owner",
    "title",
    "purpose",
    "scope",
    "methodology",
    "problem_definition",
    "risk_assessment",
    "risk_management",
    "coordination",
    "related_strategies",
    "reporting_frequency",
    "created_at",
]


class ActionPlanSerializer(serializers.ModelSerializer[ActionPlan]):
    """A plan in a list (the strategy text only)."""

    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = ActionPlan
        fields = PLAN_FIELDS
        read_only_fields = fields


class ActionPlanDetailSerializer(ActionPlanSerializer):
    """A plan with its tree, the provisions without action and the GAO verdicts."""

    objectives = PlanObjectiveSerializer(many=True, read_only=True)
    crosswalk_gaps = serializers.SerializerMethodField()
    gao = serializers.SerializerMethodField()

    class Meta(ActionPlanSerializer.Meta):
        fields = [*PLAN_FIELDS, "objectives", "crosswalk_gaps", "gao"]
        read_only_fields = fields

    def _nap(self, obj: ActionPlan) -> Any:
        from placeguard.web.capacity.queries import plan_to_engine

        cache = self.context.setdefault("_nap", {})
        if obj.pk not in cache:
            cache[obj.pk] = plan_to_engine(obj, list(obj.objectives.all()))
        return cache[obj.pk]

    def get_crosswalk_gaps(self, obj: ActionPlan) -> list[str]:
        """Provision ids with no (non-cancelled) action."""
        from placeguard.web.capacity.queries import crosswalk

        return list(crosswalk(self._nap(obj)).gaps)

    def get_gao(self, obj: ActionPlan) -> list[dict[str, Any]]:
        """GAO's six characteristics: verdict and missing elements."""
        from placeguard.web.capacity.queries import gao

        return [
            {
                "characteristic": g.characteristic,
                "verdict": g.verdict,
                "missing": [{"element": e, "reason": r} for e, r in g.missing],
            }
            for g in gao(self._nap(obj))
        ]


class ActionPlanCreateSerializer(serializers.Serializer[Any]):
    """Input for a new plan (owned by the caller's authority)."""

    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField(required=False, allow_blank=True)
    scope = serializers.CharField(required=False, allow_blank=True)
    methodology = serializers.CharField(required=False, allow_blank=True)
    problem_definition = serializers.CharField(required=False, allow_blank=True)
    risk_assessment = serializers.CharField(required=False, allow_blank=True)
    risk_management = serializers.CharField(required=False, allow_blank=True)
    coordination = serializers.CharField(required=False, allow_blank=True)
    related_strategies = serializers.CharField(required=False, allow_blank=True)
    reporting_frequency = serializers.CharField(required=False, allow_blank=True)


class CourseCreateSerializer(serializers.Serializer[Any]):
    """Input for a new course under a planned request (programme office)."""

    request = serializers.IntegerField(help_text="Training request id.")
    title = serializers.CharField(max_length=200)
    topic = serializers.CharField(max_length=120)
    sector = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)
    max_score = serializers.FloatField(required=False, default=100.0)


class ParticipantCreateSerializer(serializers.Serializer[Any]):
    """Input for a participant (gender optional; blank = not stated)."""

    name = serializers.CharField(max_length=200)
    organisation = serializers.CharField(required=False, allow_blank=True)
    role = serializers.CharField(required=False, allow_blank=True)
    gender = serializers.CharField(required=False, allow_blank=True, default="")
    attended = serializers.BooleanField(required=False, default=True)
    completed = serializers.BooleanField(required=False, default=False)
    pre_score = serializers.FloatField(required=False, allow_null=True)
    post_score = serializers.FloatField(required=False, allow_null=True)
    satisfaction = serializers.FloatField(required=False, allow_null=True)


class ObjectiveCreateSerializer(serializers.Serializer[Any]):
    """Input for a new objective."""

    title = serializers.CharField(max_length=300)
    priority = serializers.IntegerField(required=False, allow_null=True)


class MilestoneSerializer(serializers.Serializer[Any]):
    """A milestone."""

    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    date = serializers.DateField()


class ActionCreateSerializer(serializers.Serializer[Any]):
    """Input for a new action (mandate_refs: provision ids of mandates.yaml)."""

    objective = serializers.IntegerField(help_text="Objective id (of this plan).")
    title = serializers.CharField(max_length=300)
    lead_agency = serializers.CharField(required=False, allow_blank=True)
    supporting_agencies = serializers.ListField(child=serializers.CharField(), required=False)
    mandate_refs = serializers.ListField(child=serializers.CharField(), required=False)
    milestones = MilestoneSerializer(many=True, required=False)
    end = serializers.DateField(required=False, allow_null=True)
    budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    currency = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)
    origin_label = serializers.CharField(required=False, allow_blank=True)
    origin_url = serializers.CharField(required=False, allow_blank=True)
    origin_ref = serializers.CharField(required=False, allow_blank=True)
