"""Sharing endpoints: thin views over ``queries`` (reads) and ``services`` (writes).

Every read starts from ``queries.bulletins_visible_to`` / ``acks_visible_to`` (list, detail,
search, counts, CSV export, receipts). Invariant violations, unknown fields and attempts to change
immutable fields answer 422 problem+json with every field problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from placeguard.core import errors as pg
from placeguard.core.sharing.model import ItemKind
from placeguard.core.spreadsheet import guard_formula
from placeguard.web.common import etags
from placeguard.web.common.api import ListReleasingRows, Pagination, actor_of, json_object
from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.common.streaming import csv_lines
from placeguard.web.sharing import break_glass, lifecycle, queries, services
from placeguard.web.sharing.api.serializers import (
    AcknowledgementSerializer,
    BulletinSerializer,
    SharingGroupSerializer,
)
from placeguard.web.sharing.choices import BulletinStatus, Tlp
from placeguard.web.sharing.models import Acknowledgement, Bulletin, SharingGroup


class _Strict422:
    """422 for invariant violations and strict-input errors; the rest as usual."""

    def handle_exception(self, exc: Exception) -> Response:
        is_strict = isinstance(exc, pg.ValidationError) and (
            isinstance(exc, services.InvariantError)
            or any(e.code in {"unknown_field", "immutable"} for e in exc.errors)
        )
        if is_strict:
            assert isinstance(exc, pg.ValidationError)
            errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
            body = problem(422, exc.code, exc.message, errors=errors)
            return Response(body, status=422, content_type=PROBLEM_CONTENT_TYPE)
        return super().handle_exception(exc)  # type: ignore[misc, no-any-return]


#: Schema of the optional concurrency precondition on edits (web/common/etags.py).
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the version you read; a stale one answers 412 and saves nothing.",
)
PRECONDITION_FAILED = OpenApiResponse(description="Changed since you read it (stale If-Match).")


def filtered(rows: QuerySet[Bulletin], params: Any) -> QuerySet[Bulletin]:
    """Apply ``?tlp=``, ``?status=`` and ``?q=`` (search looks at content: stubs never match)."""
    tlp = params.get("tlp")
    if tlp:
        rows = rows.filter(tlp=tlp if tlp in Tlp.values else "-")
    state = params.get("status")
    if state:
        rows = rows.filter(status=state if state in BulletinStatus.values else "-")
    q = (params.get("q") or "").strip()
    if q:
        rows = rows.filter(Q(is_stub=False)).filter(Q(title__icontains=q) | Q(body__icontains=q))
    return rows


CSV_HEADER = ["id", "status", "tlp", "org", "title", "published_at", "withdrawal_reason"]


def csv_rows(rows: QuerySet[Bulletin]) -> Iterator[list[str]]:
    """CSV export rows (formula-guarded); stubs leave the title empty."""
    yield CSV_HEADER
    for b in rows.select_related("org").iterator(chunk_size=2000):
        stub = bool(getattr(b, "is_stub", False))
        yield [
            str(b.pk),
            b.status,
            b.tlp,
            guard_formula(b.org.slug),
            "" if stub else guard_formula(b.title),
            b.published_at.isoformat() if b.published_at else "",
            guard_formula(b.withdrawal_reason),
        ]


COUNT_CAP = 500


class _CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most ``limit`` rows: ``SELECT COUNT(*) FROM (... LIMIT limit)``.

    ``limit`` always reaches one row past the requested page, so that page, its ``next`` link and
    every earlier page are exact; only the total beyond it is left uncounted.
    """

    limit = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = cast(QuerySet[Bulletin], self.object_list)
        return rows.order_by()[: self.limit].count()


class BulletinPagination(Pagination):
    """Page-number pagination whose ``count`` stops at 500 (or one row past the page asked).

    The answer keeps the usual ``count`` / ``next`` / ``previous`` / ``results`` and adds
    ``count_exact``: when false, ``count`` is a lower bound and ``counts/`` has the exact total.
    Counting every visible row was the list's dominant cost over 100,000 bulletins.
    """

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        size = self.get_page_size(request) or self.page_size
        try:
            number = max(1, int(request.query_params.get(self.page_query_param, 1)))
        except (TypeError, ValueError):
            number = 1
        limit = max(COUNT_CAP, number * size + 1)
        self.django_paginator_class = type("_Capped", (_CappedPaginator,), {"limit": limit})
        self._limit = limit
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        assert self.page is not None  # paginate_queryset ran first
        response.data["count_exact"] = self.page.paginator.count < self._limit
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count_exact"] = {"type": "boolean"}
        return out


class BulletinViewSet(
    _Strict422,
    ListReleasingRows,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Bulletin],
):
    """Bulletins you may see (withdrawn ones from elsewhere as stubs).

    Filters: ``tlp``, ``status``, ``q`` (title and body). POST creates a draft; PATCH edits
    (only the originator's publishers relax TLP or widen the audience, audited); ``publish``,
    ``withdraw``, ``acknowledge``; ``receipts`` lists who read and acknowledged (originator);
    ``counts`` and ``export`` (CSV) cover exactly what the list shows. The list's ``count`` is
    capped (see :class:`BulletinPagination`; ``count_exact`` says whether it is the total).
    """

    serializer_class = BulletinSerializer
    pagination_class = BulletinPagination

    def get_queryset(self) -> QuerySet[Bulletin]:
        rows = queries.bulletins_visible_to(self.request.user).select_related("author", "org")
        if self.action == "list":
            return filtered(rows, self.request.query_params)
        return rows

    def _read(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        row = self.get_queryset().get(pk=pk)
        return etags.with_etag(Response(self.get_serializer(row).data, status=code), row)

    def _content(self) -> Bulletin:
        bulletin = self.get_object()
        if getattr(bulletin, "is_stub", False):
            msg = "No such bulletin."
            raise pg.NotFoundError(msg)
        return bulletin

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bulletin = self.get_object()
        if not getattr(bulletin, "is_stub", False):
            services.mark_read(bulletin, actor=actor_of(request))
            break_glass.log_read(request.user, ItemKind.BULLETIN, bulletin)
        return etags.with_etag(Response(self.get_serializer(bulletin).data), bulletin)

    @extend_schema(request=None, responses={201: BulletinSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        bulletin = services.create_bulletin(json_object(request), actor=actor_of(request))
        return self._read(bulletin.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH],
        responses={200: BulletinSerializer, 412: PRECONDITION_FAILED},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Edit a draft or published bulletin; ``If-Match`` (optional) guards lost updates."""
        with transaction.atomic():  # a stale If-Match rolls the edit and its audit back
            current = self._content()
            stale = etags.if_match_fails(request, current)
            bulletin = services.update_bulletin(
                current, json_object(request), actor=actor_of(request)
            )
            if stale:  # checked after the edit's own refusals (404, 403, 422 win)
                raise etags.PreconditionFailed
        return self._read(bulletin.pk)

    @extend_schema(request=None, responses={200: BulletinSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        bulletin = services.publish_bulletin(self._content(), actor=actor_of(request))
        code = status.HTTP_200_OK if bulletin.status == "published" else status.HTTP_202_ACCEPTED
        return self._read(bulletin.pk, code)

    @extend_schema(request=None, responses={200: BulletinSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        body = json_object(request)
        unknown = [k for k in body if k != "reason"]
        if unknown:
            msg = "Unknown field."
            raise pg.ValidationError(
                msg, errors=[pg.FieldError(k, "Unknown field.", "unknown_field")
                                          for k in unknown],
            )  # fmt: skip
        reason = body.get("reason")
        bulletin = services.withdraw_bulletin(
            self._content(),
            reason=reason if isinstance(reason, str) else "",
            actor=actor_of(request),
        )
        return self._read(bulletin.pk)

    @extend_schema(request=None, responses={200: AcknowledgementSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        ack = services.acknowledge(self._content(), actor=actor_of(request))
        return Response(AcknowledgementSerializer(ack).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, pk: str | None = None) -> Response:
        """R9: a recipient's publisher forwards within TLP limits (``orgs``, ``reason``)."""
        bulletin = self._content()  # outsiders get 404 whatever they send
        body = json_object(request)
        orgs, reason = body.get("orgs"), body.get("reason", "")
        errors = [pg.FieldError(k, "Unknown field.", "unknown_field") for k in body
                  if k not in {"orgs", "reason"}]  # fmt: skip
        if not isinstance(orgs, list) or not all(
            isinstance(o, int) and not isinstance(o, bool) for o in orgs
        ):
            errors.append(pg.FieldError("orgs", "A list of organisation ids.", "invalid"))
        if not isinstance(reason, str):
            errors.append(pg.FieldError("reason", "Text expected.", "invalid"))
        if errors:
            msg = "Invalid forwarding request."
            raise pg.ValidationError(msg, errors=errors)
        added = lifecycle.forward_bulletin(
            bulletin, to_orgs=cast(list[int], orgs), actor=actor_of(request), reason=reason
        )
        return Response({"bulletin": bulletin.pk, "forwarded_to": list(added)})

    @extend_schema(responses={200: AcknowledgementSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def receipts(self, request: Request, pk: str | None = None) -> Response:
        bulletin = self._content()
        user = actor_of(request)
        if user.organisation_id != bulletin.org_id:
            msg = "Receipts are for the originating organisation."
            raise pg.PermissionDeniedError(msg)
        acks = (
            queries.acks_visible_to(user)
            .filter(bulletin=bulletin)
            .select_related("user", "org")
            .order_by("org__name", "user__username")
        )
        return Response(AcknowledgementSerializer(acks, many=True).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        rows = filtered(
            queries.bulletins_visible_to(request.user, whole_set=True), request.query_params
        )
        by_tlp = dict(rows.values_list("tlp").annotate(n=Count("id")).order_by())
        by_status = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
        return Response({"total": sum(by_tlp.values()), "tlp": by_tlp, "status": by_status})

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> StreamingHttpResponse:
        rows = filtered(
            queries.bulletins_visible_to(request.user, whole_set=True), request.query_params
        )
        response = StreamingHttpResponse(csv_lines(csv_rows(rows)), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="bulletins.csv"'
        return response


class SharingGroupViewSet(
    _Strict422,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[SharingGroup],
):
    """Sharing groups your organisation owns or belongs to (W4).

    POST creates one (publishers and org admins); PATCH edits settings and the membership rule
    (owner or extenders); ``members`` (POST) sets the explicit members.
    """

    serializer_class = SharingGroupSerializer

    def get_queryset(self) -> QuerySet[SharingGroup]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no real user
            return SharingGroup.objects.none()
        return (
            services.groups_visible_to(actor_of(self.request))
            .select_related("owner")
            .prefetch_related("rule_regions", Prefetch("memberships"))
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["viewer_org"] = getattr(self.request.user, "organisation_id", None)
        return context

    def _read(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        row = self.get_queryset().get(pk=pk)
        return etags.with_etag(Response(self.get_serializer(row).data, status=code), row)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = self.get_object()
        return etags.with_etag(Response(self.get_serializer(group).data), group)

    @extend_schema(request=None, responses={201: SharingGroupSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        group = services.create_group(json_object(request), actor=actor_of(request))
        return self._read(group.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH],
        responses={200: SharingGroupSerializer, 412: PRECONDITION_FAILED},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = json_object(request)
        immutable = [k for k in ("id", "owner") if k in body]
        if immutable:
            msg = "Immutable field."
            raise pg.ValidationError(
                msg,
                errors=[pg.FieldError(k, "Cannot change.", "immutable") for k in immutable],
            )
        with transaction.atomic():  # a stale If-Match rolls the edit and its audit back
            current = self.get_object()
            stale = etags.if_match_fails(request, current)
            group = services.update_group(current, body, actor=actor_of(request))
            if stale:
                raise etags.PreconditionFailed
        return self._read(group.pk)

    @extend_schema(request=None, responses={200: SharingGroupSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        body = json_object(request)
        raw = body.get("members")
        if set(body) != {"members"} or not isinstance(raw, list):
            msg = 'Expected {"members": [{"organisation": id, "extender": bool}]}.'
            raise pg.ValidationError(
                msg,
                errors=[pg.FieldError("members", "Invalid value.", "invalid")],
            )
        members: dict[int, bool] = {}
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("organisation"), int):
                msg = "Invalid member."
                raise pg.ValidationError(msg, errors=[pg.FieldError("members", "Invalid member.")])
            members[entry["organisation"]] = bool(entry.get("extender", False))
        group = services.set_group_members(self.get_object(), members, actor=actor_of(request))
        return self._read(group.pk)


__all__ = ["Acknowledgement", "BulletinViewSet", "SharingGroupViewSet"]
