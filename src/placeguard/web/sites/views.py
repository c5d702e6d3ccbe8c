"""Site pages: list with filters and map, detail, create/edit, archive, CSV/GeoJSON export.

Every read starts from ``queries.site_list(user)`` / ``services.get_site_for``; every write goes
through ``services``. Sites the user may not see answer 404, whether they exist or not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from placeguard.core.timeprofile import DAYS, TimeProfile
from placeguard.web.audit.queries import visible_to as visible_events
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.common.streaming import csv_lines
from placeguard.web.orgs.models import Region, User
from placeguard.web.sites import services
from placeguard.web.sites.access import can_edit
from placeguard.web.sites.choices import SiteStatus, SiteType
from placeguard.web.sites.exporting import sites_to_csv_rows, sites_to_geojson, sites_to_xlsx
from placeguard.web.sites.forms import (
    TIME_PROFILE_EXAMPLE,
    SiteForm,
    SiteListFilter,
    initial_from_site,
)
from placeguard.web.sites.models import Site
from placeguard.web.sites.queries import site_list

PAGE_SIZE = 50
#: Most markers drawn on the list map; the table and exports still hold every match.
MAP_MARKER_LIMIT = 2000

DAY_LABELS = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required runs first; this narrows the type
        raise PermissionDenied
    return user


# ---------------------------------------------------------------------------- list and export
def _filter_data(request: HttpRequest) -> QueryDict:
    """The query string, with ``status=active`` unless the user chose a status (or "any")."""
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = SiteStatus.ACTIVE
    data.pop("page", None)
    return data


def filtered_sites(request: HttpRequest) -> tuple[SiteListFilter, QuerySet[Site]]:
    """The filter form and the visible sites matching it, in name order."""
    user = _user(request)
    queryset = site_list(user).order_by("name", "id")
    site_filter = SiteListFilter(_filter_data(request), queryset=queryset, user=user)
    return site_filter, site_filter.qs


def map_markers(sites: QuerySet[Site], limit: int | None = None) -> list[dict[str, Any]]:
    """Marker data (id, name, type, position, detail URL) for at most ``limit`` sites."""
    limit = MAP_MARKER_LIMIT if limit is None else limit
    labels = dict(SiteType.choices)
    rows = sites.prefetch_related(None).values_list(
        "id", "name", "site_type", "latitude", "longitude", "region__name"
    )[:limit]
    return [
        {
            "id": pk,
            "name": name,
            "type": site_type,
            "type_label": str(labels.get(site_type, site_type)),
            "region": region,
            "lat": lat,
            "lon": lon,
            "url": reverse("sites:detail", args=[pk]),
        }
        for pk, name, site_type, lat, lon, region in rows
    ]


def region_outlines(region_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Name and ``[[lon, lat], …]`` ring of the given regions that have an outline."""
    regions = Region.objects.filter(pk__in=set(region_ids)).exclude(outline=[])
    return [{"name": r.name, "outline": r.outline} for r in regions.order_by("name")]


def map_context(markers: list[dict[str, Any]], region_ids: Iterable[int]) -> dict[str, Any]:
    """Template context for ``sites/_map.html``."""
    return {
        "markers": markers,
        "regions": region_outlines(region_ids),
        "tile_url": settings.PLACEGUARD_TILE_URL,
        "tile_attribution": settings.PLACEGUARD_TILE_ATTRIBUTION,
        "type_labels": [(value, str(label)) for value, label in SiteType.choices],
    }


@login_required
@require_GET
def site_list_view(request: HttpRequest) -> HttpResponse:
    """Filterable, paginated list of visible sites with a map of every match."""
    user = _user(request)
    site_filter, sites = filtered_sites(request)
    paginator = Paginator(sites.prefetch_related(None), PAGE_SIZE)  # the table needs no M2M
    page = paginator.get_page(request.GET.get("page"))
    markers = map_markers(sites)
    region_ids = sites.prefetch_related(None).order_by().values_list("region_id", flat=True)
    query = _filter_data(request)
    context = {
        "filter": site_filter,
        "page_obj": page,
        "sites": page.object_list,
        "total": paginator.count,
        "marker_limit": len(markers),
        "map_truncated": paginator.count > len(markers),
        "query": query.urlencode(),
        "can_edit": can_edit(user),
        **map_context(markers, region_ids.distinct()),
    }
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "sites/_results.html" if partial else "sites/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered visible sites as CSV (columns the importer reads back)."""
    _site_filter, sites = filtered_sites(request)
    response = StreamingHttpResponse(
        csv_lines(sites_to_csv_rows(sites.iterator(chunk_size=500))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="placeguard-sites.csv"'
    return response


@login_required
@require_GET
def export_geojson(request: HttpRequest) -> JsonResponse:
    """The filtered visible sites as a GeoJSON FeatureCollection."""
    _site_filter, sites = filtered_sites(request)
    response = JsonResponse(
        sites_to_geojson(sites),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Disposition"] = 'attachment; filename="placeguard-sites.geojson"'
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered visible sites as an Excel workbook."""
    _site_filter, sites = filtered_sites(request)
    response = HttpResponse(
        sites_to_xlsx(sites.iterator(chunk_size=500)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="placeguard-sites.xlsx"'
    return response


# ---------------------------------------------------------------------------- detail
def _get_site(request: HttpRequest, site_id: int, *, for_edit: bool = False) -> Site:
    try:
        return services.get_site_for(_user(request), site_id, for_edit=for_edit)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def opening_hours(profile: dict[str, Any]) -> dict[str, Any] | None:
    """The time profile as rows for a table: one per weekday, plus the events.

    Returns None when the stored profile does not parse (it is then shown as raw JSON).
    """
    try:
        parsed = TimeProfile.from_json(profile or None)
    except ValidationError:
        return None
    days = []
    for day in DAYS:
        spans = parsed.weekly.get(day, ())
        days.append(
            {
                "day": day,
                "label": DAY_LABELS[day],
                "spans": [
                    {
                        "open": iv.as_json()[0],
                        "close": iv.as_json()[1],
                        "overnight": iv.end <= iv.start,
                    }
                    for iv in spans
                ],
            }
        )
    return {
        "days": days,
        "has_schedule": any(d["spans"] for d in days),
        "typical_share": round(parsed.typical_share * 100),
        "events": parsed.events,
        "weekly_hours": round(parsed.weekly_open_minutes() / 60, 1),
    }


@login_required
@require_GET
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    """One site with its map, opening hours, responsibilities and recent history."""
    user = _user(request)
    site = _get_site(request, site_id)
    site = site_list(user).get(pk=site.pk)  # with responsible_le and tags prefetched
    events = (
        visible_events(user)
        .filter(object_type="sites.site", object_id=str(site.pk))
        .order_by("-id")[:20]
    )
    markers = map_markers(Site.objects.filter(pk=site.pk), limit=1)
    context = {
        "site": site,
        "hours": opening_hours(site.time_profile),
        "time_profile_json": json.dumps(site.time_profile, indent=2),
        "events": list(events),
        "can_edit": can_edit(user),
        **map_context(markers, [site.region_id]),
    }
    return render(request, "sites/detail.html", context)


# ---------------------------------------------------------------------------- writes
def _form_page(request: HttpRequest, form: SiteForm, site: Site | None) -> HttpResponse:
    context = {"form": form, "site": site, "time_profile_example": TIME_PROFILE_EXAMPLE}
    return render(request, "sites/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    """Register a new site."""
    user = _user(request)
    if not can_edit(user):
        raise PermissionDenied(_("Your role does not allow registering sites."))
    if request.method != "POST":
        return _form_page(request, SiteForm(user=user), None)
    form = SiteForm(request.POST, user=user)
    if form.is_valid():
        try:
            site = services.create_site(form.to_raw(), actor=user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, _("Site “%(name)s” registered.") % {"name": site.name})
            return HttpResponseRedirect(reverse("sites:detail", args=[site.pk]))
    else:
        form.check_all()
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, site_id: int) -> HttpResponse:
    """Edit a visible site (editors only)."""
    user = _user(request)
    site = _get_site(request, site_id, for_edit=True)
    if request.method != "POST":
        return _form_page(
            request, SiteForm(user=user, site=site, initial=initial_from_site(site)), site
        )
    form = SiteForm(request.POST, user=user, site=site)
    if form.is_valid():
        try:
            site = services.update_site(site, form.to_raw(), actor=user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, _("Site “%(name)s” saved.") % {"name": site.name})
            return HttpResponseRedirect(reverse("sites:detail", args=[site.pk]))
    else:
        form.check_all()
    return _form_page(request, form, site)


@login_required
@require_POST
def site_archive(request: HttpRequest, site_id: int) -> HttpResponseBase:
    """Archive (``archived=1``) or restore (``archived=0``) a site."""
    user = _user(request)
    site = _get_site(request, site_id, for_edit=True)
    archived = request.POST.get("archived", "1") != "0"
    try:
        site = services.archive_site(site, actor=user, archived=archived)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    if archived:
        messages.success(request, _("Site “%(name)s” archived.") % {"name": site.name})
    else:
        messages.success(request, _("Site “%(name)s” restored.") % {"name": site.name})
    return HttpResponseRedirect(reverse("sites:detail", args=[site.pk]))
