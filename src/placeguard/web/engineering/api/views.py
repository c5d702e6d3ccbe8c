"""Engineering endpoints: thin views over ``access`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from placeguard.web.common.api import actor_of
from placeguard.web.engineering import access, services
from placeguard.web.engineering.api.filters import StudyFilter
from placeguard.web.engineering.api.serializers import (
    RunStatusSerializer,
    StudyCreateSerializer,
    StudyListSerializer,
    StudySerializer,
)
from placeguard.web.engineering.models import EngineeringStudy


class EngineeringStudyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[EngineeringStudy],
):
    """Evacuation and vehicle-dynamics studies of the sites you see.

    POST validates the GeoJSON and parameters (every problem at once, nothing stored on a
    problem), stores the study ``queued`` and starts its run in the background: 202 with the
    study, whose ``run`` says where the run is; poll ``GET …/{id}/status/`` until
    ``finished``. Studies are immutable.
    """

    filterset_class = StudyFilter
    serializer_class = StudySerializer

    def get_queryset(self) -> QuerySet[EngineeringStudy]:
        rows = access.visible_to(self.request.user).select_related("created_by")
        if self.action == "list":
            return rows.defer("geojson", "result")
        return rows

    def get_serializer_class(self) -> type[BaseSerializer[EngineeringStudy]]:
        if self.action == "create":
            return StudyCreateSerializer
        if self.action == "list":
            return StudyListSerializer
        return StudySerializer

    @extend_schema(request=StudyCreateSerializer, responses={202: StudySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = StudyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = actor_of(request)
        site = services.get_site_for(actor, data["site"], for_edit=True)
        study = services.create_study(
            actor=actor,
            site=site,
            kind=data["kind"],
            name=data["name"],
            geojson=data["geojson"],
            parameters=data.get("parameters") or {},
        )
        fresh = services.get_study_for(actor, study.pk)
        return Response(StudySerializer(fresh).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: RunStatusSerializer})
    @action(detail=True, methods=["get"], url_path="status")
    def run_status(self, request: Request, pk: str | None = None) -> Response:
        """Where the study's background run is: status, progress 0–100, message, error."""
        return Response(services.run_status(self.get_object()))

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_study(self.get_object(), actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
