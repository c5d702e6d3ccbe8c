"""Security response headers on every response (see docs/security.md).

Pages get a strict Content-Security-Policy: scripts and styles only from this origin (plus a
per-request nonce, ``request.csp_nonce``, for the rare inline ``<script nonce="…">``), no
plugins, no framing, forms post only here. Django admin and the API documentation page are
the only exceptions (their bundled code uses inline script and style). API responses get
``default-src 'none'`` (JSON needs nothing). Every response also carries
X-Content-Type-Options, Referrer-Policy, Permissions-Policy, Cross-Origin-Opener-Policy,
Cross-Origin-Resource-Policy and X-Frame-Options; HSTS and secure cookies are settings
(``PLACEGUARD_HTTPS``, on by default in production).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Everything is served from this origin: assets come from npm at build time, never a CDN.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-src 'none'; "
    "worker-src 'self'; manifest-src 'self'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
#: JSON and files from the API need no sources at all.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()"
)
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


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


def with_nonce(csp: str, nonce: str) -> str:
    """``csp`` with ``'nonce-…'`` added to script-src."""
    return csp.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'", 1)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and the other security headers on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        path = request.path
        # Django admin and the API documentation page use inline scripts and styles.
        inline = path.startswith(("/admin/", "/api/v1/docs"))
        if path.startswith("/api/") and not inline:
            csp = API_CSP
            response.headers.setdefault("Cache-Control", "no-store")
        else:
            tile_url = str(getattr(settings, "PLACEGUARD_TILE_URL", "") or "")
            csp = policy_for(tile_url, inline=inline)
            if not inline:
                csp = with_nonce(csp, nonce)
        response.headers.setdefault("Content-Security-Policy", csp)
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
