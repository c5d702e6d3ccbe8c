"""Assessment API shapes. Types are checked here; meaning is checked by the services.

Read shapes of computed documents (results, plans, comparisons, compliance) are declared field
by field so that the OpenAPI schema describes them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from placeguard.engines.risk.catalogue import TIERS
from placeguard.web.assessments import access, queries, scoring
from placeguard.web.assessments.choices import AcceptanceStatus, ActionStatus, RiskBand
from placeguard.web.assessments.models import ActionItem, Assessment, ReviewComment, RiskAcceptance
from placeguard.web.common.strict import StrictInputMixin
from placeguard.web.orgs.models import User
from placeguard.web.sites.choices import SiteType
from placeguard.web.sites.models import Site

#: Most budgets a Pareto curve may be computed over in one request (each is a full MILP solve).
MAX_PARETO_POINTS = 12

ANSWER_SCHEMA = {
    "oneOf": [
        {"type": "integer", "minimum": 0, "description": "Option index, 0 = worst."},
        {"type": "string", "enum": ["unknown", "n/a"]},
    ],
    "nullable": True,
}


@extend_schema_field(ANSWER_SCHEMA)
class AnswerField(serializers.JSONField):
    """One answer: an option index, ``"unknown"``, ``"n/a"`` or null (clear)."""


def _username() -> serializers.SlugRelatedField[User]:
    return serializers.SlugRelatedField(slug_field="username", read_only=True)


# ------------------------------------------------------------------ questions
class QuestionQuerySerializer(serializers.Serializer[Any]):
    """Query string of the question list."""

    site_type = serializers.ChoiceField(choices=SiteType.choices)
    tier = serializers.ChoiceField(choices=[(t, t) for t in TIERS], required=False)


class OptionSerializer(serializers.Serializer[Any]):
    """One graded answer."""

    index = serializers.IntegerField(help_text=_("0 is the worst option."))
    label = serializers.CharField()  # type: ignore[assignment]  # DRF pops declared fields


class QuestionSerializer(serializers.Serializer[Any]):
    """A question with its options, worst first."""

    id = serializers.CharField()
    category = serializers.CharField()
    tier = serializers.CharField()
    text = serializers.CharField()
    help = serializers.CharField()
    options = OptionSerializer(many=True)
    measures = serializers.ListField(child=serializers.CharField())
    scenarios = serializers.ListField(child=serializers.CharField())


# ------------------------------------------------------------------ engine results
class DriverSerializer(serializers.Serializer[Any]):
    """One answer (or gap) that drives a scenario's risk."""

    question = serializers.CharField()
    explanation = serializers.CharField()
    risk_reduction = serializers.FloatField()
    share = serializers.FloatField()
    unknown = serializers.BooleanField()


class LevelsSerializer(serializers.Serializer[Any]):
    """1–5 display levels."""

    T = serializers.IntegerField()
    V = serializers.IntegerField()
    C = serializers.IntegerField()
    likelihood = serializers.IntegerField()


class ScenarioResultSerializer(serializers.Serializer[Any]):
    """One scenario's threat, vulnerability, consequence and risk."""

    scenario = serializers.CharField()
    name = serializers.CharField()
    T = serializers.FloatField(help_text=_("Attempts per year."))
    V = serializers.FloatField(help_text=_("Probability an attempt succeeds."))
    C = serializers.FloatField(help_text=_("Expected casualties if it succeeds."))
    risk = serializers.FloatField(help_text=_("Expected casualties per year."))
    risk_interval = serializers.ListField(child=serializers.FloatField())
    levels = LevelsSerializer()
    matrix_cell = serializers.ListField(child=serializers.IntegerField())
    score = serializers.IntegerField(help_text=_("1–125."))
    band = serializers.ChoiceField(choices=RiskBand.choices)
    drivers = DriverSerializer(many=True)


class ResultSerializer(serializers.Serializer[Any]):
    """The engine's assessment of a site (docs/risk-method.md)."""

    site_type = serializers.CharField()
    people = serializers.IntegerField()
    threat_level = serializers.IntegerField()
    total_risk = serializers.FloatField()
    unknown_answers = serializers.ListField(child=serializers.CharField())
    planned_measures = serializers.ListField(child=serializers.CharField())
    scenarios = ScenarioResultSerializer(many=True)


class UnknownAnswerSerializer(serializers.Serializer[Any]):
    """A question answered "unknown" or not answered (a data gap, scored as worst)."""

    question_id = serializers.CharField()
    text = serializers.CharField()


class RequirementStatusSerializer(serializers.Serializer[Any]):
    """One requirement of a compliance overlay and whether the answers meet it."""

    requirement = serializers.CharField()
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=["met", "not met", "not applicable"])
    reason = serializers.CharField()


class OverlaySerializer(serializers.Serializer[Any]):
    """A compliance overlay (a law or an international plan) evaluated for the site."""

    overlay = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # DRF pops declared fields
    met = serializers.IntegerField()
    not_met = serializers.IntegerField()
    requirements = RequirementStatusSerializer(many=True)


class PermissionsSerializer(serializers.Serializer[Any]):
    """What the caller's role allows on this assessment's site (state rules apply on top)."""

    edit = serializers.BooleanField()
    review = serializers.BooleanField()
    manage_actions = serializers.BooleanField()
    accept_risk = serializers.BooleanField()


# ------------------------------------------------------------------ assessments
class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    """An assessment as listed."""

    url = serializers.HyperlinkedIdentityField(view_name="api:assessment-detail")
    site_name = serializers.CharField(source="site.name", read_only=True)
    site_type = serializers.CharField(source="site.site_type", read_only=True)
    created_by = _username()
    submitted_by = _username()
    reviewed_by = _username()

    class Meta:
        model = Assessment
        fields = [
            "id", "uuid", "url", "site", "site_name", "site_type", "status", "pack_version",
            "threat_level", "total_risk", "worst_band", "top_scenario", "created_by", "created",
            "updated", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by",
        ]  # fmt: skip
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    """An assessment with its answers, its result (stored, or live while being edited), its
    data gaps and the compliance overlays."""

    answers = serializers.DictField(child=AnswerField(), read_only=True)
    result = serializers.SerializerMethodField()
    result_is_live = serializers.SerializerMethodField()
    unknown_answers = serializers.SerializerMethodField()
    compliance = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [
            *AssessmentSerializer.Meta.fields, "symbolic", "threatened", "impact",
            "prefilled_from", "answers", "result", "result_is_live", "unknown_answers",
            "compliance", "permissions",
        ]  # fmt: skip
        read_only_fields = fields

    def _evaluated(self, obj: Assessment) -> tuple[dict[str, Any], bool]:
        cache: dict[int, tuple[dict[str, Any], bool]] = self.context.setdefault("_results", {})
        if obj.pk not in cache:
            cache[obj.pk] = scoring.result_for(obj)
        return cache[obj.pk]

    @extend_schema_field(ResultSerializer)
    def get_result(self, obj: Assessment) -> dict[str, Any]:
        """The engine result."""
        return self._evaluated(obj)[0]

    def get_result_is_live(self, obj: Assessment) -> bool:
        """True when the result was computed for this response (draft or returned)."""
        return self._evaluated(obj)[1]

    @extend_schema_field(UnknownAnswerSerializer(many=True))
    def get_unknown_answers(self, obj: Assessment) -> list[dict[str, str]]:
        """Questions still unknown or unanswered."""
        pack = scoring.current_pack()
        ids = self._evaluated(obj)[0].get("unknown_answers", [])
        return [
            {"question_id": q, "text": pack.question(q).text if q in pack.question_index else q}
            for q in ids
        ]

    @extend_schema_field(OverlaySerializer(many=True))
    def get_compliance(self, obj: Assessment) -> list[dict[str, Any]]:
        """Compliance overlay statuses for the site type, people and answers."""
        result = self._evaluated(obj)[0]
        return scoring.compliance(str(result["site_type"]), int(result["people"]), obj.answers)

    @extend_schema_field(PermissionsSerializer)
    def get_permissions(self, obj: Assessment) -> dict[str, bool]:
        """The caller's capabilities on this site."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not isinstance(user, User):
            return dict.fromkeys(("edit", "review", "manage_actions", "accept_risk"), False)
        site = obj.site
        return {
            "edit": access.can_edit_answers(user, site),
            "review": access.can_review(user, site),
            "manage_actions": access.can_manage_actions(user, site),
            "accept_risk": access.can_accept_risk(user, site),
        }


class AssessmentCreateSerializer(StrictInputMixin, serializers.Serializer[Assessment]):
    """Start an assessment of a site."""

    site = serializers.IntegerField(help_text=_("Site id."))
    threat_level = serializers.IntegerField(default=3, help_text=_("National threat level 1–5."))


class ContextSerializer(StrictInputMixin, serializers.Serializer[Assessment]):
    """The assessor's context; every field is optional."""

    threat_level = serializers.IntegerField(required=False, help_text=_("1 (low) to 5."))
    symbolic = serializers.FloatField(required=False, help_text=_("0 to 2."))
    threatened = serializers.BooleanField(required=False)
    impact = serializers.FloatField(required=False, help_text=_("1 to 2."))


class AnswersSerializer(StrictInputMixin, serializers.Serializer[Assessment]):
    """Answers to merge: question id → option index, "unknown", "n/a" or null (clear)."""

    answers = serializers.DictField(child=AnswerField(allow_null=True))


class ApproveSerializer(StrictInputMixin, serializers.Serializer[Assessment]):
    """Approve, with an optional comment."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(StrictInputMixin, serializers.Serializer[Assessment]):
    """Return for changes: the comment says what to change."""

    comment = serializers.CharField(allow_blank=True)
    question_id = serializers.CharField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.ModelSerializer[ReviewComment]):
    """A review comment as read."""

    author = _username()

    class Meta:
        model = ReviewComment
        fields = ["id", "assessment", "author", "text", "question_id", "created"]
        read_only_fields = fields


class CommentCreateSerializer(StrictInputMixin, serializers.Serializer[ReviewComment]):
    """A new review comment."""

    text = serializers.CharField(allow_blank=True)
    question_id = serializers.CharField(required=False, allow_blank=True, default="")


# ------------------------------------------------------------------ plans
class PlanQuerySerializer(serializers.Serializer[Any]):
    """Budgets of a plan (pack currency)."""

    budget = serializers.FloatField(min_value=0, help_text=_("One-off (capital) budget."))
    opex = serializers.FloatField(
        min_value=0, required=False, help_text=_("Yearly running-cost budget.")
    )
    openness = serializers.FloatField(
        min_value=0, required=False, help_text=_("Most openness impact allowed (sum, 0–3 each).")
    )
    pareto = serializers.IntegerField(
        min_value=0,
        max_value=MAX_PARETO_POINTS,
        default=0,
        help_text=_("Also compute the risk/capital curve over this many budgets."),
    )


class PlanBudgetSerializer(serializers.Serializer[Any]):
    """The limits the plan was solved for (null: no limit)."""

    capex = serializers.FloatField()
    opex = serializers.FloatField(allow_null=True)
    openness = serializers.FloatField(allow_null=True)


class PlanTotalSerializer(serializers.Serializer[Any]):
    """What the chosen measures cost in total."""

    capex = serializers.FloatField()
    opex = serializers.FloatField()
    openness = serializers.FloatField()


class PlannedMeasureSerializer(serializers.Serializer[Any]):
    """One chosen measure with the cost of bringing it to full quality."""

    id = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    capex = serializers.FloatField()
    opex = serializers.FloatField()
    openness = serializers.IntegerField()


class ResidualSerializer(serializers.Serializer[Any]):
    """One scenario's risk before and after the plan."""

    scenario = serializers.CharField()
    name = serializers.CharField()
    before = serializers.FloatField()
    after = serializers.FloatField()


class ParetoPointSerializer(serializers.Serializer[Any]):
    """One point of the risk/capital curve."""

    budget = serializers.FloatField()
    capex = serializers.FloatField()
    risk = serializers.FloatField()
    chosen = serializers.ListField(child=serializers.CharField())


class PlanSerializer(serializers.Serializer[Any]):
    """A budget-optimal protection plan for an assessment."""

    assessment = serializers.IntegerField()
    pack_version = serializers.CharField()
    currency = serializers.CharField()
    budget = PlanBudgetSerializer()
    candidates = serializers.IntegerField()
    chosen = PlannedMeasureSerializer(many=True)
    total = PlanTotalSerializer()
    risk_before = serializers.FloatField()
    risk_after = serializers.FloatField()
    reduction = serializers.FloatField()
    residual_by_scenario = ResidualSerializer(many=True)
    pareto = ParetoPointSerializer(many=True)
    status = serializers.CharField()


# ------------------------------------------------------------------ comparison
class AnswerChangeSerializer(serializers.Serializer[queries.AnswerChange]):
    """One question answered differently."""

    question_id = serializers.CharField()
    text = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
    old_value = AnswerField()
    new_value = AnswerField()


class ScenarioChangeSerializer(serializers.Serializer[queries.ScenarioChange]):
    """How one scenario's risk and score moved."""

    scenario = serializers.CharField()
    name = serializers.CharField()
    old_risk = serializers.FloatField(allow_null=True)
    new_risk = serializers.FloatField(allow_null=True)
    risk_change = serializers.FloatField(allow_null=True)
    old_score = serializers.IntegerField(allow_null=True)
    new_score = serializers.IntegerField(allow_null=True)
    old_band = serializers.CharField()
    new_band = serializers.CharField()


class DiffSerializer(serializers.Serializer[queries.AssessmentDiff]):
    """What changed from the older assessment to the newer one."""

    old = serializers.IntegerField()
    new = serializers.IntegerField()
    old_total = serializers.FloatField()
    new_total = serializers.FloatField()
    answers = AnswerChangeSerializer(many=True)
    scenarios = ScenarioChangeSerializer(many=True)


# ------------------------------------------------------------------ action items
class ActionItemSerializer(serializers.ModelSerializer[ActionItem]):
    """An action item as read; costs are decimal strings in ``currency``."""

    url = serializers.HyperlinkedIdentityField(view_name="api:action-item-detail")
    site_name = serializers.CharField(source="site.name", read_only=True)
    owner_username = serializers.CharField(
        source="owner.username", read_only=True, allow_null=True, default=None
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id", "url", "assessment", "site", "site_name", "measure_id", "title", "owner",
            "owner_username", "owner_name", "due_date", "status", "is_overdue", "capex", "opex",
            "currency", "notes", "created", "updated",
        ]  # fmt: skip
        read_only_fields = fields


class ActionItemsCreateSerializer(StrictInputMixin, serializers.Serializer[ActionItem]):
    """Measures of the plan to turn into action items."""

    measure_ids = serializers.ListField(child=serializers.CharField(max_length=64))
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class ActionItemUpdateSerializer(StrictInputMixin, serializers.Serializer[ActionItem]):
    """Changes to an action item; every field is optional."""

    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    owner = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("User id of a member of the operator.")
    )
    owner_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)


# ------------------------------------------------------------------ risk acceptances
class RiskAcceptanceSerializer(serializers.ModelSerializer[RiskAcceptance]):
    """A risk acceptance as read; ``status`` is as of today."""

    url = serializers.HyperlinkedIdentityField(view_name="api:risk-acceptance-detail")
    site = serializers.IntegerField(source="assessment.site_id", read_only=True)
    site_name = serializers.CharField(source="assessment.site.name", read_only=True)
    scenario_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        source="current_status", choices=AcceptanceStatus.choices, read_only=True
    )
    accepted_by = _username()
    revoked_by = _username()

    class Meta:
        model = RiskAcceptance
        fields = [
            "id", "url", "assessment", "site", "site_name", "scenario", "scenario_name",
            "rationale", "accepted_by", "accepted_at", "expires_on", "status", "revoked_at",
            "revoked_by",
        ]  # fmt: skip
        read_only_fields = fields

    def get_scenario_name(self, obj: RiskAcceptance) -> str:
        """The scenario's name in the pack."""
        pack = scoring.current_pack()
        return pack.scenario(obj.scenario).name if obj.scenario in pack.scenario_ids else ""


class RiskAcceptanceCreateSerializer(StrictInputMixin, serializers.Serializer[RiskAcceptance]):
    """Accept one scenario's residual risk until a date."""

    assessment = serializers.IntegerField()
    scenario = serializers.CharField(max_length=32)
    rationale = serializers.CharField(allow_blank=True)
    expires_on = serializers.DateField()


class RevokeSerializer(StrictInputMixin, serializers.Serializer[RiskAcceptance]):
    """Revoke an acceptance, optionally saying why."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


# ------------------------------------------------------------------ portfolio
class PortfolioQuerySerializer(serializers.Serializer[Any]):
    """Query string of the portfolio (repeat a key for several values)."""

    site_type = serializers.ListField(
        child=serializers.ChoiceField(choices=SiteType.choices), required=False
    )
    region = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, help_text=_("Region codes.")
    )
    band = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskBand.choices), required=False
    )
    assessed = serializers.BooleanField(required=False, allow_null=True, default=None)
    order = serializers.ChoiceField(
        choices=[(o, o) for o in queries.PORTFOLIO_ORDERS], default="-risk"
    )


class PortfolioRowSerializer(serializers.ModelSerializer[Site]):
    """A site with its reference assessment (latest approved, else latest submitted)."""

    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    operator = serializers.CharField(source="operator.slug", read_only=True)
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    rank = serializers.IntegerField(read_only=True)
    assessment = serializers.IntegerField(source="assessment_id", read_only=True, allow_null=True)
    assessment_status = serializers.CharField(read_only=True, allow_null=True)
    total_risk = serializers.FloatField(read_only=True, allow_null=True)
    worst_band = serializers.CharField(read_only=True, allow_null=True)
    top_scenario = serializers.CharField(read_only=True, allow_null=True)
    top_scenario_name = serializers.SerializerMethodField()
    assessed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Site
        fields = [
            "id", "name", "site_type", "region", "region_name", "operator", "operator_name",
            "capacity", "rank", "assessment", "assessment_status", "total_risk", "worst_band",
            "top_scenario", "top_scenario_name", "assessed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_top_scenario_name(self, obj: Site) -> str:
        """The top scenario's name in the pack ('' when not assessed)."""
        pack = scoring.current_pack()
        top = getattr(obj, "top_scenario", "") or ""
        return pack.scenario(top).name if top in pack.scenario_ids else ""
