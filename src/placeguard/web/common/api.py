"""Base pieces for every app's API: pagination, the acting user and the JSON body."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from placeguard.core.errors import ValidationError
from placeguard.web.orgs.models import User

__all__ = ["Pagination", "actor_of", "json_object"]


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
