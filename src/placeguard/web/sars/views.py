"""SAR pages: list, file a report, detail (with vetting, notes and downloads).

Reads start from ``queries`` (outsiders get 404); writes call ``services``; a rejected form is
answered 422 with the service's messages on its fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    PlaceguardError,
    ValidationError,
)
from placeguard.core.vocab import OrgKind
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sars import queries, services, uploads
from placeguard.web.sars.api.views import attachment_response
from placeguard.web.sars.choices import BEHAVIOURS, SarStatus
from placeguard.web.sars.forms import NoteForm, SarForm, VetForm
from placeguard.web.sars.models import SuspiciousActivityReport
from placeguard.web.sharing.principals import principal_for
from placeguard.web.sites.models import Site


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _sar(user: User, pk: int) -> SuspiciousActivityReport:
    try:
        return services.get_sar_for(user, pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _fail(exc: PlaceguardError) -> None:
    if isinstance(exc, NotFoundError):
        raise Http404(exc.message) from exc
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message) from exc


def can_file(user: User) -> bool:
    """True if ``user`` may file reports (reporters and above of an operator)."""
    p = principal_for(user)
    return (
        p is not None
        and p.org_kind in {OrgKind.OPERATOR, OrgKind.COMMUNITY}
        and p.has_role(services.FILING_ROLES)
    )


@login_required
@require_GET
def sar_list(request: HttpRequest) -> HttpResponse:
    """Reports you may read, newest first, filtered by status."""
    user = _user(request)
    rows = queries.sars_visible_to(user).select_related("site").prefetch_related("behaviours")
    state = request.GET.get("status", "")
    if state:
        rows = rows.filter(status=state if state in SarStatus.values else "-")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": [c for c in SarStatus.choices if c[0] != SarStatus.PURGED],
        "status": state,
        "can_file": can_file(user),
    }
    return render(request, "sars/sar_list.html", context)


def _files(request: HttpRequest) -> list[tuple[str, bytes]]:
    limit = uploads.max_upload_bytes()
    return [
        (f.name or "attachment", f.read(limit + 1)) for f in request.FILES.getlist("attachments")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def sar_create(request: HttpRequest) -> HttpResponse:
    """File a report about one of your organisation's sites."""
    user = _user(request)
    if not can_file(user):
        raise PermissionDenied(_("Reporters and above of a site's operator file reports."))
    own = Site.objects.filter(operator_id=user.organisation_id).values_list("pk", "name")
    sites = [(str(pk), name) for pk, name in own]
    form = SarForm(request.POST or None, request.FILES or None, sites=sites,
                   initial={"reporter_full_name": user.get_full_name()})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            sar = services.file_sar(form.raw(), actor=user, files=_files(request))
        except PlaceguardError as exc:
            _fail(exc)
            for err in exc.errors if isinstance(exc, ValidationError) else ():
                target = form.service_field(err.field)
                form.add_error(target if target in form.fields else None, err.message)
            if not isinstance(exc, ValidationError):
                apply_service_errors(form, exc)
        else:
            messages.success(request, _("Report filed with the site's responsible police."))
            return HttpResponseRedirect(reverse("sars:detail", args=[sar.pk]))
    status = 422 if request.method == "POST" else 200
    return render(request, "sars/sar_form.html", {"form": form}, status=status)


def _forces(sar: SuspiciousActivityReport) -> list[tuple[str, str]]:
    held = sar.audience_rows.values("org_id")
    rows = Organisation.objects.filter(kind=OrgKind.LAW_ENFORCEMENT, active=True, vetted=True)
    return list(rows.exclude(pk__in=held).values_list("slug", "name"))


def _detail_context(user: User, sar: SuspiciousActivityReport) -> dict[str, Any]:
    principal = principal_for(user)
    may_vet = services.can_vet(principal, sar)
    may_notes = queries.may_read_notes(user, sar)
    return {
        "sar": sar,
        "behaviours": [BEHAVIOURS[b.code] for b in sar.behaviours.all()],
        "identity": queries.identities_visible_to(user).filter(sar=sar).first(),
        "notes": (
            list(queries.notes_visible_to(user).filter(sar=sar).select_related("org"))
            if may_notes
            else None
        ),
        "history": list(queries.status_changes_visible_to(user).filter(sar=sar)),
        "attachments": list(queries.attachments_visible_to(user).filter(sar=sar)),
        "disseminations": list(
            queries.disseminations_visible_to(user)
            .filter(sar=sar)
            .select_related("to_org", "released_by_org")
        ),
        "is_police": getattr(user.organisation, "kind", "") == OrgKind.LAW_ENFORCEMENT,
        "may_vet": may_vet,
        "vet_form": VetForm(forces=_forces(sar)) if may_vet else None,
        "note_form": NoteForm() if may_vet else None,
    }


@login_required
@require_GET
def sar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report; the reporter's identity and vetting notes only for those allowed."""
    user = _user(request)
    sar = _sar(user, pk)
    services.record_read(sar, actor=user)
    return render(request, "sars/sar_detail.html", _detail_context(user, sar))


def _error_text(exc: PlaceguardError) -> str:
    details = " ".join(e.message for e in getattr(exc, "errors", ()))
    return f"{exc.message} {details}".strip()


@login_required
@require_POST
def sar_vet(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a vetting decision."""
    user = _user(request)
    sar = _sar(user, pk)
    form = VetForm(request.POST, forces=_forces(sar))
    raw: dict[str, Any] = {
        "status": request.POST.get("status", ""),
        "note": request.POST.get("note", ""),
        "vetting_facts": request.POST.get("vetting_facts", ""),
    }
    if request.POST.getlist("refer_to"):
        raw["refer_to"] = request.POST.getlist("refer_to")
    try:
        services.vet_sar(sar, raw, actor=user)
    except PlaceguardError as exc:
        _fail(exc)
        context = _detail_context(user, sar)
        form.is_valid()
        apply_service_errors(form, exc)
        context["vet_form"] = form
        return render(request, "sars/sar_detail.html", context, status=422)
    messages.success(request, _("Status updated."))
    return HttpResponseRedirect(reverse("sars:detail", args=[pk]))


@login_required
@require_POST
def sar_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a law-enforcement-only note."""
    user = _user(request)
    sar = _sar(user, pk)
    try:
        services.add_note(sar, request.POST.get("body", ""), actor=user)
    except PlaceguardError as exc:
        _fail(exc)
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Note added."))
    return HttpResponseRedirect(reverse("sars:detail", args=[pk]))


@login_required
@require_GET
def sar_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """An attachment, after checking its SHA-256 (a mismatch is refused and audited)."""
    user = _user(request)
    sar = _sar(user, pk)
    try:
        file = services.open_attachment(
            sar, attachment_id, actor=user, copy=request.GET.get("copy", "original")
        )
    except IntegrityError as exc:
        return render(request, "sars/integrity_error.html", {"sar": sar, "message": exc.message},
                      status=409)  # fmt: skip
    except PlaceguardError as exc:
        _fail(exc)
        raise Http404(exc.message) from exc
    return attachment_response(file)
