"""Choices of the notifications app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How an outbox message leaves PlaceGuard (in-app notifications are rows of their own)."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    """Life cycle of an outbox message.

    ``pending`` → ``sending`` (claimed by one worker; the claim expires, so a worker that died
    mid-send is retried) → ``delivered``; a failure goes back to ``pending`` with a later
    ``next_attempt_at`` until the attempts run out (``failed``). ``cancelled``: the recipient
    or endpoint went away before delivery.
    """

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
