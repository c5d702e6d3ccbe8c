"""Optimistic concurrency for API edits: ``ETag`` on reads, ``If-Match`` on writes (catalogue 78).

A record's entity tag is a hash of its model, primary key and ``updated`` timestamp, so every
saved change gives a new tag. A viewset that opts in:

* sets the tag on its detail and edit answers with :func:`with_etag`;
* wraps its edit in ``transaction.atomic()``, calls :func:`if_match_fails` on the record before
  the write, runs the write, then raises :class:`PreconditionFailed` if the tag was stale (the
  transaction rolls the write and its audit event back). :func:`if_match_fails` re-reads the
  stored timestamp under a row lock (``SELECT … FOR UPDATE``), so two clients who read the same
  version cannot both write: the second waits for the first, then gets 412.

Running the write first means its own refusals win over 412 (RFC 9110, section 13.2.1: a
request that would fail anyway is answered as such): an outsider still gets 404, a reader 403 and
invalid input 422, whatever ``If-Match`` says. :func:`check_if_match` is the short form for
callers without such checks.

A stale ``If-Match`` answers 412 problem+json (code ``precondition_failed``) and nothing is
saved. ``If-Match: *`` matches any existing record. A request without ``If-Match`` proceeds (last
write wins, as before) so that existing clients keep working; clients that care send it.
Weak tags (``W/"…"``) never match, as RFC 9110 requires for ``If-Match``.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from django.db import models
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

__all__ = [
    "PreconditionFailed",
    "check_if_match",
    "etag_of",
    "if_match_fails",
    "if_match_tags",
    "with_etag",
]

M = TypeVar("M", bound=models.Model)


class PreconditionFailed(APIException):
    """412: the record changed since the client read it."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This record has changed since you read it. Reload it and try again."
    default_code = "precondition_failed"


def etag_of(obj: models.Model, *, field: str = "updated") -> str:
    """The strong entity tag (quoted) of ``obj``'s current version.

    Parameters
    ----------
    obj
        A saved record with a timestamp that every save changes (``auto_now``).
    field
        The name of that timestamp.
    """
    stamp = getattr(obj, field)
    text = f"{obj._meta.label_lower}:{obj.pk}:{stamp.isoformat() if stamp else ''}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def with_etag(response: Response, obj: models.Model, *, field: str = "updated") -> Response:
    """``response`` with the ``ETag`` header of ``obj``."""
    response["ETag"] = etag_of(obj, field=field)
    return response


def if_match_tags(request: Request) -> list[str] | None:
    """The tags of the ``If-Match`` header (None: no header, so no precondition)."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def if_match_fails(request: Request, obj: models.Model, *, field: str = "updated") -> bool:
    """True when ``If-Match`` is present and names neither ``*`` nor ``obj``'s current version.

    Call it inside the edit's transaction: the stored timestamp is re-read with a row lock, so
    the answer holds until the transaction ends. Without the header nothing is locked or read.

    Parameters
    ----------
    request
        The write request (an empty ``If-Match`` matches nothing).
    obj
        The record about to be changed (already checked for visibility by the caller).
    field
        The timestamp the tag is built from.
    """
    tags = if_match_tags(request)
    if tags is None:
        return False
    manager: Any = type(obj)._default_manager
    current = manager.select_for_update().only("pk", field).get(pk=obj.pk)
    return "*" not in tags and etag_of(current, field=field) not in tags


def check_if_match(request: Request, obj: M, *, field: str = "updated") -> M:
    """``obj`` if :func:`if_match_fails` is false, else :class:`PreconditionFailed` (412)."""
    if if_match_fails(request, obj, field=field):
        raise PreconditionFailed
    return obj
