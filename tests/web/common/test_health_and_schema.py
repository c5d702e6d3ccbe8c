"""Health check, OpenAPI schema and security headers."""

from __future__ import annotations

import yaml
from django.test import Client


def test_healthz_reports_database(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_openapi_schema_is_served_and_describes_the_endpoints(db: None) -> None:
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/sites/",
        "/api/v1/sites/{id}/",
        "/api/v1/organisations/",
        "/api/v1/auth/token/",
    ]:
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/sites/"]


def test_security_headers(db: None) -> None:
    response = Client().get("/healthz")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
