"""Delivering the outbox: e-mail through Django's e-mail backend, signed webhooks over HTTP.

Exactly-once-ish: a worker first *claims* a due row with a conditional update (``pending`` →
``sending``, only if still due), so two workers never send the same row; a delivered row is
never due again. The claim expires after :data:`LEASE` so a worker that died mid-send leaves a
row another worker retries: that is the one case a receiver can see twice, and the webhook's
``Idempotency-Key`` header (the row's unique key) lets it drop the repeat.

A failure records ``last_error``, counts the attempt and schedules the next one with
exponential backoff (30 s, 1 min, 2 min … capped at 6 h) until :data:`MAX_ATTEMPTS`, then the
row is ``failed``. Rows are independent: an exception on one never stops the others, each
request has a short timeout, and once an endpoint fails in a run its other rows wait for the
endpoint's next retry instead of each spending a timeout on it.
"""

from __future__ import annotations

import http.client
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Min, Q
from django.utils import timezone

from placeguard.core.errors import ValidationError
from placeguard.web.notifications import signing
from placeguard.web.notifications.choices import Channel, DeliveryStatus
from placeguard.web.notifications.models import OutboxMessage
from placeguard.web.notifications.targets import Resolver, check_target
from placeguard.web.notifications.transport import TIMEOUT_S, Transport, default_transport

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "DeliveryReport",
    "backoff",
    "deliver_due",
    "enqueue_delivery",
    "webhook_body",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
LEASE = timedelta(minutes=2)
BATCH = 200
_DUE = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]


class RecipientGoneError(Exception):
    """The user is inactive or has no address, or the endpoint was switched off or deleted."""


class DeliveryFailedError(Exception):
    """A delivery attempt failed in a way worth retrying (the message is stored)."""


@dataclass
class DeliveryReport:
    """What one run of :func:`deliver_due` did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed attempts (doubling, capped)."""
    delay = BASE_BACKOFF * (1 << max(0, min(attempts - 1, 30)))
    return min(delay, MAX_BACKOFF)


def webhook_body(message: OutboxMessage) -> bytes:
    """The exact bytes posted (and signed): the stored payload as compact, sorted JSON."""
    return json.dumps(message.payload, sort_keys=True, separators=(",", ":")).encode()


def _claim(pk: int, now: datetime) -> bool:
    """Take row ``pk`` for this worker if it is still due (one conditional update)."""
    claimed = OutboxMessage.objects.filter(pk=pk, status__in=_DUE, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, next_attempt_at=now + LEASE
    )
    return claimed == 1


def _send_email(message: OutboxMessage, mail_connection: object) -> None:
    user = message.user
    if user is None or not user.is_active or not message.to_address:
        raise RecipientGoneError
    EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=getattr(settings, "PLACEGUARD_NOTIFY_FROM", None) or settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"X-PlaceGuard-Idempotency-Key": message.idempotency_key},
        connection=mail_connection,
    ).send()


def _send_webhook(
    message: OutboxMessage, transport: Transport, resolve: Resolver | None, now: datetime
) -> None:
    endpoint = message.endpoint
    if endpoint is None or not endpoint.active:
        raise RecipientGoneError
    try:  # again at delivery time: the DNS answer may have changed since registration
        target = check_target(endpoint.url, allow_private=endpoint.allow_private, resolve=resolve)
    except ValidationError as exc:
        raise DeliveryFailedError(exc.message) from exc
    body = webhook_body(message)
    stamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PlaceGuard-Webhook/1",
        signing.TIMESTAMP_HEADER: str(stamp),
        signing.SIGNATURE_HEADER: signing.sign(endpoint.secret, stamp, body),
        signing.IDEMPOTENCY_HEADER: message.idempotency_key,
    }
    try:
        status = transport(target, body, headers, timeout=TIMEOUT_S)
    except (OSError, http.client.HTTPException) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise DeliveryFailedError(reason) from exc
    if not 200 <= status < 300:
        reason = f"HTTP {status} (redirects are not followed)"
        raise DeliveryFailedError(reason)


def _finish(message: OutboxMessage, now: datetime, error: str | None) -> str:
    """Record the outcome of an attempt; returns the new status."""
    rows = OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.SENDING)
    if error is None:
        rows.update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=now,
            attempts=F("attempts") + 1,
            last_error="",
        )
        return DeliveryStatus.DELIVERED
    attempts = message.attempts + 1
    status = DeliveryStatus.FAILED if attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
    rows.update(
        status=status,
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        last_error=error[:2000],
    )
    return status


def deliver_due(
    *,
    now: datetime | None = None,
    limit: int = BATCH,
    transport: Transport | None = None,
    resolve: Resolver | None = None,
) -> DeliveryReport:
    """Deliver up to ``limit`` due outbox rows; safe to run again and from several workers.

    Parameters
    ----------
    now
        The clock (tests move it forward to reach a retry).
    limit
        Rows per run.
    transport
        The webhook transport (default: ``PLACEGUARD_WEBHOOK_TRANSPORT`` or real HTTP).
    resolve
        The host resolver of the target guard (default: ``socket.getaddrinfo``).
    """
    now = now or timezone.now()
    transport = transport or default_transport()
    report = DeliveryReport()
    due = list(
        OutboxMessage.objects.filter(status__in=_DUE, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    failing_endpoints: dict[int, datetime] = {}  # endpoint → when its failed row retries
    mail_connection = get_connection()
    for pk in due:
        if not _claim(pk, now):
            continue  # another worker has it, or it was delivered meanwhile
        message = OutboxMessage.objects.select_related("user", "endpoint").get(pk=pk)
        if message.endpoint_id is not None and message.endpoint_id in failing_endpoints:
            OutboxMessage.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING,
                next_attempt_at=failing_endpoints[message.endpoint_id],
            )
            report.deferred += 1
            continue
        error: str | None = None
        try:
            if message.channel == Channel.EMAIL:
                _send_email(message, mail_connection)
            else:
                _send_webhook(message, transport, resolve, now)
        except RecipientGoneError:
            OutboxMessage.objects.filter(pk=pk).update(
                status=DeliveryStatus.CANCELLED, last_error="recipient or endpoint gone"
            )
            report.cancelled += 1
            continue
        except DeliveryFailedError as exc:
            error = str(exc)
        except Exception as exc:  # one bad row must not stop the others
            logger.exception("notification delivery %s failed", message.idempotency_key)
            error = f"{type(exc).__name__}: {exc}"
        if error is not None and message.endpoint_id is not None:
            failing_endpoints[message.endpoint_id] = now + backoff(message.attempts + 1)
        status = _finish(message, now, error)
        if status == DeliveryStatus.DELIVERED:
            report.delivered += 1
        elif status == DeliveryStatus.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    _schedule_next(now, more=len(due) >= limit)
    return report


def _schedule_next(now: datetime, *, more: bool) -> None:
    """Enqueue the next run: at once if rows are left, else at the earliest retry.

    Only with a backend that can defer (the database backend): the immediate backend of the
    tests would run it inline, and tests drive retries themselves.
    """
    from placeguard.web.notifications.tasks import deliver_outbox

    if not deliver_outbox.get_backend().supports_defer:
        return
    if more:
        enqueue_delivery()
        return
    earliest = OutboxMessage.objects.filter(status__in=_DUE).aggregate(t=Min("next_attempt_at"))
    when = earliest["t"]
    if when is not None:
        enqueue_delivery(run_after=max(when, now))


def enqueue_delivery(run_after: datetime | None = None) -> None:
    """Hand delivery to the background worker (inline with the immediate backend)."""
    from placeguard.web.notifications.tasks import deliver_outbox

    try:
        task = deliver_outbox.using(run_after=run_after) if run_after else deliver_outbox
        task.enqueue()
    except Exception:  # the rows stay pending; the next enqueue or run picks them up
        logger.exception("could not enqueue notification delivery")


def pending_count() -> int:
    """Rows still to be delivered (for health pages)."""
    return OutboxMessage.objects.filter(Q(status__in=_DUE)).count()
