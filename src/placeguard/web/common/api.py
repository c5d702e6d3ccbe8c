"""Base pieces for every app's API: pagination, the acting user and the JSON body."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from placeguard.core.errors import ValidationError
from placeguard.web.orgs.models import User

__all__ = ["ListReleasingRows", "Pagination", "actor_of", "json_object"]


def actor_of(request: Request) -> User:
    """The signed-in user of an API request (the view's ``IsAuthenticated`` ran first)."""
    user = request.user
    assert isinstance(user, User)
    return user


def json_object(request: Request) -> dict[str, Any]:
    """The request body as a dict; any other JSON value is a 400 ``parse_error``."""
    data: Any = request.data
    if not isinstance(data, dict):
        msg = "A JSON object is expected."
        raise ValidationError(msg, code="parse_error")
    return dict(data)


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 500 per page)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ListReleasingRows(mixins.ListModelMixin):
    """DRF's list, which lets go of the page's model instances once they are rendered.

    DRF links the view, its request, its paginator and its response to each other, and the list
    serializer to its fields; those reference cycles are freed only by Python's full garbage
    collection, and until then they keep the page's model instances (and everything they
    reference) alive. With many requests the heap grows and each full collection stalls a
    request for 100–300 ms. Handing the response a plain list and dropping the instances from
    the serializer and the paginator's page leaves the cycles small and lets reference
    counting free the rows at once.
    """

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        queryset = view.filter_queryset(view.get_queryset())
        page = view.paginate_queryset(queryset)
        rows = list(queryset if page is None else page)
        data = list(view.get_serializer(rows, many=True).data)  # plain: no link to the serializer
        # The serializer (its ``instance``) and its child (its ``_args``) hold this very list.
        rows.clear()
        if page is None:
            return Response(data)
        response: Response = view.get_paginated_response(data)
        shown = getattr(view.paginator, "page", None)  # page-number paginators keep the page
        if shown is not None:
            shown.object_list = ()
        return response
