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

from placeguard.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.intel import charts, services
from placeguard.web.intel.access import can_analyse, visible_to
from placeguard.web.intel.choices import FINISHED_STATUSES, DatasetStatus
from placeguard.web.intel.forms import ClaimForm, FilterForm, UploadForm, urban_value
from placeguard.web.intel.models import Dataset
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


def _dashboard(request: HttpRequest, dataset: Dataset, claim_form: ClaimForm | None = None,
               verdict: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
    context: dict[str, Any] = {
        "dataset": dataset,
        "attribution": services.attribution(dataset),
        "notice": services.AGGREGATES_ONLY,
        "finished": dataset.status in FINISHED_STATUSES,
        "verdict": verdict,
    }
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
    "dataset_detail",
    "dataset_list",
    "dataset_status",
    "dataset_upload",
    "report_html",
    "report_pdf",
]
