"""Helpers for API tests."""

from __future__ import annotations

from typing import Any

from django.core.signals import request_finished
from django.db import close_old_connections
from rest_framework.test import APIClient


def token_client(user: Any) -> APIClient:
    """An API client authenticated with a real API token of ``user`` (None: anonymous)."""
    client = APIClient()
    if user is not None:
        from placeguard.web.orgs.services import issue_token

        _, secret = issue_token(user, actor=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem+json response and return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "code"} <= set(body)
    if code is not None:
        assert body["code"] == code
    return body


def close_response(response: Any) -> None:
    """Close a (streamed) response inside a test without closing the database connection.

    ``response.close()`` sends ``request_finished``, whose ``close_old_connections`` handler
    closes a PostgreSQL connection held in the test's transaction (SQLite's in-memory database
    ignores it). The test client disconnects that handler around its own closes; so does this.
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
