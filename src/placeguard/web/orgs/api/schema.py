"""OpenAPI description of PlaceGuard's token authentication (imported by the app config)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped base
    """``Authorization: Token <secret>``, issued by ``POST /api/v1/auth/token/``."""

    target_class = "placeguard.web.orgs.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>`; get one from POST /api/v1/auth/token/.",
        }
