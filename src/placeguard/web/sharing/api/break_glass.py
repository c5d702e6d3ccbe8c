"""``/api/v1/break-glass/``: request, approve and revoke a platform admin's break-glass read.

See :mod:`placeguard.web.sharing.break_glass`. Platform admins list every grant; an
organisation's admins list the grants on their organisation's records; nobody else sees any.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from placeguard.web.common.api import actor_of, json_object
from placeguard.web.sharing import break_glass
from placeguard.web.sharing.api.views import _Strict422
from placeguard.web.sharing.models import BreakGlassGrant

__all__ = ["BreakGlassGrantSerializer", "BreakGlassViewSet"]


class BreakGlassGrantSerializer(serializers.ModelSerializer[BreakGlassGrant]):
    """A break-glass request or grant."""

    requester = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    approver = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    live = serializers.SerializerMethodField()

    class Meta:
        model = BreakGlassGrant
        fields = [
            "id", "item_kind", "item_id", "item_org", "requester", "reason", "minutes",
            "requested_at", "approver", "approved_at", "expires_at", "revoked_at", "live",
        ]  # fmt: skip
        read_only_fields = fields

    def get_live(self, obj: BreakGlassGrant) -> bool:
        return break_glass.is_live(obj)


class BreakGlassViewSet(
    _Strict422,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[BreakGlassGrant],
):
    """Break-glass grants (R10). POST (platform admins) asks for one: ``item_kind``
    (bulletin, incident, practice), ``item_id``, ``reason``, ``minutes`` (15–240, default 60);
    ``approve`` is for a *second* platform admin; ``revoke`` ends it early."""

    serializer_class = BreakGlassGrantSerializer

    def get_queryset(self) -> QuerySet[BreakGlassGrant]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return BreakGlassGrant.objects.none()
        return break_glass.grants_visible_to(actor_of(self.request))

    def _answer(self, grant: BreakGlassGrant, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(grant).data, status=code)

    @extend_schema(request=None, responses={201: BreakGlassGrantSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        grant = break_glass.request_grant(json_object(request), actor=actor_of(request))
        return self._answer(grant, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BreakGlassGrantSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        grant = break_glass.approve(self.get_object(), actor=actor_of(request))
        return self._answer(grant)

    @extend_schema(request=None, responses={200: BreakGlassGrantSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        grant = break_glass.revoke(self.get_object(), actor=actor_of(request))
        return self._answer(grant)
