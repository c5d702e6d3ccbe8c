"""Intelligence pages: datasets of the analyst's organisation, upload, dashboard, claims, reports.

Every page and export carries the source attribution and states that only aggregates are
shown. There is deliberately no route that returns incident rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.intel import charts, services, threat
from placeguard.web.intel.access import can_analyse, visible_to
from placeguard.web.intel.choices import FINISHED_STATUSES, DatasetStatus
from placeguard.web.intel.forms import (
    WHOLE_COUNTRY,
    ClaimForm,
    FilterForm,
    ThreatSourceForm,
    UploadForm,
    urban_value,
)
from placeguard.web.intel.models import Dataset
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import OrgKind
from placeguard.web.orgs.models import User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _analyst(request: HttpRequest) -> User:
    user = _user(request)
    if not can_analyse(user):
        raise PermissionDenied(_("Only analysts of law enforcement or authorities may use "
                                 "incident datasets."))  # fmt: skip
    return user


def _dataset(request: HttpRequest, dataset_id: int) -> Dataset:
    try:
        return services.get_dataset_for(_user(request), dataset_id, analyse=True)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    """The organisation's incident datasets."""
    user = _analyst(request)
    datasets = visible_to(user).select_related("created_by")
    return render(request, "intel/list.html", {"datasets": datasets,
                                               "notice": services.AGGREGATES_ONLY})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def dataset_upload(request: HttpRequest) -> HttpResponse:
    """Upload an incident file; the import runs in the background."""
    user = _analyst(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            dataset = services.create_dataset(
                actor=user,
                name=form.cleaned_data["name"],
                source=form.cleaned_data["source"],
                file_name=upload.name,
                data=upload,
                mapping_text=form.mapping_text(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The file was uploaded; the import runs in the "
                                        "background."))  # fmt: skip
            return HttpResponseRedirect(reverse("intel:detail", args=[dataset.pk]))
    return render(request, "intel/upload.html", {"form": form,
                                                 "notice": services.AGGREGATES_ONLY})  # fmt: skip


def _query(form: FilterForm) -> services.ReportQuery:
    data = form.cleaned_data
    first, last = data.get("first_year"), data.get("last_year")
    years = None
    if first is not None or last is not None:
        years = (first or 1900, last or 2100)
    return services.ReportQuery(
        by=data.get("by") or "category",
        category=data.get("category") or None,
        scenario=data.get("scenario") or None,
        region=data.get("region") or None,
        urban=urban_value(data.get("urban")),
        years=years,
        split_year=data.get("split_year"),
        breaks=data.get("breaks"),
    )


def _report_for(request: HttpRequest, dataset: Dataset) -> tuple[FilterForm, dict[str, Any] | None]:
    form = FilterForm(request.GET or None, facets=dataset.facets)
    if request.GET and not form.is_valid():
        return form, None
    query = _query(form) if request.GET else services.ReportQuery()
    try:
        return form, services.trend_report(dataset, query)
    except ValidationError as exc:
        form.add_error(None, exc.message)
    except NotFoundError as exc:
        form.add_error(None, exc.message)
    return form, None


def _source_form(request: HttpRequest, data: Any = None) -> ThreatSourceForm | None:
    """The publish form, for analysts of a vetted organisation (None for others)."""
    org = active_org(_user(request))
    if org is None or not org.vetted:
        return None
    regions = [(str(r.pk), r.name) for r in threat.publishable_regions(org)]
    if org.kind == OrgKind.AUTHORITY:
        regions.insert(0, (WHOLE_COUNTRY, _("The whole country (%(c)s)") % {"c": org.country_code}))
    if not regions:
        return None
    return ThreatSourceForm(data, regions=regions, site_types=threat.site_types())


def _dashboard(request: HttpRequest, dataset: Dataset, claim_form: ClaimForm | None = None,
               verdict: dict[str, Any] | None = None,
               source_form: ThreatSourceForm | None = None) -> HttpResponse:  # fmt: skip
    context: dict[str, Any] = {
        "dataset": dataset,
        "attribution": services.attribution(dataset),
        "notice": services.AGGREGATES_ONLY,
        "finished": dataset.status in FINISHED_STATUSES,
        "verdict": verdict,
        "threat_sources": dataset.threat_sources.select_related("region", "created_by"),
    }
    if dataset.status == DatasetStatus.DONE and dataset.row_count:
        context["source_form"] = source_form or _source_form(request)
    if dataset.status == DatasetStatus.DONE and dataset.row_count:
        form, report = _report_for(request, dataset)
        context["filter_form"] = form
        context["report"] = report
        context["claim_form"] = claim_form or ClaimForm(facets=dataset.facets)
        if report is not None:
            title = _("Attacks and deaths per year (%(f)s)") % {"f": report["filters"]}
            yearly = charts.yearly_chart(report["total"]["yearly"], report["breaks"], title=title)
            lethality = charts.lethality_chart(report["groups"], report["split_year"])
            context["yearly_chart"] = mark_safe(yearly)  # noqa: S308 - every text escaped
            context["lethality_chart"] = mark_safe(lethality)  # noqa: S308 - every text escaped
            context["query_string"] = request.GET.urlencode()
            query = _query(form) if request.GET else services.ReportQuery()
            context["incident_map"] = services.map_cells(dataset, query)
            context["tile_url"] = settings.PLACEGUARD_TILE_URL
            context["tile_attribution"] = settings.PLACEGUARD_TILE_ATTRIBUTION
    return render(request, "intel/detail.html", context)


@login_required
@require_GET
def dataset_detail(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """The dataset dashboard (or the import's progress / problems)."""
    return _dashboard(request, _dataset(request, dataset_id))


@login_required
@require_POST
def dataset_claim(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """Test a claim; the dashboard with the verdict card."""
    dataset = _dataset(request, dataset_id)
    if dataset.status != DatasetStatus.DONE or not dataset.row_count:
        raise Http404(_("This dataset has no imported incidents."))
    form = ClaimForm(request.POST, facets=dataset.facets)
    verdict = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            verdict = services.assess(
                dataset,
                metric=data["metric"],
                direction=data["direction"],
                category=data.get("category") or None,
                region=data.get("region") or None,
                urban=urban_value(data.get("urban")),
                split_year=data.get("split_year"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return _dashboard(request, dataset, form, verdict)


@login_required
@require_POST
def threat_source_publish(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """Publish the dataset as the threat source of a region (or of the country)."""
    dataset = _dataset(request, dataset_id)
    form = _source_form(request, request.POST)
    if form is None:
        raise PermissionDenied(_("Only analysts of a vetted law-enforcement organisation or "
                                 "authority may publish threat sources."))  # fmt: skip
    if form.is_valid():
        choice = form.cleaned_data["region"]
        org = active_org(_user(request))
        assert org is not None  # _source_form checked it
        region = None
        if choice != WHOLE_COUNTRY:
            region = next(r for r in threat.publishable_regions(org) if str(r.pk) == choice)
        default = threat.default_window(dataset)
        try:
            threat.publish_threat_source(
                actor=_user(request),
                dataset=dataset,
                region=region,
                data_country=form.cleaned_data["data_country"],
                site_counts=form.site_counts(),
                horizon_years=form.cleaned_data["horizon_years"],
                years=form.years((default[0], int(dataset.facets["years"][1]))),
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except (ValidationError, ConflictError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Published: site assessments in that scope now take "
                                        "their threat from this dataset."))  # fmt: skip
            url = reverse("intel:detail", args=[dataset.pk])
            return HttpResponseRedirect(f"{url}#threat-sources")
    return _dashboard(request, dataset, source_form=form)


@login_required
@require_POST
def threat_source_deactivate(request: HttpRequest, source_id: int) -> HttpResponse:
    """Withdraw a threat source (assessments return to the pack's figures)."""
    user = _analyst(request)
    try:
        source = threat.get_source_for(user, source_id)
        threat.deactivate_threat_source(source, actor=user)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("The threat source was withdrawn."))
    url = reverse("intel:detail", args=[source.dataset_id])
    return HttpResponseRedirect(f"{url}#threat-sources")


@login_required
@require_POST
def dataset_delete(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """Delete the dataset and its stored incidents (after the confirmation box is ticked)."""
    dataset = _dataset(request, dataset_id)
    here = reverse("intel:detail", args=[dataset.pk])
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the deletion; nothing was deleted."))
        return HttpResponseRedirect(f"{here}#delete")
    try:
        services.delete_dataset(dataset, actor=_user(request))
    except ConflictError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(f"{here}#delete")
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("The dataset “%(n)s” and its stored incidents were deleted.")
                     % {"n": dataset.name})  # fmt: skip
    return HttpResponseRedirect(reverse("intel:list"))


def _export_report(request: HttpRequest, dataset_id: int) -> tuple[Dataset, dict[str, Any]]:
    dataset = _dataset(request, dataset_id)
    _form, report = _report_for(request, dataset)
    if report is None:
        raise Http404(_("No report for this selection."))
    return dataset, report


@login_required
@require_GET
def report_html(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """The self-contained HTML trend report (aggregates only), as a download."""
    dataset, report = _export_report(request, dataset_id)
    response = HttpResponse(services.report_html(report), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trend-report-{dataset.pk}.html"'
    return response


@login_required
@require_GET
def report_pdf(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """The trend report as PDF (WeasyPrint, every fetch refused)."""
    dataset, report = _export_report(request, dataset_id)
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        messages.error(request, _("PDF reports are not available on this server: %s") % exc)
        return HttpResponseRedirect(reverse("intel:detail", args=[dataset.pk]))
    html = services.report_html(report)
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=frozenset())).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="trend-report-{dataset.pk}.pdf"'
    return response


@login_required
@require_GET
def dataset_status(request: HttpRequest, dataset_id: int) -> JsonResponse:
    """Where the import is (for the progress bar)."""
    dataset = _dataset(request, dataset_id)
    return JsonResponse({"status": dataset.status, "progress": dataset.progress,
                         "message": dataset.progress_message,
                         "finished": dataset.status in FINISHED_STATUSES})  # fmt: skip


__all__ = [
    "dataset_claim",
    "dataset_delete",
    "dataset_detail",
    "dataset_list",
    "dataset_status",
    "dataset_upload",
    "report_html",
    "report_pdf",
    "threat_source_deactivate",
    "threat_source_publish",
]
