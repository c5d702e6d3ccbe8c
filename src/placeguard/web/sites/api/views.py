"""Site endpoints: thin views over ``queries`` (reads) and ``services`` (writes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from placeguard.core.errors import PermissionDeniedError
from placeguard.web.orgs.models import User
from placeguard.web.sites import services
from placeguard.web.sites.access import can_edit
from placeguard.web.sites.api.filters import SiteFilter
from placeguard.web.sites.api.serializers import (
    ArchiveSerializer,
    SiteSerializer,
    SiteWriteSerializer,
)
from placeguard.web.sites.models import Site
from placeguard.web.sites.queries import site_list


class SiteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Site],
):
    """Sites visible to the caller. Others' sites answer 404, whether they exist or not."""

    filterset_class = SiteFilter
    serializer_class = SiteSerializer

    def get_queryset(self) -> QuerySet[Site]:
        return site_list(self.request.user).order_by("name", "id")

    def get_serializer_class(self) -> type[BaseSerializer[Site]]:
        if self.action in {"create", "update", "partial_update"}:
            return SiteWriteSerializer
        if self.action == "archive":
            return ArchiveSerializer
        return SiteSerializer

    def _user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def _require_editor(self) -> None:
        if not can_edit(self._user()):
            msg = "Your role does not allow editing sites."
            raise PermissionDeniedError(msg)

    def _read(self, site: Site, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=site.pk)
        return Response(
            SiteSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=SiteWriteSerializer, responses={201: SiteSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_editor()
        serializer = SiteWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        site = services.create_site(serializer.validated_data, actor=self._user())
        return self._read(site, status.HTTP_201_CREATED)

    @extend_schema(request=SiteWriteSerializer, responses={200: SiteSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        site = self.get_object()  # 404 before 403: outsiders learn nothing
        self._require_editor()
        partial = kwargs.get("partial", False)
        serializer = SiteWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        site = services.update_site(site, serializer.validated_data, actor=self._user())
        return self._read(site)

    @extend_schema(request=ArchiveSerializer, responses={200: SiteSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive or restore a site."""
        site = self.get_object()
        self._require_editor()
        serializer = ArchiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        site = services.archive_site(
            site, actor=self._user(), archived=serializer.validated_data["archived"]
        )
        return self._read(site)
