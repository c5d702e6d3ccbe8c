"""DRF authentication with PlaceGuard API tokens (``Authorization: Token <secret>``)."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from placeguard.web.orgs.models import ApiToken, User
from placeguard.web.orgs.scopes import token_refusal
from placeguard.web.orgs.services import authenticate_token
from placeguard.web.orgs.twofactor import attach_two_factor_check


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Looks the token up by its SHA-256 digest; a disabled user or organisation means 401."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            msg = "Invalid token header."
            raise exceptions.AuthenticationFailed(msg)
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            msg = "Invalid token header."
            raise exceptions.AuthenticationFailed(msg) from exc
        found = authenticate_token(secret)
        if found is None:
            msg = "Invalid, expired or revoked token."
            raise exceptions.AuthenticationFailed(msg)
        # Backstop for views that replace the default permission classes: the token's scope
        # and read-only flag are checked here too (the same rule as TokenScopePermission).
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if view is not None:
            refusal = token_refusal(found[1], request.method or "GET", view)
            if refusal is not None:
                raise exceptions.PermissionDenied(refusal)
        attach_two_factor_check(found[0], request)
        return found

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
