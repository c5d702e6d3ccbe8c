"""API rate limits per token, per user and per address (catalogue 69).

Every API view is throttled by :class:`ApiRateThrottle` (``DEFAULT_THROTTLE_CLASSES``). The
bucket is chosen by how the request authenticated:

* an API token: the token (``token:<id>``), so one runaway script cannot starve its owner's
  other tokens or the owner's browser session;
* a signed-in session: the user (``user:<id>``);
* anonymous: the peer address (``ip:<address>``, ``REMOTE_ADDR``; behind a proxy, configure it to
  set that).

Rates are read at request time from ``PLACEGUARD_API_RATE_USER`` (tokens and users, default
``1200/min``) and ``PLACEGUARD_API_RATE_ANON`` (default ``120/min``). An exhausted bucket answers
429 problem+json (code ``throttled``) with ``Retry-After`` in seconds. Counts live in the Django
cache: with the default per-process memory cache each worker process counts separately, so use a
shared cache (Redis, database) in production for an exact limit. The sign-in views keep their own
stricter throttle (``placeguard.web.orgs.throttle``).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

__all__ = ["DEFAULT_ANON_RATE", "DEFAULT_USER_RATE", "ApiRateThrottle", "bucket_of", "parse_rate"]

DEFAULT_USER_RATE = "1200/min"
DEFAULT_ANON_RATE = "120/min"

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str, *, setting: str = "rate") -> tuple[int, int]:
    """``"1200/min"`` as ``(requests, seconds)``; anything else is a configuration error.

    Parameters
    ----------
    rate
        ``<count>/<period>`` with period ``s``, ``min``, ``h`` or ``day`` (long forms accepted).
    setting
        The setting's name, for the error message.

    Raises
    ------
    ImproperlyConfigured
        The rate is malformed or allows no request at all.
    """
    match = _RATE.match(rate)
    if match is None or int(match.group(1)) < 1:
        msg = f"{setting}={rate!r}: expected '<count>/<s|min|h|day>' with a count of at least 1"
        raise ImproperlyConfigured(msg)
    return int(match.group(1)), _SECONDS[match.group(2)[0]]


def bucket_of(request: Request) -> tuple[str, str]:
    """(bucket key, setting name of its rate) for ``request``: token, else user, else address."""
    from placeguard.web.orgs.models import ApiToken

    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return f"token:{token.pk}", "PLACEGUARD_API_RATE_USER"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", "PLACEGUARD_API_RATE_USER"
    address = str(request.META.get("REMOTE_ADDR") or "unknown")[:64]
    return f"ip:{address}", "PLACEGUARD_API_RATE_ANON"


class ApiRateThrottle(SimpleRateThrottle):
    """A sliding-window throttle (DRF's request history) keyed by :func:`bucket_of`."""

    scope = "api"
    cache_format = "throttle_api_%(ident)s"

    def __init__(self) -> None:
        # The rate depends on the request (anonymous or not): chosen in allow_request.
        self.rate: str | None = None
        self._key = ""

    def allow_request(self, request: Request, view: Any) -> bool:
        key, name = bucket_of(request)
        default = DEFAULT_USER_RATE if name == "PLACEGUARD_API_RATE_USER" else DEFAULT_ANON_RATE
        self.rate = str(getattr(settings, name, default))
        self.num_requests, self.duration = parse_rate(self.rate, setting=name)
        self._key = key
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"ident": self._key}
