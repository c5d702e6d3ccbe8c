"""Delivering the outbox: idempotency, retries with backoff, isolation, signatures, rebinding."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from placeguard.web.notifications import delivery, services, signing
from placeguard.web.notifications.choices import Channel, DeliveryStatus
from placeguard.web.notifications.models import OutboxMessage, WebhookEndpoint
from placeguard.web.sharing import services as sharing
from tests.conftest import World
from tests.web.notifications.conftest import PUBLIC_IP, FakeTransport, public_resolver
from tests.web.sharing.conftest import bulletin_raw

EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _endpoint(w: World, admin: str = "mall_admin", host: str = "hooks") -> WebhookEndpoint:
    return services.create_endpoint(
        {"url": f"https://{host}.example.org/pg?x=1"}, actor=w.users[admin], resolve=public_resolver
    )


def _amber_to_mall(w: World) -> Any:
    police = w.users["police_n"]
    draft = sharing.create_bulletin(
        bulletin_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE), actor=police
    )
    return sharing.publish_bulletin(draft, actor=police)


def test_delivering_twice_sends_once(nworld: World) -> None:
    w = nworld
    _endpoint(w)
    _amber_to_mall(w)
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL).count()
    assert emails >= 2  # Mall Co and Guard Co people
    fake = FakeTransport()
    first = delivery.deliver_due(transport=fake, resolve=public_resolver)
    assert first.delivered == emails + 1
    assert len(mail.outbox) == emails
    assert len(fake.calls) == 1
    second = delivery.deliver_due(transport=fake, resolve=public_resolver)
    later = delivery.deliver_due(
        now=timezone.now() + timedelta(days=2), transport=fake, resolve=public_resolver
    )
    assert second.delivered == later.delivered == 0
    assert len(mail.outbox) == emails and len(fake.calls) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    sent = mail.outbox[0]
    assert sent.subject.startswith("[TLP:AMBER] ")
    assert sent.extra_headers["X-PlaceGuard-Idempotency-Key"].endswith(f":email:{_uid(sent)}")


def _uid(message: Any) -> int:
    row = OutboxMessage.objects.get(channel=Channel.EMAIL, to_address=message.to[0])
    assert row.user_id is not None
    return row.user_id


def test_a_claimed_row_is_not_sent_by_a_second_worker(nworld: World) -> None:
    w = nworld
    _amber_to_mall(w)
    row = OutboxMessage.objects.filter(channel=Channel.EMAIL).first()
    assert row is not None
    now = timezone.now()
    assert delivery._claim(row.pk, now)  # worker A holds it
    assert not delivery._claim(row.pk, now)  # worker B cannot take it
    delivery.deliver_due(now=now, transport=FakeTransport())
    assert row.to_address not in [m.to[0] for m in mail.outbox]
    # worker A died: after the lease the row is due again and sent once
    delivery.deliver_due(now=now + delivery.LEASE + timedelta(seconds=1), transport=FakeTransport())
    assert [m.to[0] for m in mail.outbox].count(row.to_address) == 1


def test_the_signature_verifies_with_the_endpoint_secret(nworld: World) -> None:
    w = nworld
    endpoint = _endpoint(w)
    bulletin = _amber_to_mall(w)
    fake = FakeTransport()
    delivery.deliver_due(transport=fake, resolve=public_resolver)
    (call,) = fake.calls
    headers, body = call["headers"], call["body"]
    assert call["target"].address == PUBLIC_IP  # connects to the checked address
    assert call["target"].host == "hooks.example.org" and call["target"].path == "/pg?x=1"
    assert headers["X-PlaceGuard-Signature"].startswith("sha256=")
    stamp = headers["X-PlaceGuard-Timestamp"]
    assert signing.verify(endpoint.secret, stamp, body, headers["X-PlaceGuard-Signature"])
    assert not signing.verify("wrong", stamp, body, headers["X-PlaceGuard-Signature"])
    assert not signing.verify(
        endpoint.secret, stamp, body + b" ", headers["X-PlaceGuard-Signature"]
    )
    assert not signing.verify(  # replayed an hour later
        endpoint.secret, stamp, body, headers["X-PlaceGuard-Signature"],
        now=int(stamp) + 3600,
    )  # fmt: skip
    key = f"bulletin.published:bulletin:{bulletin.pk}:webhook:{endpoint.pk}"
    assert headers["Idempotency-Key"] == key
    payload = json.loads(body)
    assert payload["id"] == key and payload["item"]["id"] == bulletin.pk


def test_failures_retry_with_exponential_backoff(nworld: World) -> None:
    w = nworld
    _endpoint(w)
    _amber_to_mall(w)
    OutboxMessage.objects.filter(channel=Channel.EMAIL).delete()
    fake = FakeTransport()
    fake.statuses = [500, TimeoutError("timed out"), 302]
    now = timezone.now()
    delivery.deliver_due(now=now, transport=fake, resolve=public_resolver)
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500 (redirects "
                                                          "are not followed)")  # fmt: skip
    assert row.next_attempt_at == now + timedelta(seconds=30)
    delivery.deliver_due(now=now + timedelta(seconds=29), transport=fake, resolve=public_resolver)
    assert len(fake.calls) == 1  # not due yet
    t = now + timedelta(seconds=30)
    delivery.deliver_due(now=t, transport=fake, resolve=public_resolver)
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, t + timedelta(seconds=60))
    assert "TimeoutError" in row.last_error
    t += timedelta(seconds=60)
    delivery.deliver_due(now=t, transport=fake, resolve=public_resolver)
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (3, t + timedelta(seconds=120))  # 302 failed
    t += timedelta(seconds=120)
    delivery.deliver_due(now=t, transport=fake, resolve=public_resolver)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("delivered", 4, "")
    assert len(fake.calls) == 4


def test_gives_up_after_the_last_attempt(nworld: World) -> None:
    w = nworld
    _endpoint(w)
    _amber_to_mall(w)
    OutboxMessage.objects.filter(channel=Channel.EMAIL).delete()
    fake = FakeTransport()
    fake.statuses = [503] * delivery.MAX_ATTEMPTS
    t = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        delivery.deliver_due(now=t, transport=fake, resolve=public_resolver)
        t += delivery.MAX_BACKOFF
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, delivery.MAX_ATTEMPTS)
    assert len(fake.calls) == delivery.MAX_ATTEMPTS
    assert delivery.backoff(1) == timedelta(seconds=30)
    assert delivery.backoff(20) == delivery.MAX_BACKOFF


def test_a_failing_endpoint_does_not_stall_the_others(nworld: World) -> None:
    w = nworld
    down = _endpoint(w, "mall_admin", "down")
    up = _endpoint(w, "mall_admin", "up")
    for _ in range(2):
        _amber_to_mall(w)
    calls: list[str] = []

    def transport(target: Any, body: bytes, headers: Any, *, timeout: float) -> int:
        calls.append(target.host)
        assert timeout <= 10
        if target.host.startswith("down"):
            raise TimeoutError("slow receiver")
        return 204

    report = delivery.deliver_due(transport=transport, resolve=public_resolver)
    assert calls.count("down.example.org") == 1  # its second row waits for its retry
    assert calls.count("up.example.org") == 2
    assert report.deferred == 1
    hooks = OutboxMessage.objects.filter(channel=Channel.WEBHOOK)
    assert set(hooks.filter(endpoint=up).values_list("status", flat=True)) == {"delivered"}
    assert set(hooks.filter(endpoint=down).values_list("status", flat=True)) == {"pending"}
    emails = OutboxMessage.objects.filter(channel=Channel.EMAIL)
    assert set(emails.values_list("status", flat=True)) == {"delivered"}
    assert len(mail.outbox) == emails.count()


def test_delivery_checks_the_target_again(nworld: World) -> None:
    """DNS rebinding: the name now resolves to a private address; nothing is sent."""
    w = nworld
    _endpoint(w)
    _amber_to_mall(w)
    fake = FakeTransport()
    delivery.deliver_due(transport=fake, resolve=lambda host, port: ["10.0.0.5"])
    assert fake.calls == []
    row = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    assert row.status == "pending" and "private" in row.last_error
    delivery.deliver_due(
        now=timezone.now() + timedelta(minutes=5), transport=fake, resolve=public_resolver
    )
    row.refresh_from_db()
    assert row.status == "delivered" and len(fake.calls) == 1


def test_a_deactivated_endpoint_or_user_is_cancelled(nworld: World) -> None:
    w = nworld
    endpoint = _endpoint(w)
    _amber_to_mall(w)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    reader = w.users["mall_reader"]
    reader.is_active = False
    reader.save(update_fields=["is_active"])
    fake = FakeTransport()
    report = delivery.deliver_due(transport=fake, resolve=public_resolver)
    assert report.cancelled == 2
    assert fake.calls == []
    assert reader.email not in [m.to[0] for m in mail.outbox]
    assert mail.outbox  # the others were sent


@pytest.mark.django_db(transaction=False)
def test_publishing_delivers_after_commit_through_the_task(
    nworld: World, fake_transport: FakeTransport, django_capture_on_commit_callbacks: Any
) -> None:
    w = nworld
    _endpoint(w)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _amber_to_mall(w)
    assert mail.outbox == [] and fake_transport.calls == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(fake_transport.calls) == 1
    assert len(mail.outbox) == OutboxMessage.objects.filter(channel=Channel.EMAIL).count() > 0
    assert not OutboxMessage.objects.exclude(status="delivered").exists()
