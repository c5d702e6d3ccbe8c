"""Login throttling: too many failures for a username or from an address lock it for a while.

Failures are rows of :class:`~placeguard.web.orgs.models.LoginFailure` (database, so that every
worker process sees the same counts and the trail is auditable). A username is locked after
``PLACEGUARD_LOGIN_MAX_FAILURES`` (5) failures inside ``PLACEGUARD_LOGIN_WINDOW_MINUTES`` (15)
minutes; an address after ``PLACEGUARD_LOGIN_MAX_FAILURES_PER_IP`` (20, higher because offices
share addresses). The lock lifts when the oldest counted failure leaves the window. A successful
login clears the username's failures. Usernames are compared NFKC-normalised, trimmed and
case-folded, so ``Alice``, `` alice `` and the full-width ``ａｌｉｃｅ`` share one counter.

Time comes from :func:`now` so that tests can move the clock.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from placeguard.web.audit import services as audit
from placeguard.web.orgs.models import LoginFailure, User

__all__ = ["Lockout", "check", "clear", "client_ip", "normalise_username", "record_failure"]


def now() -> datetime:
    """The current time (tests replace this)."""
    return timezone.now()


def _limits() -> tuple[int, int, timedelta]:
    return (
        int(getattr(settings, "PLACEGUARD_LOGIN_MAX_FAILURES", 5)),
        int(getattr(settings, "PLACEGUARD_LOGIN_MAX_FAILURES_PER_IP", 20)),
        timedelta(minutes=int(getattr(settings, "PLACEGUARD_LOGIN_WINDOW_MINUTES", 15))),
    )


@dataclass(frozen=True, slots=True)
class Lockout:
    """A refused attempt: why, and in how many seconds to try again."""

    reason: str  # "username" or "ip"
    retry_after: int


def normalise_username(username: str) -> str:
    """NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", username).strip().casefold()[:150]


def client_ip(request: HttpRequest) -> str:
    """The peer address (behind a proxy, configure it to set REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _lock(rows: list[datetime], limit: int, window: timedelta, at: datetime) -> int | None:
    """Seconds until fewer than ``limit`` of ``rows`` (newest first) are inside the window."""
    if len(rows) < limit:
        return None
    # The lock lifts when the limit-th newest failure leaves the window.
    release = rows[limit - 1] + window
    return max(1, math.ceil((release - at).total_seconds()))


def check(username: str, ip: str) -> Lockout | None:
    """The lockout that applies to this attempt, or None."""
    per_user, per_ip, window = _limits()
    at = now()
    since = at - window
    name = normalise_username(username)
    recent = LoginFailure.objects.filter(at__gt=since).order_by("-at")
    if name:
        rows = list(recent.filter(username=name).values_list("at", flat=True)[:per_user])
        wait = _lock(rows, per_user, window, at)
        if wait is not None:
            return Lockout("username", wait)
    rows = list(recent.filter(ip=ip).values_list("at", flat=True)[:per_ip])
    wait = _lock(rows, per_ip, window, at)
    if wait is not None:
        return Lockout("ip", wait)
    return None


def record_failure(username: str, ip: str, *, stage: str) -> Lockout | None:
    """Count and audit a failed attempt; audits a lockout when this failure starts one."""
    name = normalise_username(username)
    user = User.objects.filter(username__iexact=username.strip()).first() if name else None
    with transaction.atomic():
        failure = LoginFailure.objects.create(username=name, ip=ip, stage=stage, at=now())
        label = f"anonymous ({ip})"
        audit.record(
            actor=None,
            actor_label=label,
            action="auth.login_failed",
            obj=user if user is not None else failure,
            diff={"username": name, "ip": ip, "stage": stage},
        )
        lock = check(username, ip)
        if lock is not None:
            audit.record(
                actor=None,
                actor_label=label,
                action="auth.lockout",
                obj=user if user is not None else failure,
                diff={
                    "username": name,
                    "ip": ip,
                    "reason": lock.reason,
                    "retry_after": lock.retry_after,
                },
            )
    return lock


def clear(username: str) -> None:
    """Forget a username's failures after a successful login."""
    LoginFailure.objects.filter(username=normalise_username(username)).delete()
