"""Incident endpoints: thin views over ``queries`` (reads) and ``services`` (writes).

Children live under their incident (``/incidents/{id}/timeline/`` …) and are looked up under
it: a child id from another incident is 404 (research §9 #57), and so is every child of an
incident the caller cannot read with content. Invariant violations, unknown fields and attempts
to change immutable fields answer 422 problem+json.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from placeguard.core import errors as pg
from placeguard.core.sharing.model import ItemKind
from placeguard.web.common.api import ListReleasingRows, actor_of, json_object
from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.incidents import queries, services
from placeguard.web.incidents.api.serializers import (
    CustodyEntrySerializer,
    EvidenceSerializer,
    IncidentSerializer,
    LessonSerializer,
    TaskSerializer,
    TimelineEntrySerializer,
)
from placeguard.web.incidents.choices import InvestigationStatus
from placeguard.web.incidents.downloads import evidence_response
from placeguard.web.incidents.models import (
    CustodyEntry,
    Evidence,
    Incident,
    LessonLearned,
    Task,
    TimelineEntry,
)
from placeguard.web.sharing import break_glass
from placeguard.web.sharing.choices import BulletinStatus, Tlp

#: Error codes answered with 422: well-formed input the rules refuse (files included).
_STRICT_CODES = frozenset({"unknown_field", "immutable", "unsupported_type", "too_large", "empty"})


class _Strict422:
    """422 for invariant violations and strict-input errors; the rest as usual."""

    required_scope_area = "sharing"

    def handle_exception(self, exc: Exception) -> Response:
        is_strict = isinstance(exc, pg.ValidationError) and (
            isinstance(exc, services.InvariantError)
            or any(e.code in _STRICT_CODES for e in exc.errors)
        )
        if is_strict:
            assert isinstance(exc, pg.ValidationError)
            errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
            body = problem(422, exc.code, exc.message, errors=errors)
            return Response(body, status=422, content_type=PROBLEM_CONTENT_TYPE)
        return super().handle_exception(exc)  # type: ignore[misc, no-any-return]


def filtered(rows: QuerySet[Incident], params: Any) -> QuerySet[Incident]:
    """``?tlp=``, ``?status=``, ``?investigation_status=`` and ``?q=`` (stubs never match q)."""
    tlp = params.get("tlp")
    if tlp:
        rows = rows.filter(tlp=tlp if tlp in Tlp.values else "-")
    state = params.get("status")
    if state:
        rows = rows.filter(status=state if state in BulletinStatus.values else "-")
    inv = params.get("investigation_status")
    if inv:
        rows = rows.filter(
            Q(is_stub=False),
            investigation_status=inv if inv in InvestigationStatus.values else "-",
        )
    q = (params.get("q") or "").strip()
    if q:
        rows = rows.filter(Q(is_stub=False)).filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return rows


class IncidentViewSet(
    _Strict422,
    ListReleasingRows,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Incident],
):
    """Incidents you may see (withdrawn ones from elsewhere as stubs).

    Filters: ``tlp``, ``status``, ``investigation_status``, ``q``. POST creates a draft; PATCH
    edits (only the originator's publishers relax TLP or widen the audience, audited);
    ``publish`` and ``withdraw``. Children: ``timeline/``, ``tasks/``, ``evidence/``,
    ``custody/``, ``lessons/``.
    """

    serializer_class = IncidentSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        rows = queries.incidents_visible_to(self.request.user).select_related("author", "org")
        if self.action == "list":
            return filtered(rows, self.request.query_params)
        return rows

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        break_glass.log_read(request.user, ItemKind.INCIDENT, record)
        return Response(self.get_serializer(record).data)

    def _read(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        row = self.get_queryset().get(pk=pk)
        return Response(IncidentSerializer(row).data, status=code)

    def _content(self) -> Incident:
        incident = self.get_object()
        if getattr(incident, "is_stub", False):
            msg = "No such incident."
            raise pg.NotFoundError(msg)
        return incident

    @extend_schema(request=None, responses={201: IncidentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = services.create_incident(json_object(request), actor=actor_of(request))
        return self._read(incident.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: IncidentSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = services.update_incident(
            self._content(), json_object(request), actor=actor_of(request)
        )
        return self._read(incident.pk)

    @extend_schema(request=None, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        incident = services.publish_incident(self._content(), actor=actor_of(request))
        code = status.HTTP_200_OK if incident.status == "published" else status.HTTP_202_ACCEPTED
        return self._read(incident.pk, code)

    @extend_schema(request=None, responses={200: IncidentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        body = json_object(request)
        unknown = [pg.FieldError(k, "Unknown field.", "unknown_field") for k in body
                   if k != "reason"]  # fmt: skip
        if unknown:
            msg = "Unknown field."
            raise pg.ValidationError(msg, errors=unknown)
        reason = body.get("reason")
        incident = services.withdraw_incident(
            self._content(),
            reason=reason if isinstance(reason, str) else "",
            actor=actor_of(request),
        )
        return self._read(incident.pk)


class _Child(_Strict422):
    """A child collection under ``/incidents/{incident_pk}/``: the parent is checked first."""

    kwargs: dict[str, Any]

    def _request(self) -> Request:
        view: Any = self
        request: Request = view.request
        return request

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """After authentication: 404 for every route under an incident the caller cannot read."""
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not getattr(self, "swagger_fake_view", False):
            self.incident()

    def incident(self) -> Incident:
        """The parent incident, if the caller reads its content; else 404."""
        return services.get_incident_for(actor_of(self._request()), int(self.kwargs["incident_pk"]))

    def children(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """``rows`` of this parent only (child ids are scoped to the parent)."""
        if getattr(self, "swagger_fake_view", False):  # schema generation has no parent
            return rows.none()
        return rows.filter(incident_id=int(self.kwargs["incident_pk"]))


class TimelineViewSet(
    _Child,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[TimelineEntry],
):
    """The incident's timeline. POST adds an entry (``occurred_at``, ``text``)."""

    serializer_class = TimelineEntrySerializer

    def get_queryset(self) -> QuerySet[TimelineEntry]:
        return self.children(queries.timeline_visible_to(self.request.user)).select_related(
            "author"
        )

    @extend_schema(request=None, responses={201: TimelineEntrySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = services.add_timeline_entry(
            self.incident(), json_object(request), actor=actor_of(request)
        )
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class TaskViewSet(
    _Child,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Task],
):
    """Investigation tasks. POST adds one; PATCH edits (``status``, ``assignee`` …)."""

    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[Task]:
        return self.children(queries.tasks_visible_to(self.request.user)).select_related("author")

    @extend_schema(request=None, responses={201: TaskSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = services.add_task(self.incident(), json_object(request), actor=actor_of(request))
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TaskSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = services.update_task(
            self.get_object(), json_object(request), actor=actor_of(request)
        )
        return Response(TaskSerializer(task).data)


_UPLOAD_SCHEMA = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "description": {"type": "string"},
        },
        "required": ["file"],
    }
}


class EvidenceViewSet(
    _Child,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Evidence],
):
    """Evidence files with the SHA-256 taken at upload.

    POST (multipart: ``file``, ``description``) uploads; ``download/`` serves the bytes as an
    attachment after recomputing the hash (409 if it changed); ``verify/`` recomputes the hash;
    ``custody/`` (POST) records a hand-over (``action``, ``reason``, ``handed_to``). Every
    upload, download, verification and hand-over is a chain-of-custody entry.
    """

    serializer_class = EvidenceSerializer

    def get_queryset(self) -> QuerySet[Evidence]:
        return self.children(queries.evidence_visible_to(self.request.user)).select_related(
            "uploaded_by"
        )

    @extend_schema(request=_UPLOAD_SCHEMA, responses={201: EvidenceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.incident()
        unknown = [k for k in [*request.data.keys(), *request.FILES.keys()]
                   if k not in {"file", "description"}]  # fmt: skip
        upload = request.FILES.get("file")
        errors = [pg.FieldError(k, "Unknown field.", "unknown_field") for k in unknown]
        if upload is None:
            errors.append(pg.FieldError("file", "A file is required.", "required"))
        description = request.data.get("description", "")
        if errors:
            msg = "Invalid upload."
            raise pg.ValidationError(msg, errors=errors)
        assert upload is not None
        evidence = services.upload_evidence(
            incident,
            upload.chunks(),
            filename=upload.name or "",
            description=description if isinstance(description, str) else "",
            actor=actor_of(request),
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    def get_parsers(self) -> list[Any]:
        if getattr(self, "action", None) == "create":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(response=OpenApiTypes.BINARY),
            409: OpenApiResponse(description="The file no longer matches its hash."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, incident_pk: str, pk: str | None = None) -> FileResponse:
        evidence = self.get_object()
        stream = services.download_evidence(evidence, actor=actor_of(request))
        return evidence_response(evidence, stream)

    @extend_schema(request=None, responses={200: CustodyEntrySerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, incident_pk: str, pk: str | None = None) -> Response:
        entry = services.verify_evidence(self.get_object(), actor=actor_of(request))
        return Response(CustodyEntrySerializer(entry).data)

    @extend_schema(request=None, responses={201: CustodyEntrySerializer})
    @action(detail=True, methods=["post"], url_path="custody")
    def hand_over(self, request: Request, incident_pk: str, pk: str | None = None) -> Response:
        entry = services.record_custody(
            self.get_object(), json_object(request), actor=actor_of(request)
        )
        return Response(CustodyEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CustodyViewSet(
    _Child,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[CustodyEntry],
):
    """The incident's chain of custody (read-only, append-only; ``?evidence=`` filters)."""

    serializer_class = CustodyEntrySerializer

    def get_queryset(self) -> QuerySet[CustodyEntry]:
        rows = self.children(queries.custody_visible_to(self.request.user))
        evidence = self.request.query_params.get("evidence", "")
        if evidence:
            rows = rows.filter(evidence_id=int(evidence) if evidence.isdigit() else -1)
        return rows.select_related("actor", "actor_org")


class LessonViewSet(
    _Child,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[LessonLearned],
):
    """Lessons learned. POST adds one; ``practice/`` publishes it as a draft good practice."""

    serializer_class = LessonSerializer

    def get_queryset(self) -> QuerySet[LessonLearned]:
        return self.children(queries.lessons_visible_to(self.request.user)).select_related("author")

    @extend_schema(request=None, responses={201: LessonSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lesson = services.add_lesson(self.incident(), json_object(request), actor=actor_of(request))
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: LessonSerializer})
    @action(detail=True, methods=["post"])
    def practice(self, request: Request, incident_pk: str, pk: str | None = None) -> Response:
        lesson = self.get_object()
        services.publish_lesson_as_practice(lesson, actor=actor_of(request))
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


__all__ = [
    "CustodyViewSet",
    "EvidenceViewSet",
    "IncidentViewSet",
    "LessonViewSet",
    "TaskViewSet",
    "TimelineViewSet",
]
