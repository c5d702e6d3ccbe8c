"""Models of notifications: in-app notifications, the delivery outbox and webhook endpoints.

Notifications are a surface of the sharing policy: rows are only ever written for recipients
the item's own visibility rules admit (``services.queue``), and their text respects TLP (a RED
item is a content-free ping). Outbox rows carry a unique idempotency key so that queuing the
same event twice, or delivering twice, never sends twice.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from placeguard.web.notifications.choices import Channel, DeliveryStatus
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sharing.choices import Tlp


class Notification(models.Model):
    """One in-app notification for one user about one shared item and event."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("event"), max_length=64)
    item_kind = models.CharField(_("item kind"), max_length=32)
    item_id = models.BigIntegerField(_("item id"))
    tlp = models.CharField(_("TLP"), max_length=16, choices=Tlp.choices)
    #: Empty for TLP:RED (the notification is a content-free ping).
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "event", "item_kind", "item_id"], name="unique_notification"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["user", "read_at", "created"])]

    def __str__(self) -> str:
        return f"{self.event} {self.item_kind}:{self.item_id} → {self.user_id}"


class WebhookEndpoint(models.Model):
    """An organisation's HTTPS receiver of signed event pings (TLP:AMBER and below only).

    The secret is generated server-side and shown once; it signs every delivery (HMAC-SHA256).
    ``allow_private`` lets a platform admin permit a target in a private, loopback or
    link-local range (an on-premises receiver); nobody else can set it.
    """

    org = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=128, editable=False)
    active = models.BooleanField(_("active"), default=True)
    allow_private = models.BooleanField(
        _("allow a private address"),
        default=False,
        help_text=_("Set by a platform admin only: the target may be a private address."),
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["org", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return f"{self.org_id}: {self.url}"


class OutboxMessage(models.Model):
    """One e-mail or webhook delivery waiting, in flight, done or given up.

    ``idempotency_key`` is unique (``event:kind:id:channel:recipient``): queuing the same event
    again inserts nothing, and webhook receivers get it as the ``Idempotency-Key`` header to
    drop a repeat delivery (a worker that died after sending but before recording).
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.SET_NULL,  # keep the delivery history of a deleted endpoint
        null=True,
        blank=True,
        related_name="deliveries",
    )
    event = models.CharField(max_length=64)
    item_kind = models.CharField(max_length=32)
    item_id = models.BigIntegerField()
    tlp = models.CharField(max_length=16, choices=Tlp.choices)
    to_address = models.EmailField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["next_attempt_at", "id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes: ClassVar = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.idempotency_key
