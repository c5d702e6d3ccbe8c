"""Login throttling: per username (5 in 15 minutes) and per address (20), on every login path."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs import throttle
from tests.conftest import PASSWORD, World
from tests.web.orgs.conftest import Clock, enrol


def _post(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_username_with_retry_after(world: World, clock: Clock) -> None:
    client = Client()
    statuses = []
    for _ in range(5):
        statuses.append(_post(client, "mall_reader", "wrong").status_code)
        clock.advance(minutes=1)
    assert statuses == [200, 200, 200, 200, 429]
    # Failures at 09:00..09:04; the lock lifts when the 09:00 one leaves the window at 09:15.
    # It is now 09:05: 10 minutes = 600 s to wait.
    locked = _post(client, "mall_reader", PASSWORD)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "600"
    assert b"login-locked" in locked.content and b"10 minute" in locked.content
    clock.advance(seconds=599)
    assert _post(client, "mall_reader", PASSWORD).status_code == 429
    clock.advance(seconds=1)
    ok = _post(client, "mall_reader", PASSWORD)
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_four_failures_do_not_lock(world: World, clock: Clock) -> None:
    client = Client()
    for _ in range(4):
        assert _post(client, "mall_reader", "wrong").status_code == 200
    assert _post(client, "mall_reader", PASSWORD).status_code == 302


def test_success_clears_the_username_counter(world: World, clock: Clock) -> None:
    for _ in range(4):
        _post(Client(), "mall_reader", "wrong")
    assert _post(Client(), "mall_reader", PASSWORD).status_code == 302
    for _ in range(4):
        assert _post(Client(), "mall_reader", "wrong").status_code == 200
    assert _post(Client(), "mall_reader", PASSWORD).status_code == 302


@pytest.mark.parametrize("variant", ["MALL_READER", "  mall_reader ", "\uff4d\uff41ll_reader"])
def test_username_variants_share_one_counter(world: World, clock: Clock, variant: str) -> None:
    for _ in range(4):
        _post(Client(), "mall_reader", "wrong")
    assert _post(Client(), variant, "wrong").status_code == 429
    assert throttle.normalise_username(variant) == "mall_reader"


def test_another_username_is_not_locked(world: World, clock: Clock) -> None:
    for _ in range(5):
        _post(Client(), "mall_reader", "wrong")
    assert _post(Client(), "mall_reader", PASSWORD).status_code == 429
    assert _post(Client(), "hotel_admin", PASSWORD).status_code == 302


def test_twenty_failures_lock_the_address(world: World, clock: Clock) -> None:
    for i in range(20):
        _post(Client(), f"nobody{i}", "wrong", ip="10.9.9.9")
    assert _post(Client(), "hotel_admin", PASSWORD, ip="10.9.9.9").status_code == 429
    assert _post(Client(), "hotel_admin", PASSWORD, ip="10.9.9.10").status_code == 302


def test_failures_and_the_lockout_are_audited(world: World, clock: Clock) -> None:
    for _ in range(5):
        _post(Client(), "mall_reader", "wrong")
    _post(Client(), "mall_reader", "wrong")  # refused while locked: not counted again
    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() == 5
    assert failed.first().diff["username"] == "mall_reader"  # type: ignore[union-attr]
    lockouts = AuditEvent.objects.filter(action="auth.lockout")
    assert lockouts.count() == 1
    assert lockouts.get().diff["reason"] == "username"
    assert lockouts.get().object_id == str(world.users["mall_reader"].pk)


def test_unknown_usernames_are_counted_too(world: World, clock: Clock) -> None:
    for _ in range(5):
        _post(Client(), "ghost", "wrong")
    assert _post(Client(), "ghost", "wrong").status_code == 429
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1


def test_the_code_step_is_throttled(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    _post(client, "mall_reader", PASSWORD)
    statuses = [client.post("/login/verify/", {"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The lock also stops the password step, and a right code no longer helps.
    assert _post(client, "mall_reader", PASSWORD).status_code == 429
    clock.advance(minutes=15)
    assert _post(client, "mall_reader", PASSWORD).status_code == 302
    assert client.post("/login/verify/", {"code": enrolled.code(clock)}).status_code == 302


def test_api_token_login_shares_the_lockout(world: World, clock: Clock) -> None:
    from rest_framework.test import APIClient

    for _ in range(5):
        _post(Client(), "mall_reader", "wrong")
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "mall_reader", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429 and response["Retry-After"] == "900"
    assert response.json()["code"] == "login_locked"
    other = APIClient().post(
        "/api/v1/auth/token/", {"username": "hotel_admin", "password": PASSWORD}, format="json"
    )
    assert other.status_code == 201
