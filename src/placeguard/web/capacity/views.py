"""Capacity pages: requests and their workflow, courses, indicators, national action plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.capacity import access, charts, exports, queries, services
from placeguard.web.capacity.choices import RequestStatus
from placeguard.web.capacity.forms import (
    ActionForm,
    CourseForm,
    EvidenceForm,
    IndicatorForm,
    ObjectiveForm,
    ParticipantForm,
    PlanForm,
    ProgressForm,
    RequestForm,
    RosterForm,
    StatusForm,
    step_form,
)
from placeguard.web.capacity.models import Participant, PlanAction, PlanObjective
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.orgs.models import User

T = TypeVar("T")

#: The label of each workflow move, as a button.
STEP_LABELS: dict[str, Any] = {
    RequestStatus.TRIAGED: gettext_lazy("Triage"),
    RequestStatus.DECLINED: gettext_lazy("Decline"),
    RequestStatus.ASSESSED: gettext_lazy("Record the assessment"),
    RequestStatus.PLANNED: gettext_lazy("Plan the assistance"),
    RequestStatus.DELIVERING: gettext_lazy("Start delivery"),
    RequestStatus.DELIVERED: gettext_lazy("Mark as delivered"),
    RequestStatus.EVALUATED: gettext_lazy("Record the evaluation"),
    RequestStatus.FOLLOW_UP_DUE: gettext_lazy("Await the six-month follow-up"),
    RequestStatus.CLOSED: gettext_lazy("Record the follow-up and close"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _get(getter: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return getter(*args, **kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _today() -> dt.date:
    return timezone.localdate()


def _form_page(
    request: HttpRequest, form: Form, *, title: str, cancel: str, intro: str = "", submit: str = ""
) -> HttpResponse:
    return render(
        request,
        "capacity/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel,
            "intro": intro,
            "submit": submit or _("Save"),
        },
    )


def _run(form: Form, call: Callable[[], T]) -> T | None:
    """Run a service with the form's data; put its problems on the form."""
    try:
        return call()
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except ConflictError as exc:
        form.add_error(None, exc.message)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return None


# ------------------------------------------------------------------ requests
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Requests the user sees, with overdue follow-ups flagged."""
    user = _user(request)
    rows = list(access.visible_to(user).select_related("requesting_org"))
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        rows = [r for r in rows if r.status == status]
    today = _today()
    return render(
        request,
        "capacity/home.html",
        {
            "requests": [(r, r.is_overdue(today)) for r in rows],
            "statuses": RequestStatus.choices,
            "status": status,
            "can_request": access.can_request(user),
            "is_programme": access.is_programme(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """A State authority asks for technical assistance."""
    user = _user(request)
    if not access.can_request(user):
        raise PermissionDenied(_("Only editors of a vetted authority or police force may ask."))
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        req = _run(form, lambda: services.submit_request(form.cleaned_data, actor=user))
        if req is not None:
            messages.success(request, _("Request submitted to the programme office."))
            return HttpResponseRedirect(reverse("capacity:request", args=[req.pk]))
    return _form_page(
        request,
        form,
        title=_("Request technical assistance"),
        cancel=reverse("capacity:home"),
        submit=_("Submit the request"),
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request, its workflow, its courses and where it came from."""
    user = _user(request)
    req = _get(services.get_request_for, user, pk)
    courses = list(req.courses.prefetch_related("participants"))
    steps = [
        (to, STEP_LABELS.get(to, to))
        for to in sorted(services.TRANSITIONS.get(req.status, ()))
        if services.may_advance(user, req, to)
    ]
    return render(
        request,
        "capacity/request_detail.html",
        {
            "req": req,
            "courses": [(c, queries.course_gain(c)) for c in courses],
            "steps": steps,
            "overdue": req.is_overdue(_today()),
            "can_manage": access.can_manage(user),
            "can_add_course": access.can_manage(user) and req.status in services.COURSE_STATUSES,
            "status_order": [s for s in RequestStatus if s != RequestStatus.DECLINED],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_step(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """One workflow move, with what it records."""
    user = _user(request)
    req = _get(services.get_request_for, user, pk)
    if to not in RequestStatus.values:
        raise Http404
    if not services.may_advance(user, req, to):
        raise PermissionDenied(_("Your role does not allow this step."))
    form = step_form(to)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.advance(req, actor=user, to=to, raw=form.cleaned_data))
        if done is not None:
            messages.success(
                request, _("Request is now “%(s)s”.") % {"s": done.get_status_display()}
            )
            return HttpResponseRedirect(reverse("capacity:request", args=[req.pk]))
    return _form_page(
        request,
        form,
        title=f"{STEP_LABELS.get(to, to)} — {req.title}",
        cancel=reverse("capacity:request", args=[req.pk]),
        submit=STEP_LABELS.get(to, _("Save")),
    )


# ------------------------------------------------------------------ courses
@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A course under a request (programme office)."""
    user = _user(request)
    req = _get(services.get_request_for, user, pk, manage=True)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = _run(form, lambda: services.add_course(req, form.cleaned_data, actor=user))
        if course is not None:
            return HttpResponseRedirect(reverse("capacity:course", args=[course.pk]))
    return _form_page(
        request,
        form,
        title=_("New course — %(t)s") % {"t": req.title},
        cancel=reverse("capacity:request", args=[req.pk]),
    )


@login_required
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants with their gains, the cohort gain and Kirkpatrick levels."""
    user = _user(request)
    course = _get(services.get_course_for, user, pk)
    gain = queries.course_gain(course)
    individual = {int(pid): g for pid, g in gain.individual}
    people = [(p, individual.get(p.pk)) for p in course.participants.all()]
    return render(
        request,
        "capacity/course_detail.html",
        {
            "course": course,
            "req": course.request,
            "people": people,
            "gain": gain,
            "levels": queries.course_summary(course),
            "evidence": list(course.evidence.all()),
            "can_manage": access.can_manage(user)
            and course.request.status in services.COURSE_STATUSES,
            "can_evidence": access.can_manage(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a participant."""
    user = _user(request)
    course = _get(services.get_course_for, user, pk, manage=True)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.add_participant(course, form.cleaned_data, actor=user))
        if done is not None:
            messages.success(request, _("Participant added."))
            return HttpResponseRedirect(reverse("capacity:course", args=[course.pk]))
    return _form_page(
        request,
        form,
        title=_("Add a participant — %(t)s") % {"t": course.title},
        cancel=reverse("capacity:course", args=[course.pk]),
    )


def _participant(user: User, pk: int, *, manage: bool = False) -> Participant:
    try:
        person = Participant.objects.select_related("course").get(pk=int(pk))
    except Participant.DoesNotExist:
        raise Http404 from None
    _get(services.get_course_for, user, person.course_id, manage=manage)
    return person


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change attendance, scores or satisfaction."""
    user = _user(request)
    person = _participant(user, pk, manage=True)
    initial = {f: getattr(person, f) for f in ParticipantForm.base_fields}
    form = ParticipantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _run(
            form, lambda: services.update_participant(person, form.cleaned_data, actor=user)
        )
        if done is not None:
            return HttpResponseRedirect(reverse("capacity:course", args=[person.course_id]))
    return _form_page(
        request,
        form,
        title=_("Participant — %(n)s") % {"n": person.name},
        cancel=reverse("capacity:course", args=[person.course_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add participants from a CSV (all or nothing)."""
    user = _user(request)
    course = _get(services.get_course_for, user, pk, manage=True)
    form = RosterForm(request.POST or None, request.FILES or None)
    back = reverse("capacity:course", args=[course.pk])
    if request.method == "POST" and form.is_valid():
        done = _run(
            form,
            lambda: services.import_participants(course, form.cleaned_data["file"], actor=user),
        )
        if done is not None:
            messages.success(request, _("%(n)d participant(s) added.") % {"n": len(done)})
            return HttpResponseRedirect(back)
    return render(
        request,
        "capacity/form.html",
        {
            "form": form,
            "title": _("Import participants — %(t)s") % {"t": course.title},
            "cancel_url": back,
            "submit": _("Import"),
            "multipart": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record Kirkpatrick evidence (levels 3–4 may cite a later exercise)."""
    user = _user(request)
    course = _get(services.get_course_for, user, pk, manage=True)
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.add_evidence(course, form.cleaned_data, actor=user))
        if done is not None:
            return HttpResponseRedirect(reverse("capacity:course", args=[course.pk]))
    return _form_page(
        request,
        form,
        title=_("Evaluation evidence — %(t)s") % {"t": course.title},
        cancel=reverse("capacity:course", args=[course.pk]),
    )


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's certificate as PDF (attendees who completed only)."""
    user = _user(request)
    person = _participant(user, pk)
    if not (person.attended and person.completed):
        raise Http404(_("Certificates are issued to attendees who completed the course."))
    course = person.course
    html = render_to_string(
        "capacity/certificate.html",
        {
            "person": person,
            "course": course,
            "req": course.request,
            "issued": _today(),
        },
    )
    if request.GET.get("format") == "html":
        return HttpResponse(html)
    try:
        body = exports.html_to_pdf(html)
    except (ImportError, OSError) as exc:
        messages.error(request, _("PDF is not available on this server: %s") % exc)
        return HttpResponseRedirect(reverse("capacity:course", args=[course.pk]))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{person.pk}.pdf"'
    return response


# ------------------------------------------------------------------ indicators
def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return _today()


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    """Programme indicators over the requests the user sees; CSV and XLSX downloads."""
    user = _user(request)
    as_of = _as_of(request)
    report = queries.indicators(user, as_of=as_of)
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        body: str | bytes
        if fmt == "csv":
            body, ctype = exports.indicators_csv(report), "text/csv; charset=utf-8"
        else:
            body = exports.indicators_xlsx(report)
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = (
            f'attachment; filename="training-indicators-{as_of.isoformat()}.{fmt}"'
        )
        return response
    chart_items = [
        (_("Officials trained by gender"), report.by_gender),
        (_("Officials trained by sector"), report.by_sector),
        (_("Officials trained by topic"), report.by_topic),
        (_("Officials trained by country"), report.by_country),
    ]
    return render(
        request,
        "capacity/indicators.html",
        {
            "report": report,
            "as_of": as_of,
            "g": report.learning,
            "charts": [charts.bar_chart_svg(t, c) for t, c in chart_items],
            "breakdowns": chart_items,
        },
    )


# ------------------------------------------------------------------ plans
@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """National action plans the user sees."""
    user = _user(request)
    plans = access.plans_visible_to(user).select_related("owner")
    return render(
        request,
        "capacity/plan_list.html",
        {
            "plans": list(plans),
            "can_create": access.can_edit_plan(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    """Start a national action plan (owning authority)."""
    user = _user(request)
    if not access.can_edit_plan(user):
        raise PermissionDenied(_("Only editors of a vetted authority create plans."))
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = _run(form, lambda: services.create_plan(form.cleaned_data, actor=user))
        if plan is not None:
            return HttpResponseRedirect(reverse("capacity:plan", args=[plan.pk]))
    return _form_page(
        request, form, title=_("New national action plan"), cancel=reverse("capacity:plans")
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the strategy text of a plan (what GAO's characteristics look for)."""
    user = _user(request)
    plan = _get(services.get_plan_for, user, pk, edit=True)
    initial = {f: getattr(plan, f) for f in PlanForm.base_fields}
    form = PlanForm(request.POST or None, initial=initial)
    back = reverse("capacity:plan", args=[plan.pk])
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.update_plan(plan, form.cleaned_data, actor=user))
        is not None
    ):
        return HttpResponseRedirect(back)
    return _form_page(request, form, title=_("Edit — %(t)s") % {"t": plan.title}, cancel=back)


def _plan_context(user: User, pk: int) -> dict[str, Any]:
    plan = _get(services.get_plan_for, user, pk)
    objectives = queries.plan_with_tree(plan)
    nap = queries.plan_to_engine(plan, objectives)
    cw = queries.crosswalk(nap)
    labels = services.mandate_labels()
    titles = {str(a.pk): a.title for o in objectives for a in o.actions.all()}
    return {
        "plan": plan,
        "objectives": objectives,
        "labels": labels,
        "crosswalk": [
            (pid, labels.get(pid, pid), [(i, titles.get(i, i)) for i in ids])
            for pid, ids in cw.covered.items()
        ],
        "gaps": cw.gaps,
        "cw": cw,
        "gao": queries.gao(nap),
        "reports": list(plan.progress_reports.all()),
        "can_edit": access.can_edit_plan(user, plan),
        "generated": timezone.now(),
    }


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan tree, the mandate crosswalk, the GAO check and the progress reports."""
    return render(request, "capacity/plan_detail.html", _plan_context(_user(request), pk))


@login_required
@require_GET
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The six-month follow-up report as HTML, PDF or XLSX."""
    if fmt not in {"html", "pdf", "xlsx"}:
        raise Http404
    ctx = _plan_context(_user(request), pk)
    plan = ctx["plan"]
    stem = f"action-plan-{plan.pk}-follow-up"
    if fmt == "xlsx":
        body = exports.plan_xlsx(
            ctx["objectives"], ctx["cw"], ctx["gao"], ctx["reports"], ctx["labels"]
        )
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    html = render_to_string("capacity/plan_report.html", ctx)
    if fmt == "html":
        return HttpResponse(html)
    try:
        pdf = exports.html_to_pdf(html)
    except (ImportError, OSError) as exc:
        messages.error(request, _("PDF is not available on this server: %s") % exc)
        return HttpResponseRedirect(reverse("capacity:plan", args=[plan.pk]))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    return response


def _objective(user: User, pk: int) -> PlanObjective:
    try:
        obj = PlanObjective.objects.select_related("plan").get(pk=int(pk))
    except PlanObjective.DoesNotExist:
        raise Http404 from None
    _get(services.get_plan_for, user, obj.plan_id, edit=True)
    return obj


def _action(user: User, pk: int) -> PlanAction:
    try:
        action = PlanAction.objects.select_related("objective__plan").get(pk=int(pk))
    except PlanAction.DoesNotExist:
        raise Http404 from None
    _get(services.get_plan_for, user, action.objective.plan_id, edit=True)
    return action


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an objective."""
    user = _user(request)
    plan = _get(services.get_plan_for, user, pk, edit=True)
    form = ObjectiveForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.add_objective(plan, form.cleaned_data, actor=user))
        is not None
    ):
        return HttpResponseRedirect(reverse("capacity:plan", args=[plan.pk]))
    return _form_page(
        request,
        form,
        title=_("New objective — %(t)s") % {"t": plan.title},
        cancel=reverse("capacity:plan", args=[plan.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an action to an objective."""
    user = _user(request)
    obj = _objective(user, pk)
    form = ActionForm(request.POST or None, mandates=services.mandate_labels())
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.add_action(obj, form.cleaned_data, actor=user)) is not None
    ):
        return HttpResponseRedirect(reverse("capacity:plan", args=[obj.plan_id]))
    return _form_page(
        request,
        form,
        title=_("New action — %(t)s") % {"t": obj.title},
        cancel=reverse("capacity:plan", args=[obj.plan_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an action's status."""
    user = _user(request)
    action = _action(user, pk)
    form = StatusForm(request.POST or None, initial={"status": action.status})
    back = reverse("capacity:plan", args=[action.objective.plan_id])
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            form,
            lambda: services.set_action_status(action, form.cleaned_data["status"], actor=user),
        )
        is not None
    ):
        return HttpResponseRedirect(back)
    title = _("Status — %(t)s") % {"t": action.title}
    return _form_page(request, form, title=title, cancel=back)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an indicator to an action."""
    user = _user(request)
    action = _action(user, pk)
    form = IndicatorForm(request.POST or None)
    back = reverse("capacity:plan", args=[action.objective.plan_id])
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.add_indicator(action, form.cleaned_data, actor=user))
        is not None
    ):
        return HttpResponseRedirect(back)
    title = _("New indicator — %(t)s") % {"t": action.title}
    return _form_page(request, form, title=title, cancel=back)


@login_required
@require_http_methods(["GET", "POST"])
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    """File a progress report."""
    user = _user(request)
    plan = _get(services.get_plan_for, user, pk, edit=True)
    form = ProgressForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(form, lambda: services.add_progress_report(plan, form.cleaned_data, actor=user))
        is not None
    ):
        return HttpResponseRedirect(reverse("capacity:plan", args=[plan.pk]))
    return _form_page(
        request,
        form,
        title=_("Progress report — %(t)s") % {"t": plan.title},
        cancel=reverse("capacity:plan", args=[plan.pk]),
    )
