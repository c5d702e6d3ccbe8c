"""Notifications API shapes. Writes are checked again by ``services`` (strict input here)."""

from __future__ import annotations

from rest_framework import serializers

from placeguard.web.common.strict import StrictInputMixin
from placeguard.web.notifications.models import Notification, WebhookEndpoint


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    """One of your notifications (a TLP:RED one has no title: sign in to the item to read it)."""

    class Meta:
        model = Notification
        fields = [
            "id", "event", "item_kind", "item_id", "tlp", "title", "body", "url", "created",
            "read_at",
        ]  # fmt: skip
        read_only_fields = fields


class MarkReadSerializer(StrictInputMixin, serializers.Serializer[None]):
    """``ids`` to mark read; omitted: all of yours."""

    ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=1000)


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    """A webhook endpoint (the secret is shown once, when created or rotated)."""

    org = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "org", "url", "description", "active", "allow_private", "created",
                  "updated"]  # fmt: skip
        read_only_fields = fields


class WebhookSecretSerializer(WebhookEndpointSerializer):
    """An endpoint with its signing secret: only in the answer that created or rotated it."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(StrictInputMixin, serializers.Serializer[WebhookEndpoint]):
    """Endpoint input; ``allow_private`` may only be changed by a platform admin."""

    url = serializers.CharField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)
    allow_private = serializers.BooleanField(required=False)
