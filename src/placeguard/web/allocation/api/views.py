"""Allocation endpoints: thin views over ``queries`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from placeguard.web.allocation import access, exporting, queries, services
from placeguard.web.allocation.api.filters import (
    PatrolPlanFilter,
    PatrolTeamFilter,
    ResponseStationFilter,
)
from placeguard.web.allocation.api.serializers import (
    CoverageResultSerializer,
    CoverageRunSerializer,
    PatrolPlanListSerializer,
    PatrolPlanRunSerializer,
    PatrolPlanSerializer,
    PatrolTeamSerializer,
    PatrolTeamWriteSerializer,
    ResponseStationSerializer,
    ResponseStationWriteSerializer,
    ScheduleQuerySerializer,
)
from placeguard.web.allocation.choices import ScheduleFile
from placeguard.web.allocation.models import PatrolPlan, PatrolTeam, ResponseStation
from placeguard.web.common.api import actor_of


class PatrolTeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[PatrolTeam],
):
    """Your force's patrol teams. DELETE deactivates (plans keep referring to the team)."""

    filterset_class = PatrolTeamFilter
    serializer_class = PatrolTeamSerializer

    def get_queryset(self) -> QuerySet[PatrolTeam]:
        return queries.team_list(self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer[PatrolTeam]]:
        if self.action in {"create", "update", "partial_update"}:
            return PatrolTeamWriteSerializer
        return PatrolTeamSerializer

    def _read(self, team: PatrolTeam, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=team.pk)
        return Response(PatrolTeamSerializer(fresh).data, status=code)

    @extend_schema(request=PatrolTeamWriteSerializer, responses={201: PatrolTeamSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PatrolTeamWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = services.create_team(serializer.validated_data, actor=actor_of(request))
        return self._read(team, status.HTTP_201_CREATED)

    @extend_schema(request=PatrolTeamWriteSerializer, responses={200: PatrolTeamSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = self.get_object()  # 404 before 403: outsiders learn nothing
        serializer = PatrolTeamWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        team = services.update_team(team, serializer.validated_data, actor=actor_of(request))
        return self._read(team)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.deactivate_team(self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResponseStationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ResponseStation],
):
    """Your force's response stations. DELETE deactivates."""

    filterset_class = ResponseStationFilter
    serializer_class = ResponseStationSerializer

    def get_queryset(self) -> QuerySet[ResponseStation]:
        return queries.station_list(self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer[ResponseStation]]:
        if self.action in {"create", "update", "partial_update"}:
            return ResponseStationWriteSerializer
        return ResponseStationSerializer

    def _read(self, station: ResponseStation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=station.pk)
        return Response(ResponseStationSerializer(fresh).data, status=code)

    @extend_schema(
        request=ResponseStationWriteSerializer, responses={201: ResponseStationSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ResponseStationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        station = services.create_station(serializer.validated_data, actor=actor_of(request))
        return self._read(station, status.HTTP_201_CREATED)

    @extend_schema(
        request=ResponseStationWriteSerializer, responses={200: ResponseStationSerializer}
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        station = self.get_object()
        serializer = ResponseStationWriteSerializer(
            data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        station = services.update_station(
            station, serializer.validated_data, actor=actor_of(request)
        )
        return self._read(station)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.deactivate_station(self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PatrolPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[PatrolPlan],
):
    """Your force's patrol plans. POST solves and stores a new plan (plans are immutable)."""

    filterset_class = PatrolPlanFilter
    serializer_class = PatrolPlanSerializer

    def get_queryset(self) -> QuerySet[PatrolPlan]:
        if self.action == "list":
            return queries.plan_list(self.request.user)
        return access.visible_to(self.request.user).select_related("created_by")

    def get_serializer_class(self) -> type[BaseSerializer[PatrolPlan]]:
        if self.action == "create":
            return PatrolPlanRunSerializer
        if self.action == "list":
            return PatrolPlanListSerializer
        return PatrolPlanSerializer

    @extend_schema(request=PatrolPlanRunSerializer, responses={201: PatrolPlanSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PatrolPlanRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.run_patrol_plan(serializer.validated_data, actor=actor_of(request))
        fresh = services.get_plan_for(actor_of(request), plan.pk)
        return Response(PatrolPlanSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ScheduleQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV schedule"),
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar"),
        },
    )
    @action(detail=True, methods=["get"])
    def schedule(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The plan's schedule as CSV (``?file=csv``) or iCalendar (``?file=ics``)."""
        plan = self.get_object()
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["file"] == ScheduleFile.ICS:
            response = HttpResponse(
                exporting.schedule_ics(plan), content_type="text/calendar; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="patrol-plan-{plan.pk}.ics"'
        else:
            response = HttpResponse(
                exporting.schedule_csv(plan), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="patrol-plan-{plan.pk}.csv"'
        return response


class CoverageView(APIView):
    """Response coverage of your force's sites from its stations (computed, not stored)."""

    @extend_schema(request=CoverageRunSerializer, responses={200: CoverageResultSerializer})
    def post(self, request: Request) -> Response:
        serializer = CoverageRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.run_coverage(
            actor=actor_of(request),
            standard_seconds=data["standard_seconds"],
            units=data.get("units", 0),
            regions=data.get("regions", []),
        )
        return Response(result)
