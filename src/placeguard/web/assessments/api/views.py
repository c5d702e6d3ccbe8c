"""Assessment endpoints: thin views over ``queries`` (reads) and ``services`` (writes).

Every object is looked up through its visibility function first, so an outsider gets 404
before any capability check can answer 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from placeguard.web.assessments import queries, services
from placeguard.web.assessments.api.filters import (
    ActionItemFilter,
    AssessmentFilter,
    RiskAcceptanceFilter,
)
from placeguard.web.assessments.api.serializers import (
    ActionItemsCreateSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    AnswersSerializer,
    ApproveSerializer,
    AssessmentCreateSerializer,
    AssessmentDetailSerializer,
    AssessmentSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    ContextSerializer,
    DiffSerializer,
    PlanQuerySerializer,
    PlanSerializer,
    PortfolioQuerySerializer,
    PortfolioRowSerializer,
    QuestionQuerySerializer,
    QuestionSerializer,
    ReturnSerializer,
    RevokeSerializer,
    RiskAcceptanceCreateSerializer,
    RiskAcceptanceSerializer,
)
from placeguard.web.assessments.models import ActionItem, Assessment, RiskAcceptance
from placeguard.web.common.api import actor_of
from placeguard.web.orgs.models import User
from placeguard.web.sites.models import Site
from placeguard.web.sites.services import get_site_for


class RiskQuestionsView(APIView):
    """The questions asked for a site type, options from worst to best."""

    @extend_schema(parameters=[QuestionQuerySerializer], responses=QuestionSerializer(many=True))
    def get(self, request: Request) -> Response:
        """List the questions of the risk content pack that apply to ``site_type``."""
        query = QuestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = queries.questions_for(
            query.validated_data["site_type"], query.validated_data.get("tier")
        )
        return Response(QuestionSerializer(rows, many=True).data)


class AssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Assessment],
):
    """Assessments of the sites the caller sees: start, answer, submit, review, plan, compare."""

    filterset_class = AssessmentFilter
    serializer_class = AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        return queries.assessment_list(self.request.user).order_by("-created", "-id")

    def get_serializer_class(self) -> type[BaseSerializer[Assessment]]:
        if self.action == "list":
            return AssessmentSerializer
        return AssessmentDetailSerializer

    def get_object(self) -> Assessment:
        return queries.get_assessment_for(self.request.user, self.kwargs["pk"])

    def _detail(self, assessment: Assessment, code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.get_assessment_for(self.request.user, assessment.pk)
        data = AssessmentDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentDetailSerializer})
    def create(self, request: Request) -> Response:
        """Start an assessment of a site (pre-filled from its last approved one)."""
        body = AssessmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        site: Site = get_site_for(actor_of(request), body.validated_data["site"])
        assessment = services.start_assessment(
            site, actor=actor_of(request), threat_level=body.validated_data["threat_level"]
        )
        return self._detail(assessment, status.HTTP_201_CREATED)

    @extend_schema(request=ContextSerializer, responses=AssessmentDetailSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the threat level or the site context of a draft or returned assessment."""
        assessment = self.get_object()
        body = ContextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.update_context(assessment, actor=actor_of(request), **body.validated_data)
        return self._detail(assessment)

    @extend_schema(request=AnswersSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["patch"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """Merge answers (null clears one); every bad answer is listed and nothing is saved."""
        assessment = self.get_object()
        body = AnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.save_answers(assessment, body.validated_data["answers"], actor=actor_of(request))
        return self._detail(assessment)

    @extend_schema(request=None, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Score the assessment and submit it for review."""
        assessment = services.submit(self.get_object(), actor=actor_of(request))
        return self._detail(assessment)

    @extend_schema(request=ApproveSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a submitted assessment (reviewers; not the submitter)."""
        assessment = self.get_object()
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.approve(assessment, actor=actor_of(request), **body.validated_data)
        return self._detail(assessment)

    @extend_schema(request=ReturnSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_changes(self, request: Request, pk: str | None = None) -> Response:
        """Return a submitted assessment to its editors with a comment."""
        assessment = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.return_for_changes(assessment, actor=actor_of(request), **body.validated_data)
        return self._detail(assessment)

    @extend_schema(methods=["GET"], request=None, responses=CommentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=CommentCreateSerializer, responses={201: CommentSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """Review comments, oldest first; reviewers add them."""
        assessment = self.get_object()
        if request.method == "POST":
            body = CommentCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            comment = services.add_comment(
                assessment, actor=actor_of(request), **body.validated_data
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        rows = queries.comment_list(assessment)
        return Response(CommentSerializer(rows, many=True).data)

    @extend_schema(parameters=[PlanQuerySerializer], responses=PlanSerializer)
    @action(detail=True, methods=["get"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """The budget-optimal protection plan (exact MILP) and, optionally, its Pareto curve."""
        assessment = self.get_object()
        query = PlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        body = queries.plan(
            assessment,
            capex_budget=params["budget"],
            opex_budget=params.get("opex"),
            openness_limit=params.get("openness"),
            pareto_points=params["pareto"],
        )
        return Response(PlanSerializer(body).data)

    @extend_schema(
        request=ActionItemsCreateSerializer, responses={201: ActionItemSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="action-items", url_name="action-items")
    def action_items(self, request: Request, pk: str | None = None) -> Response:
        """Turn measures of the plan into action items (operator side)."""
        assessment = self.get_object()
        body = ActionItemsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = services.create_action_items(
            assessment,
            body.validated_data["measure_ids"],
            actor=actor_of(request),
            due_date=body.validated_data["due_date"],
        )
        fresh = queries.action_item_list(request.user).filter(pk__in=[i.pk for i in items])
        data = ActionItemSerializer(
            fresh.order_by("id"), many=True, context=self.get_serializer_context()
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=DiffSerializer,
        parameters=[OpenApiParameter("other_id", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["get"], url_path=r"diff/(?P<other_id>[0-9]+)")
    def diff(self, request: Request, pk: str | None = None, other_id: str = "") -> Response:
        """Compare with another assessment of the same site (older → newer)."""
        this = self.get_object()
        other = queries.get_assessment_for(request.user, other_id)
        old, new = sorted([this, other], key=lambda a: (a.created, a.pk))
        return Response(DiffSerializer(queries.diff_assessments(old, new)).data)


class ActionItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ActionItem],
):
    """Action items of the visible sites; the operator's editors update them."""

    filterset_class = ActionItemFilter
    serializer_class = ActionItemSerializer

    def get_queryset(self) -> QuerySet[ActionItem]:
        return queries.action_item_list(self.request.user).order_by("due_date", "id")

    def get_object(self) -> ActionItem:
        return queries.get_action_item_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ActionItemUpdateSerializer, responses=ActionItemSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change status, owner, owner name, due date or notes."""
        item = self.get_object()
        body = ActionItemUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.update_action_item(item, body.validated_data, actor=actor_of(request))
        fresh = self.get_object()
        return Response(ActionItemSerializer(fresh, context=self.get_serializer_context()).data)


class RiskAcceptanceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[RiskAcceptance],
):
    """Signed-off acceptances of scenario risks, with their expiry."""

    filterset_class = RiskAcceptanceFilter
    serializer_class = RiskAcceptanceSerializer

    def get_queryset(self) -> QuerySet[RiskAcceptance]:
        return queries.acceptance_list(self.request.user).order_by("-accepted_at", "-id")

    def get_object(self) -> RiskAcceptance:
        return queries.get_acceptance_for(self.request.user, self.kwargs["pk"])

    def _read(self, acceptance: RiskAcceptance, code: int = status.HTTP_200_OK) -> Response:
        fresh = queries.get_acceptance_for(self.request.user, acceptance.pk)
        data = RiskAcceptanceSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(
        request=RiskAcceptanceCreateSerializer, responses={201: RiskAcceptanceSerializer}
    )
    def create(self, request: Request) -> Response:
        """Accept one scenario's residual risk until a future date (operator sign-off)."""
        body = RiskAcceptanceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields: dict[str, Any] = dict(body.validated_data)
        assessment = queries.get_assessment_for(request.user, fields.pop("assessment"))
        acceptance = services.accept_risk(
            assessment, fields.pop("scenario"), actor=actor_of(request), **fields
        )
        return self._read(acceptance, status.HTTP_201_CREATED)

    @extend_schema(request=RevokeSerializer, responses=RiskAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw an active acceptance."""
        acceptance = self.get_object()
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.revoke_acceptance(acceptance, actor=actor_of(request), **body.validated_data)
        return self._read(acceptance)


class PortfolioView(generics.ListAPIView[Site]):
    """Visible sites ranked by the total risk of their reference assessment."""

    serializer_class = PortfolioRowSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Site]:
        params = self.request.query_params
        query = PortfolioQuerySerializer(
            data={
                **{k: params.getlist(k) for k in ("site_type", "region", "band") if k in params},
                **{k: params[k] for k in ("assessed", "order") if k in params},
            }
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = queries.PortfolioFilters(
            site_types=tuple(data.get("site_type", ())),
            regions=tuple(data.get("region", ())),
            bands=tuple(data.get("band", ())),
            assessed=data.get("assessed"),
            order=data["order"],
        )
        return queries.portfolio(self.request.user, filters)

    @extend_schema(parameters=[PortfolioQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Authorities and police see the sites of their jurisdiction; operators their own."""
        return super().get(request, *args, **kwargs)


class AllocationRequestSerializer(serializers.Serializer[Any]):
    """A national grant budget and optional filters on the sites."""

    budget = serializers.FloatField(min_value=0, help_text="One-off budget, pack currency.")
    site_type = serializers.ListField(child=serializers.CharField(), required=False)
    region = serializers.ListField(child=serializers.CharField(), required=False)


class AllocationView(APIView):
    """Which measures to fund at which assessed sites, within one national budget."""

    @extend_schema(request=AllocationRequestSerializer, responses={200: dict[str, Any]})
    def post(self, request: Request) -> Response:
        """Optimal over each site's greedy plan sequence; the MILP and LP gaps are returned."""
        from dataclasses import asdict

        from placeguard.web.assessments.allocation import allocate_grant

        body = AllocationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        filters = queries.PortfolioFilters(
            site_types=tuple(data.get("site_type", ())), regions=tuple(data.get("region", ()))
        )
        user = request.user
        assert isinstance(user, User)
        result = allocate_grant(user, budget=data["budget"], filters=filters)
        return Response(asdict(result))
