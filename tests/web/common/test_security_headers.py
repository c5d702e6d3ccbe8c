"""Security headers on pages and API responses, and the production security settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.test import Client

from tests.conftest import World
from tests.web.helpers import token_client

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _directives(csp: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in csp.split(";")
    }


def test_page_headers(world: World) -> None:
    client = Client()
    client.force_login(world.users["mall_reader"])
    response = client.get("/sites/")
    assert response.status_code == 200
    for name, value in COMMON.items():
        assert response[name] == value, name
    assert "camera=()" in response["Permissions-Policy"]
    csp = _directives(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert csp["script-src"].startswith("'self' 'nonce-")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    nonce = csp["script-src"].split("'nonce-")[1].rstrip("'")
    assert response.wsgi_request.csp_nonce == nonce  # type: ignore[attr-defined]
    again = _directives(client.get("/sites/")["Content-Security-Policy"])
    assert again["script-src"] != csp["script-src"]  # a fresh nonce per response


def test_login_page_headers(db: None) -> None:
    response = Client().get("/login/")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert _directives(response["Content-Security-Policy"])["frame-ancestors"] == "'none'"


def test_api_headers(world: World) -> None:
    response = token_client(world.users["mall_reader"]).get("/api/v1/sites/")
    assert response.status_code == 200
    for name, value in COMMON.items():
        assert response[name] == value, name
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"


def test_only_admin_and_api_docs_allow_inline(world: World) -> None:
    client = Client()
    client.force_login(world.users["platform_admin"])
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "'unsafe-inline'" in admin["Content-Security-Policy"]
    page = client.get("/organisation/")
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]


def test_no_inline_script_or_handlers_in_templates() -> None:
    """The strict CSP would block them: every script is a same-origin file."""
    import re
    from pathlib import Path

    import placeguard

    root = Path(placeguard.__file__).parent
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "/admin/" in str(path):
            continue
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and "application/json" not in attrs and "nonce" not in attrs:
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son(click|load|error|submit|change|input|mouseover)\s*=", text):
            offenders.append(f"{path.name}: inline event handler")
        if re.search(r"javascript:", text):
            offenders.append(f"{path.name}: javascript: URL")
    assert not offenders, offenders


def _production_settings(**extra: str) -> dict[str, object]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PLACEGUARD_", "DJANGO_"))
    }
    env.update(
        PLACEGUARD_ENV="production",
        PLACEGUARD_SECRET_KEY="k" * 50,
        PLACEGUARD_ALLOWED_HOSTS="placeguard.example",
        DATABASE_URL="sqlite:///:memory:",
        **extra,
    )
    code = (
        "import json; from placeguard.web.config import settings as s; print(json.dumps({k: "
        "getattr(s, k) for k in ['SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'SESSION_COOKIE_SAMESITE', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'CSRF_COOKIE_HTTPONLY']}))"
    )
    out = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_production_settings_are_secure() -> None:
    values = _production_settings()
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    # allowed case: a plain-HTTP deployment (behind nothing) can opt out explicitly
    plain = _production_settings(PLACEGUARD_HTTPS="0")
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["SECURE_HSTS_SECONDS"] == 0
