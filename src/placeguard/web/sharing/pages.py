"""What the pages of every shareable kind (bulletins, incidents, practices) do the same way.

Each kind's views keep their own lookups, permissions and templates; these helpers hold the
shape they share: a service refusal becomes the page's 404 or 403 (outsiders never learn that
a record exists), the write form posts to a service and redirects to the record or answers
422 with the service's messages on the fields, and the publish / withdraw actions flash the
outcome. The form's starting values of the sharing fields come from one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from placeguard.core.errors import NotFoundError, PermissionDeniedError, PlaceguardError
from placeguard.core.sharing.model import ItemKind
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.orgs.models import User
from placeguard.web.sharing import break_glass
from placeguard.web.sharing.choices import BulletinStatus
from placeguard.web.sharing.items import BOOL_FIELDS, SharingData
from placeguard.web.sharing.shareable import SharedItem

__all__ = [
    "break_glass_context",
    "flash_failure",
    "flash_published",
    "form_page",
    "raise_as_http",
    "sharing_initial",
]


def raise_as_http(exc: PlaceguardError) -> None:
    """Re-raise a not-found or permission refusal as Django's 404 or 403; return otherwise."""
    if isinstance(exc, NotFoundError):
        raise Http404(exc.message) from exc
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message) from exc


def flash_failure(request: HttpRequest, exc: PlaceguardError) -> None:
    """Show a refused action's message and its field details (404 / 403 are raised instead)."""
    raise_as_http(exc)
    details = " ".join(f"{e.field}: {e.message}" for e in getattr(exc, "errors", ()))
    messages.error(request, f"{exc.message} {details}".strip())


def break_glass_context(user: User, kind: ItemKind, record: SharedItem) -> dict[str, Any]:
    """Log a read under break-glass, and the banner's grants for the originator (R10)."""
    break_glass.log_read(user, kind, record)
    return {"break_glass": break_glass.banner_for(user, kind, record)}


def flash_published(request: HttpRequest, record: SharedItem) -> None:
    """Say whether publishing went through or waits for a second publisher's approval."""
    if record.status == BulletinStatus.DRAFT:
        messages.info(request, _("A second publisher must approve this broadcast."))
    else:
        messages.success(request, _("Published."))


def sharing_initial(data: SharingData) -> dict[str, Any]:
    """A write form's starting values for the sharing fields of a stored record."""
    return {
        **{name: getattr(data, name) for name in BOOL_FIELDS},
        "tlp": data.tlp.value,
        "groups": list(data.groups),
        "orgs": list(data.orgs),
        "users": list(data.users),
        "need_to_know": ", ".join(sorted(data.need_to_know or ())),
    }


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    record: SharedItem | None,
    create: Callable[..., SharedItem],
    update: Callable[..., SharedItem],
    actor: User,
    saved: str,
    detail_url: Callable[[int], str],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Render a write form, or save a valid post and go to the record.

    ``create(raw, actor=actor)`` makes a new record when ``record`` is None, else
    ``update(record, raw, actor=actor)`` edits it (the kind's service functions).

    A refusal of the service puts its messages on the form's fields and answers 422 (nothing
    was written: the services validate before writing); 404 and 403 are raised as such.
    """
    if request.method == "POST" and form.is_valid():
        try:
            raw = form.raw()  # type: ignore[attr-defined]  # every kind's write form has raw()
            if record is None:
                record = create(raw, actor=actor)
            else:
                record = update(record, raw, actor=actor)
        except PlaceguardError as exc:
            raise_as_http(exc)
            apply_service_errors(form, exc)
        else:
            messages.success(request, saved)
            return HttpResponseRedirect(detail_url(record.pk))
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)
