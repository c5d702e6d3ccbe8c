"""Practice endpoints: thin views over ``queries`` (reads) and ``services`` (writes).

Every read starts from ``queries.practices_visible_to`` (list, detail, search, facet counts).
Invariant violations, unknown fields, unknown tag values and attempts to change immutable fields
answer 422 problem+json with every field problem.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from placeguard.core import errors as pg
from placeguard.core.sharing.model import ItemKind
from placeguard.web.common.api import ListReleasingRows, Pagination, actor_of, json_object
from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.practices import queries, services
from placeguard.web.practices.api.serializers import FacetsSerializer, PracticeSerializer
from placeguard.web.practices.models import Practice
from placeguard.web.sharing import break_glass

SEARCH_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=text)
    for name, text in [
        ("q", "Text in the title or body (case-insensitive)."),
        ("site_type", "A site type id (core vocabulary)."),
        ("scenario", "A scenario id (risk pack)."),
        ("measure", "A measure id (risk pack measure catalogue)."),
        ("kind", "practice or lesson."),
    ]
]


def _only(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = [k for k in body if k not in allowed]
    if unknown:
        msg = "Unknown field."
        raise pg.ValidationError(
            msg, errors=[pg.FieldError(k, "Unknown field.", "unknown_field") for k in unknown]
        )


class PracticeViewSet(
    ListReleasingRows,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Practice],
):
    """Good practices and lessons learned you may see (withdrawn ones from elsewhere as stubs).

    Search: ``q`` (title and body), ``site_type``, ``scenario``, ``measure``, ``kind``. POST
    creates a draft; PATCH edits (only the originator's publishers relax TLP or widen the
    audience, audited); ``publish``, ``withdraw``; ``curate`` (programme office publishers);
    ``facets`` counts the visible search result per tag.
    """

    required_scope_area = "sharing"
    serializer_class = PracticeSerializer
    pagination_class = Pagination

    def handle_exception(self, exc: Exception) -> Response:
        """422 for invariant violations and strict-input errors; the rest as usual."""
        is_strict = isinstance(exc, pg.ValidationError) and (
            isinstance(exc, services.InvariantError)
            or any(e.code in services.STRICT_CODES for e in exc.errors)
        )
        if is_strict:
            assert isinstance(exc, pg.ValidationError)
            errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
            body = problem(422, exc.code, exc.message, errors=errors)
            return Response(body, status=422, content_type=PROBLEM_CONTENT_TYPE)
        return super().handle_exception(exc)

    def get_queryset(self) -> QuerySet[Practice]:
        rows = queries.practices_visible_to(self.request.user)
        if self.action == "list":
            params = queries.SearchParams.from_query(self.request.query_params)
            rows = queries.search_practices(
                self.request.user, params.q, params.site_type, params.scenario,
                params.measure, params.kind,
            )  # fmt: skip
        return rows.select_related("author", "org")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        break_glass.log_read(request.user, ItemKind.PRACTICE, record)
        return Response(self.get_serializer(record).data)

    def _read(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        row = self.get_queryset().get(pk=pk)
        return Response(PracticeSerializer(row).data, status=code)

    def _content(self) -> Practice:
        practice = self.get_object()
        if getattr(practice, "is_stub", False):
            msg = "No such practice."
            raise pg.NotFoundError(msg)
        return practice

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={201: PracticeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        practice = services.create_practice(json_object(request), actor=actor_of(request))
        return self._read(practice.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PracticeSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        practice = services.update_practice(
            self._content(), json_object(request), actor=actor_of(request)
        )
        return self._read(practice.pk)

    @extend_schema(request=None, responses={200: PracticeSerializer, 202: PracticeSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        practice = services.publish_practice(self._content(), actor=actor_of(request))
        code = status.HTTP_200_OK if practice.status == "published" else status.HTTP_202_ACCEPTED
        return self._read(practice.pk, code)

    @extend_schema(request=None, responses={200: PracticeSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        practice = self._content()
        body = json_object(request)
        _only(body, {"reason"})
        reason = body.get("reason")
        services.withdraw_practice(
            practice, reason=reason if isinstance(reason, str) else "", actor=actor_of(request)
        )
        return self._read(practice.pk)

    @extend_schema(request=None, responses={200: PracticeSerializer})
    @action(detail=True, methods=["post"])
    def curate(self, request: Request, pk: str | None = None) -> Response:
        """Mark (``{"curated": true}``) or unmark a practice as curated (programme office)."""
        practice = self._content()
        body = json_object(request)
        _only(body, {"curated"})
        curated = body.get("curated", True)
        if not isinstance(curated, bool):
            msg = "Invalid value."
            raise pg.ValidationError(msg, errors=[pg.FieldError("curated", msg, "invalid")])
        services.curate_practice(practice, curated=curated, actor=actor_of(request))
        return self._read(practice.pk)

    @extend_schema(parameters=SEARCH_PARAMETERS, responses={200: FacetsSerializer})
    @action(detail=False, methods=["get"])
    def facets(self, request: Request) -> Response:
        """Per-tag counts of the visible practices matching the same search as the list."""
        params = queries.SearchParams.from_query(request.query_params)
        counts = queries.facet_counts(request.user, params)
        return Response({"total": sum(counts["kind"].values()), **counts})


__all__ = ["PracticeViewSet"]
