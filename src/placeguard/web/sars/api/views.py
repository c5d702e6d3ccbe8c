"""SAR endpoints: thin views over ``queries`` (reads) and ``services`` (writes).

Every read starts from ``queries.sars_visible_to`` (outsiders get 404). Every bad input — unknown
fields, wrong types, missing facts, an impossible transition, a rejected file — answers **422**
problem+json with one entry per field problem, and nothing is saved. Downloads check the file's
SHA-256 and are always sent as attachments with ``nosniff`` (a mismatch answers 409).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from placeguard.core import errors as pg
from placeguard.web.common.api import Pagination, actor_of
from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.sars import queries, services, uploads
from placeguard.web.sars.api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    NoteInputSerializer,
    SarCreateSerializer,
    SarDetailSerializer,
    SarListSerializer,
    VetInputSerializer,
    VettingNoteSerializer,
)
from placeguard.web.sars.choices import BehaviourCode, SarStatus
from placeguard.web.sars.models import SuspiciousActivityReport


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, "" if key == "non_field_errors" else name))
    elif isinstance(detail, list):
        for item in detail:
            out.extend(_flatten(item, prefix))
    else:
        code = str(getattr(detail, "code", "invalid"))
        out.append({"field": prefix or "__all__", "message": str(detail), "code": code})
    return out


def _problem(status_code: int, code: str, title: str, errors: Any = None) -> Response:
    body = problem(status_code, code, title, errors=errors)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _checked(serializer_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    """The request body through a strict serializer; every problem → 422."""
    data: Any = request.data
    if not isinstance(data, dict):
        msg = "A JSON object is expected."
        raise pg.ValidationError(msg, code="parse_error")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _read_files(request: Request) -> list[tuple[str, bytes]]:
    """Uploaded ``file`` parts, each read at most one byte past the size limit."""
    limit = uploads.max_upload_bytes()
    return [(f.name or "attachment", f.read(limit + 1)) for f in request.FILES.getlist("file")]


class SarViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SuspiciousActivityReport],
):
    """Suspicious-activity reports you may read (R11).

    Filters: ``status``, ``site``, ``behaviour``. POST files a report about a site your
    organisation operates (reporters and above); ``vet`` moves it through police vetting;
    ``notes`` adds a law-enforcement-only note; ``attachments`` uploads files (multipart);
    ``attachments/{id}/download`` returns a file after checking its SHA-256.
    """

    required_scope_area = "sharing"
    serializer_class = SarDetailSerializer
    pagination_class = Pagination

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, pg.ValidationError):
            errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
            return _problem(422, exc.code, exc.message, errors)
        if isinstance(exc, exceptions.ValidationError):
            return _problem(422, "validation_error", "Invalid input.", _flatten(exc.detail))
        if isinstance(exc, exceptions.ParseError):
            return _problem(422, "parse_error", str(exc.detail))
        if isinstance(exc, pg.IntegrityError):
            return _problem(409, exc.code, exc.message)
        return super().handle_exception(exc)

    def get_serializer_class(self) -> type[Serializer[Any]]:
        return SarListSerializer if self.action == "list" else SarDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": self.request.user}

    def get_queryset(self) -> Any:
        rows = queries.sars_visible_to(self.request.user).select_related("site", "org")
        rows = rows.prefetch_related("behaviours")
        if self.action != "list":
            return rows.prefetch_related(
                "status_changes", "attachments", "disseminations__to_org",
                "disseminations__released_by_org",
            )  # fmt: skip
        params = self.request.query_params
        state = params.get("status")
        if state:
            rows = rows.filter(status=state if state in SarStatus.values else "-")
        site = params.get("site")
        if site:
            rows = rows.filter(site_id=int(site) if site.isdigit() else -1)
        code = params.get("behaviour")
        if code:
            rows = rows.filter(behaviours__code=code if code in BehaviourCode.values else "-")
        return rows

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sar = self.get_object()
        services.record_read(sar, actor=actor_of(request))
        return Response(SarDetailSerializer(sar, context={"viewer": request.user}).data)

    def _detail(self, sar: SuspiciousActivityReport, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=sar.pk)
        return Response(SarDetailSerializer(fresh, context={"viewer": self.request.user}).data,
                        status=code)  # fmt: skip

    @extend_schema(request=SarCreateSerializer, responses={201: SarDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _checked(SarCreateSerializer, request)
        raw = {k: v for k, v in request.data.items() if k in data}  # the service parses text
        sar = services.file_sar(raw, actor=actor_of(request))
        return self._detail(sar, status.HTTP_201_CREATED)

    @extend_schema(request=VetInputSerializer, responses={200: SarDetailSerializer})
    @action(detail=True, methods=["post"])
    def vet(self, request: Request, pk: str | None = None) -> Response:
        """Move the report through vetting (analysts of a force holding it)."""
        sar = services.get_sar_for(actor_of(request), pk)
        _checked(VetInputSerializer, request)
        services.vet_sar(sar, dict(request.data), actor=actor_of(request))
        return self._detail(sar)

    @extend_schema(request=NoteInputSerializer, responses={201: VettingNoteSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """Add a law-enforcement-only vetting note."""
        sar = services.get_sar_for(actor_of(request), pk)
        data = _checked(NoteInputSerializer, request)
        note = services.add_note(sar, data.get("body"), actor=actor_of(request))
        return Response(VettingNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """Upload files (multipart ``file`` parts): checked by content, hashed, all or none."""
        sar = services.get_sar_for(actor_of(request), pk)
        unknown = sorted(k for k in {*request.data.keys(), *request.FILES.keys()} if k != "file")
        if unknown:
            errors = [{"field": k, "message": "Unknown field.", "code": "unknown_field"}
                      for k in unknown]  # fmt: skip
            return _problem(422, "validation_error", "Invalid input.", errors)
        rows = services.add_attachments(sar, _read_files(request), actor=actor_of(request))
        return Response(AttachmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("attachment_id", int, OpenApiParameter.PATH),
            OpenApiParameter("copy", str, enum=["original", "shared"]),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>\d+)/download",
        url_name="download",
    )
    def download(
        self, request: Request, pk: str | None = None, attachment_id: str | None = None
    ) -> HttpResponse:
        """The file, if its SHA-256 still matches the upload's (else 409, audited)."""
        sar = services.get_sar_for(actor_of(request), pk)
        copy = request.query_params.get("copy", "original")
        file = services.open_attachment(sar, attachment_id, actor=actor_of(request), copy=copy)
        return attachment_response(file)


def attachment_response(file: services.Download) -> HttpResponse:
    """Never inline: ``Content-Disposition: attachment``, ``nosniff``, a sandboxing CSP."""
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, file.filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = file.sha256
    response["X-PlaceGuard-Copy"] = file.copy
    return response
