"""Capacity endpoints: thin views over ``access`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from placeguard.core.errors import NotFoundError
from placeguard.web.capacity import access, services
from placeguard.web.capacity.api.serializers import (
    ActionCreateSerializer,
    ActionPlanCreateSerializer,
    ActionPlanDetailSerializer,
    ActionPlanSerializer,
    CourseCreateSerializer,
    CourseDetailSerializer,
    CourseSerializer,
    ObjectiveCreateSerializer,
    ParticipantCreateSerializer,
    ParticipantSerializer,
    PlanActionSerializer,
    PlanObjectiveSerializer,
    TrainingRequestCreateSerializer,
    TrainingRequestSerializer,
    TransitionSerializer,
)
from placeguard.web.capacity.models import (
    ActionPlan,
    Course,
    PlanAction,
    PlanObjective,
    TrainingRequest,
)
from placeguard.web.common.api import actor_of


class TrainingRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[TrainingRequest],
):
    """Technical-assistance requests: the requesting organisation's and, for the programme
    office, all. POST creates one (editors of a vetted authority or police force);
    ``transition/`` moves one through the workflow."""

    serializer_class = TrainingRequestSerializer

    def get_queryset(self) -> QuerySet[TrainingRequest]:
        return access.visible_to(self.request.user).select_related("requesting_org")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return TrainingRequestCreateSerializer
        if self.action == "transition":
            return TransitionSerializer
        return TrainingRequestSerializer

    @extend_schema(
        request=TrainingRequestCreateSerializer, responses={201: TrainingRequestSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TrainingRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        req = services.submit_request(serializer.validated_data, actor=actor_of(request))
        return Response(TrainingRequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: TrainingRequestSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the request to ``to`` with what that step records."""
        req = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        to = data.pop("to")
        done = services.advance(req, actor=actor_of(request), to=to, raw=data)
        return Response(TrainingRequestSerializer(done).data)


class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Course],
):
    """Courses of the requests you see; the detail has participants and learning gains.
    The programme office adds courses (POST) and participants (``participants/``)."""

    serializer_class = CourseDetailSerializer

    def get_queryset(self) -> QuerySet[Course]:
        rows = access.courses_visible_to(self.request.user)
        if self.action == "list":
            return rows
        return rows.prefetch_related("participants")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return CourseCreateSerializer
        if self.action == "participants":
            return ParticipantCreateSerializer
        return CourseSerializer if self.action == "list" else CourseDetailSerializer

    @extend_schema(request=CourseCreateSerializer, responses={201: CourseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CourseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = actor_of(request)
        req = services.get_request_for(actor, data.pop("request"), manage=True)
        course = services.add_course(req, data, actor=actor)
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ParticipantCreateSerializer, responses={201: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, pk: str | None = None) -> Response:
        """Add a participant to the course."""
        course = self.get_object()
        serializer = ParticipantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.add_participant(
            course, serializer.validated_data, actor=actor_of(request)
        )
        return Response(ParticipantSerializer(person).data, status=status.HTTP_201_CREATED)


class ActionPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ActionPlan],
):
    """National action plans: the owning authority's, the programme office's view of all, and
    vetted police of the same country (read-only). The detail adds the crosswalk gaps and the
    GAO check."""

    serializer_class = ActionPlanDetailSerializer

    def get_queryset(self) -> QuerySet[ActionPlan]:
        rows = access.plans_visible_to(self.request.user).select_related("owner")
        if self.action == "list":
            return rows
        actions = PlanAction.objects.prefetch_related("indicators")
        return rows.prefetch_related(
            Prefetch(
                "objectives",
                queryset=PlanObjective.objects.prefetch_related(
                    Prefetch("actions", queryset=actions)
                ),
            )
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return ActionPlanCreateSerializer
        if self.action == "objectives":
            return ObjectiveCreateSerializer
        if self.action == "actions":
            return ActionCreateSerializer
        return ActionPlanSerializer if self.action == "list" else ActionPlanDetailSerializer

    @extend_schema(request=ActionPlanCreateSerializer, responses={201: ActionPlanSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ActionPlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.create_plan(serializer.validated_data, actor=actor_of(request))
        return Response(ActionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveCreateSerializer, responses={201: PlanObjectiveSerializer})
    @action(detail=True, methods=["post"])
    def objectives(self, request: Request, pk: str | None = None) -> Response:
        """Add an objective (owning authority)."""
        plan = self.get_object()
        serializer = ObjectiveCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = services.add_objective(plan, serializer.validated_data, actor=actor_of(request))
        return Response(PlanObjectiveSerializer(obj).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionCreateSerializer, responses={201: PlanActionSerializer})
    @action(detail=True, methods=["post"])
    def actions(self, request: Request, pk: str | None = None) -> Response:
        """Add an action under one of the plan's objectives (owning authority)."""
        plan = self.get_object()
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        objective = plan.objectives.filter(pk=data.pop("objective")).first()
        if objective is None:
            raise NotFoundError(_("Objective not found in this plan."))
        data["milestones"] = [
            {"label": m["label"], "date": m["date"].isoformat()} for m in data.get("milestones", [])
        ]
        item = services.add_action(objective, data, actor=actor_of(request))
        return Response(PlanActionSerializer(item).data, status=status.HTTP_201_CREATED)
