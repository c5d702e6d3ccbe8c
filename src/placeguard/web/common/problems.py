"""RFC 9457 problem+json for every API error, including PlaceGuard's own error hierarchy."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from placeguard.core import errors as pg

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://placeguard.readthedocs.io/problems/"

_STATUS_FOR: list[tuple[type[pg.PlaceguardError], int]] = [
    (pg.ValidationError, status.HTTP_400_BAD_REQUEST),
    (pg.NotFoundError, status.HTTP_404_NOT_FOUND),
    (pg.PermissionDeniedError, status.HTTP_403_FORBIDDEN),
    (pg.ConflictError, status.HTTP_409_CONFLICT),
]


def problem(
    status_code: int,
    code: str,
    title: str,
    detail: str = "",
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The problem document body."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status_code,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of ``{field, message, code}``."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, "" if key == "non_field_errors" else name))
    elif isinstance(detail, list):
        for item in detail:
            out.extend(_flatten(item, prefix))
    else:
        code = getattr(detail, "code", "invalid")
        out.append({"field": prefix or "__all__", "message": str(detail), "code": str(code)})
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER``: every error leaves as problem+json."""
    if isinstance(exc, pg.PlaceguardError):
        code_status = next((s for cls, s in _STATUS_FOR if isinstance(exc, cls)), 400)
        errors = None
        if isinstance(exc, pg.ValidationError):
            errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
        body = problem(code_status, exc.code, exc.message, errors=errors)
        return Response(body, status=code_status, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        error_id = uuid.uuid4().hex
        logger.exception("Unhandled API error %s", error_id, exc_info=exc)
        body = problem(500, "server_error", "Internal server error.", f"Error id {error_id}.")
        return Response(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            response.status_code, "validation_error", "Invalid input.", errors=_flatten(exc.detail)
        )
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        body = problem(response.status_code, code, str(exc.detail))
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for unknown URLs under /api/, as problem+json."""
    return JsonResponse(
        problem(404, "not_found", "Not found."), status=404, content_type=PROBLEM_CONTENT_TYPE
    )
