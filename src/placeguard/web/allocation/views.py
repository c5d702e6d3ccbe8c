"""Allocation pages: patrol planner, plan list and detail with schedule downloads, coverage,
and the management of patrol teams and response stations.

Reads start from ``queries``/``access``; writes go through ``services`` (which audit). Users
outside a vetted law-enforcement force get 404 on every page; its readers see the lists and
get 403 on the planner, coverage and every write.
"""

from __future__ import annotations

import re
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.allocation import exporting, queries, roadnet, services
from placeguard.web.allocation.access import can_plan, can_view
from placeguard.web.allocation.attackers import EMPHASIS, PREFERENCES, preference_table
from placeguard.web.allocation.forms import (
    CoverageForm,
    PlannerForm,
    StationForm,
    TeamForm,
    cell_name,
    shown_value,
)
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
#: ``overrides[12].attacker_covered`` / ``sites[12].defender_covered`` → payoff-table cell.
CELL_ERROR = re.compile(r"^(?:overrides|sites)\[(\d+)\]\.(\w+)$")


def _planner_errors(form: PlannerForm, exc: ValidationError) -> None:
    """Service errors on the planner: payoff problems at their table cell, the rest by field."""
    rest = []
    for err in exc.errors:
        match = CELL_ERROR.match(err.field)
        cell = cell_name(int(match[1]), match[2]) if match else None
        if cell is not None and cell in form.fields:
            form.add_error(cell, err.message)
        else:
            rest.append(err)
    if rest or not exc.errors:
        apply_service_errors(
            form,
            ValidationError(exc.message, errors=rest),
            field_map={"attacker": "attacker_model", "attacker_types": "type2_name"},
            default_field=None,
        )


def _with_payoff_table(
    request: HttpRequest, user: User, rows: list[dict[str, Any]], interdiction: float
) -> PlannerForm:
    """The planner form again, with the payoff table filled with the derived payoffs."""
    data = request.POST.copy()
    data["payoff_sites"] = ",".join(str(r["id"]) for r in rows)
    data["payoff_basis"] = repr(interdiction)
    for row in rows:
        for payoff, value in row["payoffs"].items():
            data[cell_name(row["id"], payoff)] = f"{shown_value(value):g}"
    form = PlannerForm(data, user=user)
    form.is_valid()
    return form


def _run_plan(request: HttpRequest, user: User, form: PlannerForm) -> PatrolPlan | None:
    """Run the plan of a valid form (payoff-table edits become overrides); None on errors."""
    raw = form.to_raw()
    try:
        if form.payoff_rows:
            basis = form.cleaned_data.get("payoff_basis") or ""
            if set(form.table_ids()) != set(raw["sites"]) or basis != repr(raw["interdiction"]):
                form.add_error(
                    None,
                    _(
                        "The sites or the interdiction probability changed since the payoff "
                        "table was shown: show the payoff table again."
                    ),
                )
                return None
            raw["overrides"] = form.overrides(services.preview_payoffs(raw, actor=user))
        return services.run_patrol_plan(raw, actor=user)
    except ValidationError as exc:
        _planner_errors(form, exc)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return None


@login_required
@require_http_methods(["GET", "POST"])
def planner(request: HttpRequest) -> HttpResponse:
    """Choose sites, teams, shifts and the attacker model; run; go to the stored plan.

    "Show payoff table" (``action=payoffs``) renders the derived payoffs of the chosen sites as
    an editable table; on "Compute", cells that differ from the derived payoffs are sent as
    overrides.
    """
    user = _user(request, for_edit=True)
    form = PlannerForm(request.POST or None, user=user)
    explanations: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "payoffs":
            raw = form.to_raw()
            try:
                rows = services.preview_payoffs(raw, actor=user)
            except ValidationError as exc:
                _planner_errors(form, exc)
            else:
                form = _with_payoff_table(request, user, rows, raw["interdiction"])
                explanations = {r["id"]: r["explanation"] for r in rows}
        else:
            plan = _run_plan(request, user, form)
            if plan is not None:
                messages.success(
                    request, _("Patrol plan “%(name)s” computed.") % {"name": plan.name}
                )
                return HttpResponseRedirect(reverse("allocation:plan", args=[plan.pk]))
    context = {
        "form": form,
        "payoff_rows": form.rows(),
        "explanations": explanations,
        "preferences": [label for label, _types in PREFERENCES.values()],
        "preference_table": [
            {**row, "label": dict(SiteType.choices).get(str(row["site_type"]), row["site_type"])}
            for row in preference_table()
        ],
        "emphasis": EMPHASIS,
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


# ---------------------------------------------------------------------------- teams, stations
def _editable(lookup: Any, user: User, object_id: int) -> Any:
    """A team or station of the user's force for editing: 404 elsewhere, 403 for readers."""
    try:
        return lookup(user, object_id, for_edit=True)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _save(request: HttpRequest, form: Any, write: Any, done: str, what: str) -> HttpResponse | None:
    """Run the service ``write`` for a valid form; redirect to ``done``, or put errors on it."""
    if not form.is_valid():
        return None
    try:
        obj = write(form.to_raw())
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, what % {"name": obj.name})
    return HttpResponseRedirect(reverse(done))


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    """The force's patrol teams, active first."""
    user = _user(request)
    teams = queries.team_list(user).order_by("-active", "name", "id")
    context = {"teams": teams, "can_plan": can_plan(user)}
    return render(request, "allocation/teams.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    """Create a patrol team (editors)."""
    user = _user(request, for_edit=True)
    form = TeamForm(request.POST or None, user=user)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda raw: services.create_team(raw, actor=user),
            "allocation:teams",
            _("Patrol team “%(name)s” created."),
        )
        if done is not None:
            return done
    return render(request, "allocation/team_form.html", {"form": form, "team": None})


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    """Rename a team, change its districts, or take it in or out of planning (editors)."""
    user = _user(request)
    team = _editable(services.get_team_for, user, team_id)
    initial = {
        "name": team.name,
        "districts": [r.code for r in team.districts.all()],
        "active": team.active,
    }
    form = TeamForm(request.POST or None, user=user, editing=True, initial=initial)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda raw: services.update_team(team, raw, actor=user),
            "allocation:teams",
            _("Patrol team “%(name)s” saved."),
        )
        if done is not None:
            return done
    return render(request, "allocation/team_form.html", {"form": form, "team": team})


@login_required
@require_POST
def team_deactivate(request: HttpRequest, team_id: int) -> HttpResponse:
    """Take a team out of planning; it stays in past plans (editors)."""
    user = _user(request)
    team = _editable(services.get_team_for, user, team_id)
    services.deactivate_team(team, actor=user)
    messages.success(request, _("Patrol team “%(name)s” deactivated.") % {"name": team.name})
    return HttpResponseRedirect(reverse("allocation:teams"))


@login_required
@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    """The force's response stations, active first, with a map."""
    user = _user(request)
    stations = queries.station_list(user).order_by("-active", "name", "id")
    context = {
        "stations": stations,
        "can_plan": can_plan(user),
        "markers": [],
        "station_markers": [
            {"name": s.name, "lat": s.latitude, "lon": s.longitude} for s in stations if s.active
        ],
        **_map_settings(),
    }
    return render(request, "allocation/stations.html", context)


def _station_page(
    request: HttpRequest, user: User, form: StationForm, station: Any
) -> HttpResponse:
    others = queries.station_list(user).filter(active=True)
    if station is not None:
        others = others.exclude(pk=station.pk)
    context = {
        "form": form,
        "station": station,
        "others": [{"name": s.name, "lat": s.latitude, "lon": s.longitude} for s in others],
        **_map_settings(),
    }
    return render(request, "allocation/station_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def station_create(request: HttpRequest) -> HttpResponse:
    """Create a response station (editors)."""
    user = _user(request, for_edit=True)
    form = StationForm(request.POST or None)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda raw: services.create_station(raw, actor=user),
            "allocation:stations",
            _("Response station “%(name)s” created."),
        )
        if done is not None:
            return done
    return _station_page(request, user, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def station_edit(request: HttpRequest, station_id: int) -> HttpResponse:
    """Rename or move a station, or take it in or out of coverage runs (editors)."""
    user = _user(request)
    station = _editable(services.get_station_for, user, station_id)
    initial = {
        "name": station.name,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "active": station.active,
    }
    form = StationForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST":
        done = _save(
            request,
            form,
            lambda raw: services.update_station(station, raw, actor=user),
            "allocation:stations",
            _("Response station “%(name)s” saved."),
        )
        if done is not None:
            return done
    return _station_page(request, user, form, station)


@login_required
@require_POST
def station_deactivate(request: HttpRequest, station_id: int) -> HttpResponse:
    """Take a station out of coverage runs (editors)."""
    user = _user(request)
    station = _editable(services.get_station_for, user, station_id)
    services.deactivate_station(station, actor=user)
    messages.success(
        request, _("Response station “%(name)s” deactivated.") % {"name": station.name}
    )
    return HttpResponseRedirect(reverse("allocation:stations"))
