"""Notifications endpoints: your own notifications, and your organisation's webhooks.

Reads start from ``queries`` (``notifications_visible_to``: your own rows only, anyone else's
answer 404; ``webhooks_visible_to``: organisation admins their organisation's endpoints,
platform admins every endpoint). Writes call ``services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from placeguard.web.common.api import actor_of
from placeguard.web.notifications import queries, services
from placeguard.web.notifications.api.serializers import (
    MarkReadSerializer,
    NotificationSerializer,
    WebhookEndpointSerializer,
    WebhookSecretSerializer,
    WebhookWriteSerializer,
)
from placeguard.web.notifications.models import Notification, WebhookEndpoint


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Notification]
):
    """Your notifications, newest first (``?unread=true`` for the unread ones).

    ``POST {id}/read/`` marks one read, ``POST mark-read/`` marks the ``ids`` given (or all).
    """

    required_scope_area = "sharing"
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        rows = queries.notifications_visible_to(self.request.user)
        if self.action == "list" and self.request.query_params.get("unread") in {"1", "true"}:
            rows = rows.filter(read_at__isnull=True)
        return rows.order_by("-created", "-id")

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread ones.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"], url_path="read")
    def read_one(self, request: Request, pk: str | None = None) -> Response:
        note = self.get_object()
        services.mark_read(actor=actor_of(request), ids=[note.pk])
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=MarkReadSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def read_many(self, request: Request) -> Response:
        body = MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data.get("ids")
        changed = services.mark_read(actor=actor_of(request), ids=ids)
        return Response({"marked": changed})


class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[WebhookEndpoint],
):
    """Signed webhooks of your organisation (organisation admins; platform admins see all).

    POST registers one (the URL must resolve to public addresses only; the answer carries the
    signing secret, shown once); PATCH edits it (``allow_private``: platform admins only);
    ``rotate-secret`` issues a new secret. Deliveries carry ``X-PlaceGuard-Signature:
    sha256=<HMAC of "timestamp.body">``, ``X-PlaceGuard-Timestamp`` and ``Idempotency-Key``.
    """

    required_scope_area = "sharing"
    serializer_class = WebhookEndpointSerializer

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return queries.webhooks_visible_to(self.request.user).select_related("org")

    def _input(self, request: Request) -> dict[str, Any]:
        body = WebhookWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookSecretSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = services.create_endpoint(self._input(request), actor=actor_of(request))
        return Response(WebhookSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookWriteSerializer, responses={200: WebhookEndpointSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = services.update_endpoint(
            self.get_object(), self._input(request), actor=actor_of(request)
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.delete_endpoint(instance, actor=actor_of(self.request))

    @extend_schema(request=None, responses={200: WebhookSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint = services.rotate_secret(self.get_object(), actor=actor_of(request))
        return Response(WebhookSecretSerializer(endpoint).data)
