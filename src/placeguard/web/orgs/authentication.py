"""DRF authentication with PlaceGuard API tokens (``Authorization: Token <secret>``)."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from placeguard.web.orgs.models import ApiToken, User
from placeguard.web.orgs.services import authenticate_token


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
            msg = "Invalid or expired token."
            raise exceptions.AuthenticationFailed(msg)
        return found

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
