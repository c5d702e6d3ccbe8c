"""Exercise endpoints: thin views over ``access`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from placeguard.web.common.api import actor_of
from placeguard.web.exercises import access, services
from placeguard.web.exercises.api.filters import (
    CorrectiveActionFilter,
    ExerciseFilter,
    InjectFilter,
)
from placeguard.web.exercises.api.serializers import (
    CorrectiveActionSerializer,
    CorrectiveActionUpdateSerializer,
    ExerciseCreateSerializer,
    ExerciseListSerializer,
    ExerciseSerializer,
    InjectSerializer,
)
from placeguard.web.exercises.models import CorrectiveAction, Exercise, Inject


class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Exercise],
):
    """Exercises you own, take part in, or whose site is in your jurisdiction.

    POST designs an exercise owned by your organisation and drafts its MSEL from the content
    templates of the chosen scenarios (and objectives from open corrective actions).
    """

    filterset_class = ExerciseFilter
    serializer_class = ExerciseSerializer

    def get_queryset(self) -> QuerySet[Exercise]:
        rows = access.visible_to(self.request.user).select_related("owner", "region")
        if self.action == "list":
            return rows.order_by("-created", "-id")
        return rows.prefetch_related("participants", "objectives")

    def get_serializer_class(self) -> type[BaseSerializer[Exercise]]:
        if self.action == "create":
            return ExerciseCreateSerializer
        if self.action == "list":
            return ExerciseListSerializer
        return ExerciseSerializer

    @extend_schema(request=ExerciseCreateSerializer, responses={201: ExerciseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ExerciseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = actor_of(request)
        exercise = services.create_exercise(serializer.validated_data, actor=actor)
        fresh = self.get_queryset().get(pk=exercise.pk)
        return Response(ExerciseSerializer(fresh).data, status=status.HTTP_201_CREATED)


class InjectViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Inject]
):
    """MSEL rows of the exercises you see (``?exercise=<id>``), with their conduct state."""

    filterset_class = InjectFilter
    serializer_class = InjectSerializer

    def get_queryset(self) -> QuerySet[Inject]:
        return access.injects_visible_to(self.request.user).order_by("exercise_id", "seq")


class CorrectiveActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[CorrectiveAction],
):
    """Corrective actions of exercises you see and those your organisation owns.

    PATCH (status, notes, contact, dates) by editors of the owning organisation or of the
    exercise owner; ``done`` stamps the completion date. ``days_overdue`` follows the engine
    rule (open or in progress, due before today).
    """

    filterset_class = CorrectiveActionFilter
    serializer_class = CorrectiveActionSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[CorrectiveAction]:
        return (
            access.actions_visible_to(self.request.user)
            .select_related("exercise", "area", "owner_org")
            .order_by("due", "id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context.setdefault("overdue", {})
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page if page is not None else [])
        context = {**self.get_serializer_context(), "overdue": services.overdue_flags(rows)}
        data = CorrectiveActionSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action = self.get_object()
        context = {"overdue": services.overdue_flags([action])}
        return Response(CorrectiveActionSerializer(action, context=context).data)

    @extend_schema(
        request=CorrectiveActionUpdateSerializer, responses={200: CorrectiveActionSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action = self.get_object()
        serializer = CorrectiveActionUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.update_corrective_action(
            action, serializer.validated_data, actor=actor_of(request)
        )
        fresh = self.get_queryset().get(pk=updated.pk)
        context = {"overdue": services.overdue_flags([fresh])}
        return Response(CorrectiveActionSerializer(fresh, context=context).data)
