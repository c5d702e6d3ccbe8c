"""Exercise pages: list, design, MSEL, conduct, evaluation, AAR/IP (HTML and PDF), tasks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    ConflictError,
    ImportValidationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.engines.preparedness import msel as msel_engine
from placeguard.web.capacity import queries as capacity_queries
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.exercises import access, loop, queries, services
from placeguard.web.exercises.choices import (
    CLOSED_ACTION_STATUSES,
    ExerciseStatus,
    InjectState,
    Rating,
)
from placeguard.web.exercises.forms import (
    ActionForm,
    ActionStatusForm,
    AreaForm,
    ExerciseForm,
    ImportForm,
    InjectForm,
    PromoteForm,
    ResponseForm,
    StrengthForm,
)
from placeguard.web.exercises.models import CorrectiveAction, Exercise, Inject
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sites.access import visible_to as sites_visible_to
from placeguard.web.sites.models import Site

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _errors_to_http(view: View) -> View:
    """NotFound → 404, PermissionDenied → 403 (after visibility), as everywhere."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _exercise(request: HttpRequest, pk: int, **kw: bool) -> Exercise:
    return services.get_exercise_for(_user(request), pk, **kw)


def _inject(exercise: Exercise, inject_id: int) -> Inject:
    inject = exercise.injects.filter(pk=inject_id).first()
    if inject is None:
        raise Http404
    return inject


def _back(name: str, exercise: Exercise) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(f"exercises:{name}", args=[exercise.pk]))


def _capabilities() -> dict[str, str]:
    return {k: v.name for k, v in services.templates().capabilities.items()}


def _base_context(user: User, exercise: Exercise, tab: str) -> dict[str, Any]:
    return {
        "exercise": exercise,
        "tab": tab,
        "can_design": access.can_design(user, exercise),
        "can_evaluate": access.can_evaluate(user, exercise),
        "capabilities": _capabilities(),
    }


# ------------------------------------------------------------------ list & design
@login_required
@require_GET
def exercise_list(request: HttpRequest) -> HttpResponse:
    """Exercises the user sees."""
    user = _user(request)
    rows = list(queries.exercise_list(user))
    return render(
        request, "exercises/list.html", {"exercises": rows, "can_create": access.is_editor(user)}
    )


def _design_form(user: User, data: Any, site: Site | None) -> tuple[ExerciseForm, list[Any]]:
    form = ExerciseForm(data, initial={"site": site.pk if site else ""})
    sites = sites_visible_to(user).order_by("name").only("id", "name")
    form.set_choices("site", [("", "—"), *[(str(s.pk), s.name) for s in sites]])
    form.set_choices("region", [("", "—"), *[(r.code, r.name) for r in Region.objects.all()]])
    org = active_org(user)
    others = Organisation.objects.filter(active=True).exclude(pk=org.pk if org else 0)
    form.set_choices("participants", [(str(o.pk), o.name) for o in others.order_by("name")])
    suggestions = services.suggestions_for_site(site)
    form.set_choices(
        "scenarios",
        [(s.scenario, s.scenario.replace("_", " ")) for s in suggestions if s.has_template],
    )
    actions = services.open_actions_for_site(site) if site else []
    form.set_choices(
        "corrective_actions", [(str(a.pk), f"{a.code} — {a.description[:120]}") for a in actions]
    )
    if data is None:
        form.initial.update(
            scenarios=[s.scenario for s in suggestions if s.suggested],
            corrective_actions=[str(a.pk) for a in actions],
            participants=[str(site.operator_id)]
            if site and site.operator_id != (org.pk if org else None)
            else [],
            name=_("Tabletop exercise — %(site)s") % {"site": site.name} if site else "",
        )
    return form, suggestions


@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def exercise_create(request: HttpRequest) -> HttpResponse:
    """Design an exercise; with ``?site=`` the site's risks and open actions are suggested."""
    user = _user(request)
    if not access.is_editor(user):
        raise PermissionDenied
    site_id = request.POST.get("site") or request.GET.get("site")
    site = None
    if site_id:
        site = sites_visible_to(user).filter(pk=int(site_id) if site_id.isdigit() else 0).first()
        if site is None:
            raise Http404
    form, suggestions = _design_form(user, request.POST or None, site)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            exercise = services.create_exercise(data, actor=user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Exercise created with a draft MSEL."))
            return _back("msel", exercise)
    return render(
        request, "exercises/form.html", {"form": form, "site": site, "suggestions": suggestions}
    )


@login_required
@require_GET
@_errors_to_http
def exercise_detail(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """Overview: scope, participants, objectives with capability targets and critical tasks."""
    user = _user(request)
    exercise = _exercise(request, exercise_id)
    context = _base_context(user, exercise, "overview")
    context.update(
        objectives=list(exercise.objectives.all()),
        participants=list(exercise.participants.order_by("name")),
        n_injects=exercise.injects.count(),
    )
    return render(request, "exercises/detail.html", context)


# ------------------------------------------------------------------ MSEL
@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def msel(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """The MSEL table, the add-inject form (POST) and the regenerate button."""
    user = _user(request)
    exercise = _exercise(request, exercise_id)
    form = InjectForm(request.POST or None)
    if request.method == "POST":
        exercise = _exercise(request, exercise_id, design=True)
        if request.POST.get("regenerate"):
            try:
                services.regenerate_msel(exercise, actor=user)
            except ConflictError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The MSEL was redrafted from the templates."))
            return _back("msel", exercise)
        if form.is_valid():
            try:
                services.save_inject(exercise, form.values(), actor=user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except ConflictError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Inject added."))
                return _back("msel", exercise)
    context = _base_context(user, exercise, "msel")
    context.update(
        injects=list(exercise.injects.all()),
        objectives=list(exercise.objectives.all()),
        form=form,
        import_form=ImportForm(),
        studies=_engineering_studies(user, exercise),
    )
    return render(request, "exercises/msel.html", context)


def _engineering_studies(user: User, exercise: Exercise) -> list[Any] | None:
    """Studies of the exercise's site usable for injects (None: feature unavailable)."""
    try:
        from placeguard.engines.preparedness import simulation_injects  # noqa: F401
        from placeguard.web.engineering.access import visible_to as studies_visible_to
    except ImportError:
        return None
    if exercise.site_id is None:
        return []
    rows = studies_visible_to(user).filter(site_id=exercise.site_id, status="complete")
    return list(rows.only("id", "name", "kind"))


@login_required
@require_POST
@_errors_to_http
def msel_from_study(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """Append injects built from a site-engineering study's result."""
    user = _user(request)
    exercise = _exercise(request, exercise_id, design=True)
    try:
        from placeguard.engines.preparedness.simulation_injects import injects_from_engineering
        from placeguard.web.engineering.access import visible_to as studies_visible_to
    except ImportError as exc:
        raise Http404 from exc
    study_id = request.POST.get("study", "")
    study = (
        studies_visible_to(user)
        .filter(pk=int(study_id) if study_id.isdigit() else 0, site_id=exercise.site_id or 0)
        .first()
    )
    if study is None:
        raise Http404
    scenario = (exercise.scenarios or [""])[0]
    try:
        stored = {
            "id": study.pk,
            "kind": study.kind,
            "name": study.name,
            "parameters": study.parameters,
            "geojson": study.geojson,
            "result": study.result,
        }
        rows = injects_from_engineering(stored, scenario=scenario)
        count = services.add_injects(exercise, rows, actor=user, source=f"engineering:{study.pk}")
    except (ValueError, KeyError, TypeError, ConflictError) as exc:
        messages.error(request, _("No injects could be built from this study: %s") % exc)
    else:
        messages.success(
            request, _("%(n)d injects added from “%(s)s”.") % {"n": count, "s": study.name}
        )
    return _back("msel", exercise)


@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def inject_edit(request: HttpRequest, exercise_id: int, inject_id: int) -> HttpResponse:
    """Edit one inject."""
    user = _user(request)
    exercise = _exercise(request, exercise_id, design=True)
    inject = _inject(exercise, inject_id)
    initial = {f: getattr(inject, f) for f in services.INJECT_FIELDS}
    initial["contingency_for"] = inject.contingency_for or ""
    form = InjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_inject(exercise, form.values(), actor=user, inject=inject)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Inject %(n)d saved.") % {"n": inject.seq})
            return _back("msel", exercise)
    context = _base_context(user, exercise, "msel")
    context.update(inject=inject, form=form)
    return render(request, "exercises/inject_form.html", context)


@login_required
@require_POST
@_errors_to_http
def inject_delete(request: HttpRequest, exercise_id: int, inject_id: int) -> HttpResponse:
    """Delete one inject (the rest are renumbered)."""
    user = _user(request)
    exercise = _exercise(request, exercise_id, design=True)
    try:
        services.delete_inject(_inject(exercise, inject_id), actor=user)
    except ConflictError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Inject deleted."))
    return _back("msel", exercise)


@login_required
@require_POST
@_errors_to_http
def inject_move(request: HttpRequest, exercise_id: int, inject_id: int) -> HttpResponse:
    """Move one inject up or down."""
    user = _user(request)
    exercise = _exercise(request, exercise_id, design=True)
    direction = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_inject(_inject(exercise, inject_id), direction, actor=user)
    except ConflictError as exc:
        messages.error(request, exc.message)
    return _back("msel", exercise)


@login_required
@require_GET
@_errors_to_http
def msel_export(request: HttpRequest, exercise_id: int, fmt: str) -> HttpResponse:
    """The MSEL as CSV or XLSX."""
    exercise = _exercise(request, exercise_id)
    rows = services.engine_injects(exercise)
    if fmt == "csv":
        response = HttpResponse(msel_engine.msel_to_csv(rows), content_type="text/csv")
    elif fmt == "xlsx":
        response = HttpResponse(
            msel_engine.msel_to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="msel-{exercise.pk}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def msel_import(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """Replace the MSEL by an uploaded file; every bad row is listed, nothing half-imported."""
    user = _user(request)
    exercise = _exercise(request, exercise_id, design=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = "xlsx" if upload.name.lower().endswith(".xlsx") else "csv"
        try:
            count = services.import_msel(exercise, upload.read(), fmt, actor=user)
        except ImportValidationError as exc:
            row_errors = list(exc.errors)
            form.add_error("file", exc.message)
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(n)d injects imported.") % {"n": count})
            return _back("msel", exercise)
    context = _base_context(user, exercise, "msel")
    context.update(form=form, row_errors=row_errors)
    return render(request, "exercises/import.html", context)


# ------------------------------------------------------------------ conduct
def _state(exercise: Exercise) -> dict[str, Any]:
    injects = list(exercise.injects.all())
    conducting = exercise.status == ExerciseStatus.CONDUCTING
    pending = [i for i in injects if i.state == InjectState.PENDING and conducting]
    return {
        "status": exercise.status,
        "clock_s": round(services.clock_seconds(exercise), 1),
        "running": exercise.clock_running,
        "server_time": timezone.now().isoformat(),
        "next": None
        if not pending
        else {"id": pending[0].pk, "seq": pending[0].seq, "time_s": pending[0].time_min * 60},
        "released": [i.seq for i in injects if i.state == InjectState.RELEASED],
        "skipped": [i.seq for i in injects if i.state == InjectState.SKIPPED],
    }


@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def conduct(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """The facilitator view: the clock and the injects in order; POST a clock action."""
    user = _user(request)
    exercise = _exercise(request, exercise_id)
    if request.method == "POST":
        exercise = _exercise(request, exercise_id, design=True)
        action = request.POST.get("action", "")
        shift = request.POST.get("shift_min", "").strip()
        inject_id = request.POST.get("inject", "")
        try:
            services.conduct(
                exercise,
                action,
                actor=user,
                inject_id=int(inject_id) if inject_id.isdigit() else None,
                shift_min=int(shift) if shift.lstrip("-").isdigit() else None,
            )
        except (ValidationError, ConflictError) as exc:
            detail = "; ".join(e.message for e in getattr(exc, "errors", []))
            messages.error(request, f"{exc.message} {detail}".strip())
        if request.headers.get("Accept") == "application/json":
            return JsonResponse(_state(services.get_exercise_for(user, exercise.pk)))
        return _back("conduct", exercise)
    context = _base_context(user, exercise, "conduct")
    injects = list(exercise.injects.prefetch_related("responses"))
    context.update(
        injects=injects,
        state=_state(exercise),
        next_inject=next((i for i in injects if i.state == InjectState.PENDING), None),
        response_form=ResponseForm(),
        events=list(exercise.events.select_related("inject").order_by("-at", "-id")[:20]),
    )
    return render(request, "exercises/conduct.html", context)


@login_required
@require_GET
@_errors_to_http
def conduct_state(request: HttpRequest, exercise_id: int) -> JsonResponse:
    """The clock's server state (the page's script re-syncs from it)."""
    return JsonResponse(_state(_exercise(request, exercise_id)))


@login_required
@require_POST
@_errors_to_http
def inject_respond(request: HttpRequest, exercise_id: int, inject_id: int) -> HttpResponse:
    """Record a player response against an inject."""
    user = _user(request)
    exercise = _exercise(request, exercise_id, evaluate=True)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.record_response(_inject(exercise, inject_id), form.cleaned_data, actor=user)
        except (ValidationError, ConflictError) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Response recorded."))
    else:
        messages.error(request, _("Give the player and the response."))
    return HttpResponseRedirect(
        reverse("exercises:conduct", args=[exercise.pk]) + f"#inject-{inject_id}"
    )


# ------------------------------------------------------------------ evaluation
@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def evaluate(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """Evaluation guides: one row per critical task; the evaluator's rating and observation."""
    user = _user(request)
    exercise = _exercise(request, exercise_id)
    objectives = list(exercise.objectives.prefetch_related("ratings__evaluator"))
    errors: list[Any] = []
    if request.method == "POST":
        exercise = _exercise(request, exercise_id, evaluate=True)
        rows = [
            {
                "objective": o.code,
                "task": t["id"],
                "rating": request.POST.get(f"rating-{o.code}-{t['id']}", ""),
                "observation": request.POST.get(f"observation-{o.code}-{t['id']}", ""),
            }
            for o in objectives
            for t in o.critical_tasks
        ]
        try:
            stored = services.rate_tasks(exercise, rows, actor=user)
        except ValidationError as exc:
            errors = list(exc.errors)
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(n)d ratings saved.") % {"n": stored})
            return _back("evaluate", exercise)
    by_objective, by_capability = services.roll_up(exercise)
    suggested = {r.objective: r for r in by_objective}
    guides = []
    for n, o in enumerate(objectives):
        mine = {r.task: r for r in o.ratings.all() if r.evaluator_id == user.pk}
        others = [r for r in o.ratings.all() if r.evaluator_id != user.pk]
        guides.append(
            {
                "objective": o,
                "suggested": suggested.get(o.code),
                "tasks": [
                    {
                        "id": t["id"],
                        "text": t["text"],
                        "index": n,
                        "mine": mine.get(t["id"]),
                        "rating": request.POST.get(
                            f"rating-{o.code}-{t['id']}",
                            mine[t["id"]].rating if t["id"] in mine else "",
                        ),
                        "observation": request.POST.get(
                            f"observation-{o.code}-{t['id']}",
                            mine[t["id"]].observation if t["id"] in mine else "",
                        ),
                        "others": [r for r in others if r.task == t["id"]],
                    }
                    for t in o.critical_tasks
                ],
            }
        )
    context = _base_context(user, exercise, "evaluate")
    context.update(
        guides=guides, by_capability=by_capability, ratings=Rating.choices, errors=errors
    )
    return render(request, "exercises/evaluate.html", context)


# ------------------------------------------------------------------ AAR / IP
def _aar_context(user: User, exercise: Exercise, *, printing: bool = False) -> dict[str, Any]:
    by_objective, by_capability = services.roll_up(exercise)
    objectives = {o.code: o for o in exercise.objectives.all()}
    actions = list(exercise.corrective_actions.select_related("area", "owner_org"))
    overdue = services.overdue_flags(actions)
    context = _base_context(user, exercise, "aar")
    context.update(
        objective_rows=[{"objective": objectives[r.objective], "rating": r} for r in by_objective],
        by_capability=by_capability,
        strengths=list(exercise.strengths.all()),
        areas=list(exercise.areas.prefetch_related("actions")),
        actions=[
            {
                "action": a,
                "overdue": overdue.get(a.pk),
                "produced": loop.produced_links(user, a),
                "can_promote": not printing and access.can_update_action(user, a),
            }
            for a in actions
        ],
        participants=list(exercise.participants.order_by("name")),
        today=timezone.localdate(),
    )
    return context


def _aar_forms(exercise: Exercise, data: Any = None, which: str = "") -> dict[str, Any]:
    caps = [("", "—"), *_capabilities().items()]
    strength = StrengthForm(data if which == "strength" else None, prefix="strength")
    strength.set_choices("capability", caps)
    area = AreaForm(data if which == "area" else None, prefix="area")
    area.set_choices("capability", caps)
    action = ActionForm(
        data if which == "action" else None,
        prefix="action",
        initial={"owner_org": exercise.site.operator_id if exercise.site else ""},
    )
    action.set_choices(
        "area", [(str(a.pk), f"{a.code} — {a.observation[:80]}") for a in exercise.areas.all()]
    )
    action.set_choices(
        "owner_org",
        [(str(o.pk), o.name) for o in Organisation.objects.filter(active=True).order_by("name")],
    )
    return {"strength_form": strength, "area_form": area, "action_form": action}


@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def aar(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """The after-action report and improvement plan; POST adds an item or completes."""
    user = _user(request)
    exercise = _exercise(request, exercise_id)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    forms_ = _aar_forms(exercise, request.POST or None, which)
    if request.method == "POST":
        exercise = _exercise(request, exercise_id, design=True)
        try:
            done = _aar_post(user, exercise, which, forms_)
        except ConflictError as exc:
            messages.error(request, exc.message)
            done = False
        except ValidationError as exc:
            if which == "complete":
                messages.error(
                    request,
                    exc.message + " " + "; ".join(f"{e.field}: {e.message}" for e in exc.errors),
                )
            else:
                apply_service_errors(forms_[f"{which}_form"], exc)
            done = False
        if done:
            messages.success(request, _("Saved."))
            return _back("aar", exercise)
    context = _aar_context(user, exercise)
    context.update(forms_)
    return render(request, "exercises/aar.html", context)


def _aar_post(user: User, exercise: Exercise, which: str, forms_: dict[str, Any]) -> bool:
    if which == "complete":
        services.complete_exercise(exercise, actor=user)
        return True
    form = forms_.get(f"{which}_form")
    if form is None or not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    if which == "strength":
        services.add_strength(exercise, data, actor=user)
    elif which == "area":
        services.add_area(exercise, data, actor=user)
    else:
        area = exercise.areas.filter(pk=int(data.pop("area"))).first()
        if area is None:
            raise Http404
        services.add_corrective_action(area, data, actor=user)
    return True


@login_required
@require_GET
@_errors_to_http
def aar_pdf(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """The AAR/IP as an A4 PDF (WeasyPrint, every fetch refused)."""
    user = _user(request)
    exercise = _exercise(request, exercise_id)
    html = render_to_string(
        "exercises/aar_print.html", _aar_context(user, exercise, printing=True), request
    )
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        messages.error(request, _("PDF reports are not available on this server: %s") % exc)
        return _back("aar", exercise)
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset())).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="aar-ip-{exercise.pk}.pdf"'
    return response


# ------------------------------------------------------------------ tasks
@login_required
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """Corrective actions owned by the user's organisation, overdue ones flagged."""
    user = _user(request)
    show_closed = request.GET.get("closed") == "1"
    rows = queries.task_list(user)
    if not show_closed:
        rows = rows.exclude(status__in=CLOSED_ACTION_STATUSES)
    actions = list(rows)
    overdue = services.overdue_flags(actions)
    items = [
        {
            "action": a,
            "overdue": overdue.get(a.pk),
            "form": ActionStatusForm(
                initial={"status": a.status, "notes": a.notes}, prefix=f"a{a.pk}"
            ),
            "can_update": access.can_update_action(user, a),
            "produced": loop.produced_links(user, a),
        }
        for a in actions
    ]
    return render(
        request,
        "exercises/tasks.html",
        {"items": items, "show_closed": show_closed, "n_overdue": len(overdue)},
    )


@login_required
@require_POST
@_errors_to_http
def action_update(request: HttpRequest, action_id: int) -> HttpResponse:
    """Change a corrective action's status (and notes)."""
    user = _user(request)
    action = services.get_action_for(user, action_id, for_edit=True)
    form = ActionStatusForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            services.update_corrective_action(action, form.cleaned_data, actor=user)
        except ValidationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(code)s updated.") % {"code": action.code})
    else:
        messages.error(request, _("Choose a status."))
    target = request.POST.get("next", "")
    if target == "aar":
        return HttpResponseRedirect(action.origin_url)
    return HttpResponseRedirect(reverse("exercises:tasks"))


# ------------------------------------------------------------------ the loop
def _promote_form(user: User, action: CorrectiveAction, data: Any = None) -> PromoteForm:
    targets: list[tuple[str, str]] = []
    objectives = capacity_queries.writable_objectives(user)
    if objectives:
        targets.append((loop.PLAN, _("An action of a national action plan objective")))
    if loop.can_request_training(user):
        targets.append((loop.TRAINING, _("A training request to the programme office")))
    need = _("%(action)s\nArea for improvement: %(area)s\nRoot cause: %(cause)s") % {
        "action": action.description,
        "area": action.area.observation,
        "cause": action.area.root_cause,
    }
    return PromoteForm(
        data,
        targets=targets,
        objectives=[(str(o.pk), f"{o.plan.title} — {o}") for o in objectives],
        initial={
            "target": targets[0][0] if len(targets) == 1 else None,
            "title": action.description[:200],
            "need": need,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@_errors_to_http
def action_promote(request: HttpRequest, action_id: int) -> HttpResponse:
    """Promote a corrective action to a national-plan action or a training request."""
    user = _user(request)
    action = services.get_action_for(user, action_id, for_edit=True)
    back = request.POST.get("next") or request.GET.get("next", "")
    form = _promote_form(user, action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = loop.promote(
                action.pk,
                actor=user,
                target=data["target"],
                title=data["title"],
                need=data["need"],
                objective_id=data["objective"] or None,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s promoted: %(item)s") % {"code": action.code, "item": str(item)},
            )
            if back == "aar":
                return HttpResponseRedirect(action.origin_url)
            return HttpResponseRedirect(reverse("exercises:tasks") + f"#task-{action.pk}")
    return render(
        request,
        "exercises/promote.html",
        {
            "action": action,
            "form": form,
            "next": back,
            "produced": loop.produced_links(user, action),
            "can_train": loop.can_request_training(user),
        },
    )
