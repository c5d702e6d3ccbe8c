"""Intelligence endpoints: dataset metadata, upload (202) and the trend report (aggregates).

There is deliberately no endpoint returning incident rows: the licences of GTD, ACLED and
RDWTI forbid redistribution.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from placeguard.core.errors import PermissionDeniedError
from placeguard.web.common.api import actor_of
from placeguard.web.intel import access, services
from placeguard.web.intel.api.serializers import (
    DatasetCreateSerializer,
    DatasetSerializer,
    TrendsQuerySerializer,
)
from placeguard.web.intel.models import Dataset


class IntelDatasetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Dataset],
):
    """Incident datasets of your organisation (metadata only).

    POST (multipart: ``name``, ``source``, ``file``, ``mapping`` for csv) stores the dataset
    ``queued`` and imports it in the background: 202; poll the detail until ``status`` is
    ``done`` or ``failed`` (``problems`` then lists file, row, column, problem). ``trends``
    returns the JSON ``placeguard intel trends`` prints — aggregates with their attribution.
    Analysis and upload need the ANALYST role in a law-enforcement or authority organisation.
    DELETE removes the dataset and its stored incidents (204); 409 while its import runs or
    while it is the active threat source of site assessments somewhere.
    """

    serializer_class = DatasetSerializer

    def get_queryset(self) -> QuerySet[Dataset]:
        return access.visible_to(self.request.user).select_related("owner", "created_by")

    def get_serializer_class(self) -> type[BaseSerializer[Dataset]]:
        if self.action == "create":
            return DatasetCreateSerializer
        return DatasetSerializer

    @extend_schema(request={"multipart/form-data": DatasetCreateSerializer},
                   responses={202: DatasetSerializer})  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_of(request)
        serializer = DatasetCreateSerializer(data=request.data)
        if not access.can_analyse(actor):
            raise PermissionDeniedError(_("Only analysts of law enforcement or authorities may "
                                          "import incident datasets."))  # fmt: skip
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dataset = services.create_dataset(
            actor=actor,
            name=data["name"],
            source=data["source"],
            file_name=data["file"].name,
            data=data["file"],
            mapping_text=data.get("mapping") or "",
        )
        fresh = services.get_dataset_for(actor, dataset.pk)
        return Response(DatasetSerializer(fresh).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_of(request)
        dataset = services.get_dataset_for(actor, kwargs.get("pk", ""))
        services.delete_dataset(dataset, actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[TrendsQuerySerializer],
        responses={200: OpenApiResponse(description="The trend report document.")},
    )
    @action(detail=True, methods=["get"], url_path="trends")
    def trends(self, request: Request, pk: str | None = None) -> Response:
        """Per group: yearly attacks and deaths, rate ratios (with and without break terms)
        with CIs, lethality before/after the split year with CIs (aggregates only)."""
        dataset = services.get_dataset_for(actor_of(request), pk or "", analyse=True)
        query = TrendsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        years = None
        if "first_year" in q or "last_year" in q:
            years = (q.get("first_year", 1900), q.get("last_year", 2100))
        doc = services.trend_report(dataset, services.ReportQuery(
            by=q["by"], category=q.get("category"), scenario=q.get("scenario"),
            region=q.get("region"), urban=q.get("urban"), years=years,
            split_year=q.get("split_year"), breaks=q.get("breaks"),
        ))  # fmt: skip
        return Response(doc)
