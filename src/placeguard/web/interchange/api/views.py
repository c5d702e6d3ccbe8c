"""Interchange endpoints: STIX 2.1 bundle and MISP event downloads, STIX upload.

``GET /api/v1/interchange/stix/?max_tlp=amber&kinds=bulletin,location`` and
``GET /api/v1/interchange/misp/?max_tlp=green`` download what the caller may export (see
``services``); ``POST /api/v1/interchange/stix/`` (a JSON body, or multipart with a ``file``
field) imports reports, notes and incidents as organisation-only drafts: 201 with their ids, or
422 with every problem. Hostile input (too large, too deep, not JSON, ``file://`` references)
is a 422.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from placeguard.core import errors as pg
from placeguard.core.interchange.stix import MAX_BYTES
from placeguard.core.vocab import TLP
from placeguard.web.common.api import actor_of
from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.interchange import services

__all__ = ["MispExportView", "StixView"]

STIX_CONTENT_TYPE = "application/stix+json;version=2.1"
_TLP_PARAM = OpenApiParameter(
    "max_tlp",
    str,
    enum=[t.value for t in TLP],
    description="Most restrictive TLP level to include (default green).",
)
_KINDS_PARAM = OpenApiParameter(
    "kinds", str, description="Comma-separated kinds to include (default: all registered)."
)


def _too_large() -> pg.ValidationError:
    msg = f"The file is larger than {MAX_BYTES} bytes."
    return services.ImportRefusedError(msg, errors=[pg.FieldError("file", msg)])


class RawBody(dict[str, bytes]):
    """A JSON body kept as bytes under ``"raw"``: the importer decodes it with its own limits."""


class RawJSONParser(BaseParser):
    """Hands the JSON body over undecoded (at most ``MAX_BYTES``) as a :class:`RawBody`."""

    media_type = "application/json"

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> RawBody:
        data = stream.read(MAX_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_BYTES:
            raise _too_large()
        return RawBody(raw=bytes(data))


class _Problems422:
    """Refused imports and malformed uploads answer 422 problem+json; the rest as usual."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RequestDataTooBig | SuspiciousOperation):
            exc = _too_large()
        if isinstance(exc, services.ImportRefusedError):
            errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
            body = problem(422, exc.code, exc.message, errors=errors)
            return Response(body, status=422, content_type=PROBLEM_CONTENT_TYPE)
        return super().handle_exception(exc)  # type: ignore[misc, no-any-return]


def _download(document: dict[str, Any], *, filename: str, content_type: str) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=1)
    response = HttpResponse(body.encode(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _upload(request: Request) -> bytes:
    data: Any = request.data
    if isinstance(data, RawBody):
        return data["raw"]
    upload = request.FILES.get("file") if hasattr(request, "FILES") else None
    if upload is None:
        msg = "Send the bundle as a JSON body or as a multipart field named 'file'."
        raise services.ImportRefusedError(msg, errors=[pg.FieldError("file", msg)])
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _too_large()
    return bytes(upload.read(MAX_BYTES + 1))


class StixView(_Problems422, APIView):
    """STIX 2.1: download a bundle of what you may export, or import a bundle as drafts."""

    required_scope_area = "sharing"
    parser_classes = [RawJSONParser, MultiPartParser]

    @extend_schema(
        parameters=[_TLP_PARAM, _KINDS_PARAM],
        responses={(200, STIX_CONTENT_TYPE): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        """A STIX 2.1 bundle (attachment) of the bulletins and locations you may export."""
        max_tlp = services.parse_max_tlp(request.query_params.get("max_tlp"))
        kinds = services.parse_kinds(request.query_params.get("kinds"))
        result = services.export_for(actor_of(request), max_tlp=max_tlp, kinds=kinds, fmt="stix")
        name = f"placeguard-stix-{max_tlp.value.replace('+', '-')}.json"
        return _download(result.document, filename=name, content_type=STIX_CONTENT_TYPE)

    @extend_schema(
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": OpenApiTypes.OBJECT,
        },
        responses={
            201: OpenApiTypes.OBJECT,
            422: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused, with every problem."),
        },
    )
    def post(self, request: Request) -> Response:
        """Import a bundle: reports and notes become draft bulletins, incidents draft incidents.

        Everything is organisation-only; ``created`` lists the bulletins and
        ``created_incidents`` the incidents.
        """
        raw = _upload(request)
        result = services.import_bundle(raw, actor=actor_of(request))
        notes = [
            {"stix_id": n.stix_id, "field": n.field, "message": n.message} for n in result.notes
        ]
        return Response(
            {
                "created": list(result.created),
                "created_incidents": list(result.created_incidents),
                "notes": notes,
            },
            status=status.HTTP_201_CREATED,
        )


class MispExportView(APIView):
    """MISP event JSON of what you may export (never above ``max_tlp``; TLP tags only)."""

    required_scope_area = "sharing"

    @extend_schema(
        parameters=[_TLP_PARAM, _KINDS_PARAM],
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        """MISP events (attachment), one per bulletin or location."""
        max_tlp = services.parse_max_tlp(request.query_params.get("max_tlp"))
        kinds = services.parse_kinds(request.query_params.get("kinds"))
        result = services.export_for(actor_of(request), max_tlp=max_tlp, kinds=kinds, fmt="misp")
        name = f"placeguard-misp-{max_tlp.value.replace('+', '-')}.json"
        return _download(result.document, filename=name, content_type="application/json")
