"""API token scopes and the DRF permission that enforces them.

A scope is ``read:<area>`` or ``write:<area>``; ``write`` implies ``read`` for the same area.
``*`` is every scope (the default for tokens from ``POST /api/v1/auth/token/``). The area of a
view is its ``required_scope_area`` attribute or, by default, the web app its module belongs to
(``placeguard.web.sites.api.views`` → ``sites``). Safe methods (GET, HEAD, OPTIONS) need
``read:<area>``, every other method ``write:<area>``; a view may instead name one scope for every
method in ``required_scope``. A view whose area is not in :data:`AREAS` is reachable only by
``*`` tokens (fail closed for apps added later).

Scopes only ever *narrow* a token: roles and visibility are still those of the token's user.
Session-authenticated requests are not affected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

__all__ = [
    "ALL",
    "AREAS",
    "SCOPES",
    "TokenScopePermission",
    "grants",
    "normalise_scopes",
    "required_scope_for",
    "token_refusal",
    "within",
]

ALL = "*"
#: Areas of the API, each with a read and a write scope.
AREAS: dict[str, Any] = {
    "account": _("Your own account and API tokens"),
    "orgs": _("Organisations, users and regions"),
    "sites": _("Site registry"),
    "assessments": _("Assessments, action items, risk acceptances, portfolio"),
    "allocation": _("Patrol teams, stations, plans and coverage"),
    "engineering": _("Engineering studies"),
    "sharing": _("Bulletins, reports, incidents, practices, sharing groups"),
    "capacity": _("Capacity building"),
    "exercises": _("Exercises"),
    "intel": _("Incident datasets, trends and claims (aggregates only)"),
}
SCOPES: tuple[str, ...] = tuple(f"{verb}:{area}" for area in AREAS for verb in ("read", "write"))


def normalise_scopes(scopes: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated scopes; ``*`` swallows the rest. Raises ValueError on unknown."""
    wanted = {s.strip() for s in scopes if s.strip()}
    if ALL in wanted:
        return [ALL]
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        msg = f"unknown scope(s): {', '.join(unknown)}"
        raise ValueError(msg)
    return sorted(wanted)


def grants(held: Iterable[str], scope: str) -> bool:
    """True if a token holding ``held`` may use ``scope`` (``write:x`` implies ``read:x``)."""
    have = set(held)
    if ALL in have or scope in have:
        return True
    verb, _sep, area = scope.partition(":")
    return verb == "read" and f"write:{area}" in have


def within(held: Iterable[str], wanted: Iterable[str]) -> bool:
    """True if every scope of ``wanted`` is granted by ``held`` (a token minting a token)."""
    have = list(held)
    want = list(wanted)
    if ALL in want:
        return ALL in have
    return all(grants(have, s) for s in want)


def _area_of(view: Any) -> str:
    explicit = getattr(view, "required_scope_area", None)
    if explicit:
        return str(explicit)
    parts = type(view).__module__.split(".")
    if len(parts) > 2 and parts[:2] == ["placeguard", "web"]:
        return parts[2]
    return "unknown"


def required_scope_for(view: Any, method: str) -> str | None:
    """The scope a request with ``method`` needs on ``view`` (None: no scope needed).

    Third-party views (the OpenAPI schema and its documentation page) need no scope to read.
    """
    explicit = getattr(view, "required_scope", None)
    if explicit:
        return str(explicit)
    safe = method in SAFE_METHODS
    if safe and not type(view).__module__.startswith("placeguard."):
        return None
    verb = "read" if safe else "write"
    return f"{verb}:{_area_of(view)}"


def token_refusal(token: Any, method: str, view: Any) -> str | None:
    """Why ``token`` may not make a ``method`` request to ``view``, or None when it may."""
    if token.read_only and method not in SAFE_METHODS:
        return str(_("This API token is read-only."))
    scope = required_scope_for(view, method)
    if scope is not None and not grants(token.scopes, scope):
        return str(_("This API token lacks the scope %(scope)s.") % {"scope": scope})
    return None


class TokenScopePermission(BasePermission):
    """Refuses (403) a token lacking the route's scope, and unsafe methods to read-only tokens."""

    message: Any = _("This API token does not allow this request.")

    def has_permission(self, request: Request, view: Any) -> bool:
        from placeguard.web.orgs.models import ApiToken

        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        refusal = token_refusal(token, request.method or "GET", view)
        if refusal is not None:
            self.message = refusal
            return False
        return True
