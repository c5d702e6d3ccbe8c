"""Incident pages: list, detail (timeline, tasks, evidence, custody, lessons), write, upload.

Reads start from ``queries``; writes call ``services``. Evidence downloads go through the same
verified path as the API (``services.download_evidence`` + ``downloads.evidence_response``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PlaceguardError,
)
from placeguard.core.sharing import policy
from placeguard.core.sharing.model import EDITOR_ROLES, ItemKind
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.incidents import queries, services
from placeguard.web.incidents.api.views import filtered
from placeguard.web.incidents.choices import InvestigationStatus
from placeguard.web.incidents.downloads import evidence_response
from placeguard.web.incidents.forms import (
    CustodyForm,
    EvidenceForm,
    IncidentForm,
    LessonForm,
    TaskForm,
    TaskStatusForm,
    TimelineForm,
)
from placeguard.web.incidents.models import Incident
from placeguard.web.orgs.models import User
from placeguard.web.sharing import pages, principals
from placeguard.web.sharing.choices import BulletinStatus, Tlp
from placeguard.web.sharing.forms import WithdrawForm
from placeguard.web.sharing.rendering import render_markdown
from placeguard.web.sharing.services import groups_visible_to
from placeguard.web.sites.access import visible_to as sites_visible_to


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _incident(user: User, pk: int, *, content: bool = True) -> Incident:
    try:
        return services.get_incident_for(user, pk, content=content)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _detail_url(pk: int) -> str:
    return reverse("incidents:detail", args=[pk])


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents you may see, filtered by TLP, status, investigation and text."""
    user = _user(request)
    rows = filtered(queries.incidents_visible_to(user).select_related("org"), request.GET)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    principal = principals.principal_for(user)
    context = {
        "page": page,
        "tlps": Tlp.choices,
        "statuses": BulletinStatus.choices,
        "investigations": InvestigationStatus.choices,
        "filters": {
            k: request.GET.get(k, "") for k in ("tlp", "status", "investigation_status", "q")
        },
        "can_write": principal is not None and principal.has_role(EDITOR_ROLES),
    }
    return render(request, "incidents/list.html", context)


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An incident with its TLP banner and children (or its withdrawal stub)."""
    user = _user(request)
    incident = _incident(user, pk, content=False)
    stub = bool(getattr(incident, "is_stub", False))
    context: dict[str, Any] = {"i": incident, "stub": stub}
    context.update(pages.break_glass_context(user, ItemKind.INCIDENT, incident))
    if not stub:
        principal = principals.principal_for(user)
        assert principal is not None
        item = services.incident_item(incident)
        visible_sites = sites_visible_to(user).filter(pk__in=incident.sites.values("pk"))
        context.update(
            summary_html=mark_safe(render_markdown(incident.summary)),  # noqa: S308 - sanitised by nh3
            sites=list(visible_sites.order_by("name")),
            hidden_sites=incident.sites.count() - visible_sites.count(),
            timeline=queries.timeline_visible_to(user).filter(incident=incident)
            .select_related("author"),
            tasks=queries.tasks_visible_to(user).filter(incident=incident)
            .select_related("assignee"),
            evidence=queries.evidence_visible_to(user).filter(incident=incident)
            .select_related("uploaded_by"),
            custody=queries.custody_visible_to(user).filter(incident=incident)
            .select_related("actor", "actor_org", "evidence"),
            lessons=queries.lessons_visible_to(user).filter(incident=incident),
            can_edit=policy.can_edit(principal, item).allowed,
            can_publish=policy.can_publish(principal, item).allowed,
            can_withdraw=policy.can_withdraw(principal, item).allowed,
            withdraw_form=WithdrawForm(),
            timeline_form=TimelineForm(),
            task_form=TaskForm(),
            status_form=TaskStatusForm(),
            custody_form=CustodyForm(),
            lesson_form=LessonForm(),
        )  # fmt: skip
    return render(request, "incidents/detail.html", context)


def _incident_form(request: HttpRequest, user: User, incident: Incident | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if incident is not None:
        data = services.data_of(incident)
        initial = {
            **pages.sharing_initial(data),
            **{k: getattr(data, k) for k in ("title", "summary", "occurred_at", "scenario",
                                             "deaths", "injured", "investigation_status",
                                             "valid_from", "valid_until", "lead_investigator")},
            "sites": list(data.sites),
        }  # fmt: skip
    org_id = incident.org_id if incident is not None else (user.organisation_id or 0)
    form = IncidentForm(
        request.POST or None,
        initial=initial,
        groups=groups_visible_to(user).filter(active=True),
        sites=sites_visible_to(user).order_by("name"),
        colleagues=User.objects.filter(organisation_id=org_id, is_active=True),
    )

    return pages.form_page(
        request, form, record=incident, actor=user,
        create=services.create_incident, update=services.update_incident,
        saved=_("Incident saved."), detail_url=_detail_url,
        template="incidents/form.html", context={"i": incident},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request: HttpRequest) -> HttpResponse:
    """Record a new incident (a draft)."""
    user = _user(request)
    principal = principals.principal_for(user)
    if principal is None or not principal.has_role(EDITOR_ROLES):
        raise PermissionDenied(_("Only analysts, publishers and admins record incidents."))
    return _incident_form(request, user, None)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an incident (its author and the originator's analysts and above)."""
    user = _user(request)
    incident = _incident(user, pk)
    principal = principals.principal_for(user)
    assert principal is not None
    if not policy.can_edit(principal, services.incident_item(incident)).allowed:
        raise PermissionDenied(_("You cannot edit this incident."))
    return _incident_form(request, user, incident)


@login_required
@require_POST
def incident_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft incident."""
    user = _user(request)
    incident = _incident(user, pk)
    try:
        services.publish_incident(incident, actor=user)
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    else:
        pages.flash_published(request, incident)
    return HttpResponseRedirect(_detail_url(pk))


@login_required
@require_POST
def incident_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a published incident."""
    user = _user(request)
    incident = _incident(user, pk)
    try:
        services.withdraw_incident(incident, reason=str(request.POST.get("reason", "")), actor=user)
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    else:
        messages.success(request, _("Withdrawn."))
    return HttpResponseRedirect(_detail_url(pk))


@login_required
@require_POST
def timeline_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a timeline entry."""
    user = _user(request)
    incident = _incident(user, pk)
    form = TimelineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a date, a time and a description."))
        return HttpResponseRedirect(_detail_url(pk))
    try:
        services.add_timeline_entry(incident, form.cleaned_data, actor=user)
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    return HttpResponseRedirect(_detail_url(pk) + "#timeline")


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a task."""
    user = _user(request)
    incident = _incident(user, pk)
    form = TaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the task a title."))
        return HttpResponseRedirect(_detail_url(pk))
    due = form.cleaned_data.get("due")
    try:
        services.add_task(
            incident,
            {"title": form.cleaned_data["title"], "due": due.isoformat() if due else None},
            actor=user,
        )
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    return HttpResponseRedirect(_detail_url(pk) + "#tasks")


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Change a task's status."""
    user = _user(request)
    task = queries.tasks_visible_to(user).filter(incident_id=pk, pk=task_pk).first()
    if task is None:
        raise Http404(_("No such task."))
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        try:
            services.update_task(task, {"status": form.cleaned_data["status"]}, actor=user)
        except PlaceguardError as exc:
            pages.flash_failure(request, exc)
    return HttpResponseRedirect(_detail_url(pk) + "#tasks")


@login_required
@require_http_methods(["GET", "POST"])
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an evidence file."""
    user = _user(request)
    incident = _incident(user, pk)
    principal = principals.principal_for(user)
    assert principal is not None
    if not policy.can_edit(principal, services.incident_item(incident)).allowed:
        raise PermissionDenied(_("You cannot add evidence to this incident."))
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.upload_evidence(
                incident,
                upload.chunks(),
                filename=upload.name or "",
                description=form.cleaned_data.get("description") or "",
                actor=user,
            )
        except PlaceguardError as exc:
            pages.raise_as_http(exc)
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Evidence stored; its SHA-256 is shown below."))
            return HttpResponseRedirect(_detail_url(pk) + "#evidence")
    status = 422 if request.method == "POST" else 200
    return render(request, "incidents/evidence_form.html", {"form": form, "i": incident},
                  status=status)  # fmt: skip


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """Download an evidence file after checking its hash (a custody entry is written)."""
    user = _user(request)
    evidence = queries.evidence_visible_to(user).filter(incident_id=pk, pk=evidence_pk).first()
    if evidence is None:
        raise Http404(_("No such evidence."))
    try:
        stream = services.download_evidence(evidence, actor=user)
    except ConflictError as exc:
        return render(request, "incidents/integrity_failure.html",
                      {"e": evidence, "message": exc.message}, status=409)  # fmt: skip
    return evidence_response(evidence, stream)


@login_required
@require_POST
def custody_add(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """Record a hand-over of an evidence file."""
    user = _user(request)
    evidence = queries.evidence_visible_to(user).filter(incident_id=pk, pk=evidence_pk).first()
    if evidence is None:
        raise Http404(_("No such evidence."))
    form = CustodyForm(request.POST)
    if form.is_valid():
        try:
            services.record_custody(evidence, form.cleaned_data, actor=user)
        except PlaceguardError as exc:
            pages.flash_failure(request, exc)
        else:
            messages.success(request, _("Custody entry recorded."))
    return HttpResponseRedirect(_detail_url(pk) + "#custody")


@login_required
@require_POST
def lesson_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a lesson learned."""
    user = _user(request)
    incident = _incident(user, pk)
    form = LessonForm(request.POST)
    if form.is_valid():
        tags = [t.strip() for t in form.cleaned_data.get("tags", "").split(",") if t.strip()]
        try:
            services.add_lesson(
                incident,
                {"text": form.cleaned_data["text"],
                 "recommendation": form.cleaned_data.get("recommendation") or "", "tags": tags},
                actor=user,
            )  # fmt: skip
        except PlaceguardError as exc:
            pages.flash_failure(request, exc)
    return HttpResponseRedirect(_detail_url(pk) + "#lessons")


@login_required
@require_POST
def lesson_practice(request: HttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    """Publish a lesson as a draft good practice."""
    user = _user(request)
    lesson = queries.lessons_visible_to(user).filter(incident_id=pk, pk=lesson_pk).first()
    if lesson is None:
        raise Http404(_("No such lesson."))
    try:
        services.publish_lesson_as_practice(lesson, actor=user)
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    else:
        messages.success(request, _("A draft good practice was created from this lesson."))
    return HttpResponseRedirect(_detail_url(pk) + "#lessons")
