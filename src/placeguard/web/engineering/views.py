"""Engineering pages: a site's studies, running one, its result, printable report and JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from placeguard.core.errors import (
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.engines.risk.engineering import adjustments
from placeguard.engines.vehicle.results import SPEED_BANDS_KMH
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.engineering import services
from placeguard.web.engineering.access import can_edit, visible_to
from placeguard.web.engineering.choices import FINISHED_STATUSES, StudyKind
from placeguard.web.engineering.forms import DeleteForm, StudyForm
from placeguard.web.engineering.models import EngineeringStudy
from placeguard.web.orgs.models import User
from placeguard.web.sites.models import Site

T = TypeVar("T")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _get(getter: Callable[..., T], user: User, pk: int, *, for_edit: bool = False) -> T:
    try:
        return getter(user, pk, for_edit=for_edit)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _bands() -> list[dict[str, Any]]:
    edges = [0.0, *SPEED_BANDS_KMH]
    out = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        label = (
            _("%(lo)g–%(hi)g km/h") % {"lo": low, "hi": high}
            if high is not None
            else _("%(lo)g km/h and above") % {"lo": low}
        )
        out.append({"band": i, "label": label})
    return out


@login_required
@require_GET
def study_list(request: HttpRequest, site_id: int) -> HttpResponse:
    """A site's studies, newest first, and what they change in its risk."""
    user = _user(request)
    site = _get(services.get_site_for, user, site_id)
    studies = visible_to(user).filter(site=site).select_related("created_by")
    findings = services.site_findings(site)
    context = {
        "site": site,
        "studies": list(studies.defer("geojson", "result")),
        "can_edit": can_edit(user, site),
        "findings": findings,
        "adjustments": sorted({a.reason for a in adjustments(findings)}),
    }
    return render(request, "engineering/list.html", context)


def _service_errors(form: StudyForm, exc: ValidationError) -> None:
    """Put service problems on form fields: ``parameters.x`` on field x, GeoJSON on its input."""
    geo_field = "geojson_file" if form.cleaned_data.get("geojson_file") else "geojson_text"
    mapped = []
    for e in exc.errors:
        name = e.field
        if name.startswith("parameters."):
            name = name.removeprefix("parameters.")
            if _base(name) not in form.fields:
                name = f"parameters.{name}"
        elif name.startswith("geojson"):
            rest = name.removeprefix("geojson").lstrip(".")
            mapped.append(FieldError(geo_field, f"{rest}: {e.message}" if rest else e.message))
            continue
        mapped.append(FieldError(name, e.message, e.code))
    apply_service_errors(form, ValidationError(exc.message, errors=mapped))


def _base(name: str) -> str:
    return name.split(".", 1)[0].split("[", 1)[0]


@login_required
@require_http_methods(["GET", "POST"])
def study_create(request: HttpRequest, site_id: int) -> HttpResponse:
    """Upload a layout or site file with parameters and run the engine."""
    user = _user(request)
    site = _get(services.get_site_for, user, site_id, for_edit=True)
    form = StudyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.create_study(
                actor=user,
                site=site,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                geojson=form.cleaned_data["geojson"],
                parameters=form.parameters(),
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, _("Study “%(name)s” started.") % {"name": study.name})
            return HttpResponseRedirect(reverse("engineering:detail", args=[study.pk]))
    context = {
        "site": site,
        "form": form,
        "tile_url": settings.PLACEGUARD_TILE_URL,
        "tile_attribution": settings.PLACEGUARD_TILE_ATTRIBUTION,
        "site_point": _site_point(site),
    }
    return render(request, "engineering/form.html", context)


def _site_point(site: Site) -> list[float]:
    """[lat, lon] of the site, to centre the vehicle drawing map."""
    return [float(site.latitude), float(site.longitude)]


def _detail_context(user: User, study: EngineeringStudy) -> dict[str, Any]:
    result = study.result or {}
    context: dict[str, Any] = {
        "site": study.site,
        "study": study,
        "run": services.run_status(study),
        "finished": study.status in FINISHED_STATUSES,
        "result": result,
        "can_edit": can_edit(user, study.site),
        "assumptions": result.get("assumptions", []),
        "parameters": sorted(study.parameters.items()),
    }
    if study.kind == StudyKind.VEHICLE and "heat_map" in result:
        context.update(
            bands=_bands(),
            tile_url=settings.PLACEGUARD_TILE_URL,
            tile_attribution=settings.PLACEGUARD_TILE_ATTRIBUTION,
        )
    if study.kind == StudyKind.EVACUATION and "hydraulic" in result:
        mc = result.get("monte_carlo") or {}
        per_exit = mc.get("per_destination_clear_s", {})
        context["destinations"] = [
            {**d, "p95_clear_s": (per_exit.get(d["opening"]) or {}).get("p95")}
            for d in result["hydraulic"]["destinations"]
        ]
    return context


@login_required
@require_GET
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    """A study's result: impact-speed map and worst points, or evacuation times."""
    user = _user(request)
    study = _get(services.get_study_for, user, study_id)
    return render(request, "engineering/detail.html", _detail_context(user, study))


@login_required
@require_GET
def study_report(request: HttpRequest, study_id: int) -> HttpResponse:
    """A printable report stating every parameter and assumption."""
    user = _user(request)
    study = _get(services.get_study_for, user, study_id)
    return render(request, "engineering/report.html", _detail_context(user, study))


@login_required
@require_GET
def study_json(request: HttpRequest, study_id: int) -> JsonResponse:
    """The study's inputs and result as JSON (a download)."""
    study = _get(services.get_study_for, _user(request), study_id)
    doc = {
        "id": study.pk,
        "site": study.site_id,
        "kind": study.kind,
        "name": study.name,
        "status": study.status,
        "created_at": study.created_at.isoformat(),
        "parameters": study.parameters,
        "result": study.result,
    }
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="placeguard-study-{study.pk}.json"'
    return response


@login_required
@require_GET
def study_status(request: HttpRequest, study_id: int) -> JsonResponse:
    """Where the study's background run is (polled by the study page)."""
    study = _get(services.get_study_for, _user(request), study_id)
    response = JsonResponse(services.run_status(study))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def study_delete(request: HttpRequest, study_id: int) -> HttpResponse:
    """Confirm and delete a study."""
    user = _user(request)
    study = _get(services.get_study_for, user, study_id, for_edit=True)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        site_id = study.site_id
        services.delete_study(study, actor=user)
        messages.success(request, _("Study “%(name)s” deleted.") % {"name": study.name})
        return HttpResponseRedirect(reverse("engineering:list", args=[site_id]))
    return render(request, "engineering/delete.html", {"study": study, "site": study.site,
                                                       "form": form})  # fmt: skip
