"""Allocation pages: patrol planner, plan list and detail with schedule downloads, coverage.

Reads start from ``queries``/``access``; writes go through ``services``. Users outside a
vetted law-enforcement force get 404 on every page; its readers get 403 on the planner.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.allocation import exporting, queries, roadnet, services
from placeguard.web.allocation.access import can_plan, can_view
from placeguard.web.allocation.forms import CoverageForm, PlannerForm
from placeguard.web.allocation.models import PatrolPlan
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.orgs.models import User
from placeguard.web.sites.choices import SiteType
from placeguard.web.sites.views import region_outlines

#: Coverage buckets for map colours and the legend: (class suffix, lower bound).
COVERAGE_BANDS = (("high", 0.66), ("medium", 0.33), ("low", 1e-9), ("none", -1.0))


def _user(request: HttpRequest, *, for_edit: bool = False) -> User:
    user = request.user
    if not isinstance(user, User) or not can_view(user):
        raise Http404
    if for_edit and not can_plan(user):
        raise PermissionDenied(_("Your role does not allow planning patrols."))
    return user


def _band(p: float) -> str:
    return next(name for name, low in COVERAGE_BANDS if p >= low)


def _map_settings() -> dict[str, Any]:
    return {
        "tile_url": settings.PLACEGUARD_TILE_URL,
        "tile_attribution": settings.PLACEGUARD_TILE_ATTRIBUTION,
    }


# ---------------------------------------------------------------------------- planner
@login_required
@require_http_methods(["GET", "POST"])
def planner(request: HttpRequest) -> HttpResponse:
    """Choose sites, teams, shifts and the attacker model; run; go to the stored plan."""
    user = _user(request, for_edit=True)
    form = PlannerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.run_patrol_plan(form.to_raw(), actor=user)
        except ValidationError as exc:
            apply_service_errors(
                form, exc, field_map={"attacker": "attacker_model"}, default_field=None
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        else:
            messages.success(request, _("Patrol plan “%(name)s” computed.") % {"name": plan.name})
            return HttpResponseRedirect(reverse("allocation:plan", args=[plan.pk]))
    context = {
        "form": form,
        "teams": queries.team_list(user),
        "stations": queries.station_list(user),
        "plans": queries.plan_list(user)[:5],
    }
    return render(request, "allocation/planner.html", context)


# ---------------------------------------------------------------------------- plans
@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The force's stored plans, newest first."""
    user = _user(request)
    context = {"plans": queries.plan_list(user), "can_plan": can_plan(user)}
    return render(request, "allocation/plans.html", context)


def _plan(request: HttpRequest, plan_id: int) -> PatrolPlan:
    try:
        return services.get_plan_for(_user(request), plan_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def calendar(plan: PatrolPlan) -> dict[str, Any]:
    """The schedule as rows of days × shifts, each cell listing ``(team, site name)`` posts."""
    stored = plan.results.get("schedule", {})
    labels = exporting.site_labels(plan)
    cells: dict[tuple[str, int], list[tuple[str, str | None]]] = defaultdict(list)
    times: dict[int, str] = {}
    for a in stored.get("assignments", []):
        site = labels.get(a["site"]) if a["site"] is not None else None
        cells[(a["date"], a["shift"])].append((a["team"], site))
        times.setdefault(a["shift"], f"{a['start'][11:16]}–{a['end'][11:16]}")
    days = sorted({day for day, _shift in cells})
    shifts = sorted(times)
    return {
        "shifts": [{"number": s, "hours": times[s]} for s in shifts],
        "rows": [{"day": d, "cells": [cells[(d, s)] for s in shifts]} for d in days],
    }


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Coverage per site on the map, the attacker's response, the derivation, the schedule."""
    plan = _plan(request, plan_id)
    results = plan.results
    labels = dict(SiteType.choices)
    sites = sorted(results.get("sites", []), key=lambda s: (-s["coverage"], s["name"]))
    markers = [
        {
            "name": s["name"],
            "lat": s["lat"],
            "lon": s["lon"],
            "url": reverse("sites:detail", args=[s["id"]]),
            "cls": f"pg-cover-{_band(s['coverage'])}" + (" pg-attacked" if s["attacked"] else ""),
            "label": _("coverage %(p)s %%") % {"p": round(100 * s["coverage"])},
        }
        for s in sites
    ]
    attacked = [s for s in sites if s["attacked"]]
    context = {
        "plan": plan,
        "results": results,
        "sites": sites,
        "attacked": attacked,
        "type_labels": labels,
        "calendar": calendar(plan),
        "markers": markers,
        "regions": [],
        "bands": COVERAGE_BANDS[:-1],
        **_map_settings(),
    }
    return render(request, "allocation/plan.html", context)


def _download(plan: PatrolPlan, body: str, content_type: str, suffix: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="patrol-plan-{plan.pk}.{suffix}"'
    return response


@login_required
@require_GET
def schedule_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's schedule as CSV."""
    plan = _plan(request, plan_id)
    return _download(plan, exporting.schedule_csv(plan), "text/csv; charset=utf-8", "csv")


@login_required
@require_GET
def schedule_ics(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's schedule as iCalendar."""
    plan = _plan(request, plan_id)
    return _download(plan, exporting.schedule_ics(plan), "text/calendar; charset=utf-8", "ics")


# ---------------------------------------------------------------------------- coverage
@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Sites reached within the standard from the force's stations, and where to add units."""
    user = _user(request, for_edit=True)
    network = roadnet.status()
    form = CoverageForm(request.GET if "standard_minutes" in request.GET else None, user=user)
    result: dict[str, Any] | None = None
    if network.state == "ready" and form.is_bound and form.is_valid():
        try:
            result = services.run_coverage(
                actor=user,
                standard_seconds=60.0 * form.cleaned_data["standard_minutes"],
                units=form.cleaned_data["units"],
                regions=form.cleaned_data["regions"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, exc.message)
    context: dict[str, Any] = {
        "form": form,
        "network": network,
        "result": result,
        "stations": queries.station_list(user).filter(active=True),
        **_map_settings(),
    }
    if result is not None:
        context.update(_coverage_map(result, user))
    return render(request, "allocation/coverage.html", context)


def _coverage_map(result: dict[str, Any], user: User) -> dict[str, Any]:
    sites = result["sites"]
    markers = [
        {
            "name": s["name"],
            "lat": s["lat"],
            "lon": s["lon"],
            "url": reverse("sites:detail", args=[s["id"]]),
            "cls": "pg-cover-high" if s["covered"] else "pg-cover-none",
            "label": (
                _("%(m)s min from %(station)s")
                % {"m": round(s["time_s"] / 60, 1), "station": s["station_name"]}
                if s["time_s"] is not None
                else _("unreachable")
            ),
        }
        for s in sites
    ]
    stations = [{"name": s["name"], "lat": s["lat"], "lon": s["lon"]} for s in result["stations"]]
    siting = result.get("siting") or {}
    units = [
        {"name": _("Suggested unit %(n)s") % {"n": i + 1}, "lat": u["lat"], "lon": u["lon"]}
        for i, u in enumerate(siting.get("units", []))
    ]
    uncovered = [s for s in sites if not s["covered"]]
    uncovered.sort(key=lambda s: (s["time_s"] is not None, -(s["time_s"] or 0), s["name"]))
    del user
    return {
        "markers": markers,
        "station_markers": stations,
        "unit_markers": units,
        "isochrones": result["isochrones"],
        "uncovered_sites": uncovered,
        "siting": siting or None,
        "regions": region_outlines([]),
    }
