"""Fixtures for the security tests: a movable clock and TOTP enrolment through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from placeguard.web.orgs.models import User


@dataclass
class Clock:
    """The time seen by login throttling and TOTP checks; tests move it explicitly."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC))

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Replace ``throttle.now`` (used by throttling and TOTP) with a fixed, movable clock."""
    from placeguard.web.orgs import throttle

    c = Clock()
    monkeypatch.setattr(throttle, "now", c)
    return c


@dataclass
class Enrolled:
    """A user with a confirmed authenticator: its secret and recovery codes."""

    user: User
    secret: str
    recovery: list[str]

    def code(self, clock: Clock, *, offset_steps: int = 0) -> str:
        return pyotp.TOTP(self.secret).at(clock.now + timedelta(seconds=30 * offset_steps))


def enrol(user: User, clock: Clock) -> Enrolled:
    """Enrol and confirm TOTP for ``user`` through the services; moves the clock one step on
    so that the confirmation code is not reused by the caller."""
    from placeguard.web.orgs import services

    secret = services.start_totp_enrolment(user, actor=user)
    _, codes = services.confirm_totp(user, pyotp.TOTP(secret).at(clock.now), actor=user)
    clock.advance(seconds=30)
    return Enrolled(user, secret, codes)
