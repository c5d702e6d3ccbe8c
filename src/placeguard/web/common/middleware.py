"""Response headers that Django does not set by itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Everything is served from this origin: assets come from npm at build time, never a CDN.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


@cache
def tile_source(tile_url: str) -> str | None:
    """The CSP source for a Leaflet tile URL template, or None when tiles are same-origin.

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``.
    """
    parts = urlsplit(tile_url)
    if not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in {"http", "https"} or not re.fullmatch(r"[A-Za-z0-9.*:\[\]-]+", host):
        return None
    return f"{parts.scheme}://{host}"


@cache
def policy_for(tile_url: str, *, inline: bool) -> str:
    """The Content-Security-Policy: tiles may come from their server; admin pages allow inline."""
    csp = CSP
    source = tile_source(tile_url)
    if source is not None:
        csp = csp.replace("img-src 'self' data:", f"img-src 'self' data: {source}")
    if inline:
        csp = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    return csp


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django admin and the API browser use inline scripts and styles.
        inline = request.path.startswith(("/admin/", "/api/v1/docs"))
        tile_url = str(getattr(settings, "PLACEGUARD_TILE_URL", "") or "")
        response.headers.setdefault("Content-Security-Policy", policy_for(tile_url, inline=inline))
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        return response
