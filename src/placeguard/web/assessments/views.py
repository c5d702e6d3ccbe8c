"""Assessment pages: answer section by section with a live result, review, history and diff,
plans, action items and risk acceptances, and the portfolio.

Every read starts from ``queries`` (visibility first: an outsider gets 404 whether or not the
object exists) and every write goes through ``services``. A visible object the user's role
does not allow changing answers 403. State conflicts (submitting an approved assessment…)
come back as a message on the page they were made from.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlaceguardError,
    ValidationError,
)
from placeguard.engines.risk.catalogue import CATEGORIES, Question, RiskPack
from placeguard.engines.risk.scales import BANDS, band_of
from placeguard.web.assessments import access, allocation, queries, scoring, services
from placeguard.web.assessments.choices import (
    EDITABLE_STATUSES,
    RESULT_STATUSES,
    AcceptanceStatus,
    AssessmentStatus,
    RiskBand,
)
from placeguard.web.assessments.forms import (
    ANSWER_UNKNOWN,
    AcceptRiskForm,
    ActionItemForm,
    AllocationForm,
    ApproveForm,
    AssessmentListFilterForm,
    CommentForm,
    ContextForm,
    CreateActionItemsForm,
    PlanForm,
    PortfolioFilterForm,
    ReturnForm,
    RevokeForm,
    SectionForm,
    WhatIfForm,
    future,
    scenario_choices,
)
from placeguard.web.assessments.labels import band_key, category_label
from placeguard.web.assessments.models import Assessment
from placeguard.web.assessments.templatetags.assessment_tags import money
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.common.streaming import csv_lines
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.models import Region, User
from placeguard.web.sites import services as site_services
from placeguard.web.sites.choices import SiteType
from placeguard.web.sites.exporting import guard_formula
from placeguard.web.sites.models import Site
from placeguard.web.sites.views import map_context

PAGE_SIZE = 50
#: Budgets sampled for the plan page's cost curve (each is one exact solve).
PARETO_POINTS = 7
#: Budgets of the plan shown on a first visit (pack currency).
DEFAULT_BUDGETS = {"capex": "50000", "opex": "25000"}
#: Most markers drawn on the portfolio map; the table and the export hold every match.
MAP_MARKER_LIMIT = 2000
#: Drivers listed in the result panel.
TOP_DRIVERS = 5
#: Band names from most to least severe.
BANDS_DOWN: tuple[str, ...] = tuple(name for _upper, name in reversed(BANDS))


# ---------------------------------------------------------------------------- plumbing
def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required runs first; this narrows the type
        raise PermissionDenied
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    try:
        return queries.get_assessment_for(_user(request), assessment_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _site(request: HttpRequest, site_id: int) -> Site:
    try:
        return site_services.get_site_for(_user(request), site_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _redirect(url: str, *, htmx: bool = False) -> HttpResponse:
    """A redirect; for htmx, a full-page navigation (``HX-Redirect``)."""
    if htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _detail_url(assessment: Assessment, section: str | None = None) -> str:
    url = reverse("assessments:detail", args=[assessment.pk])
    return f"{url}?{urlencode({'section': section})}#workspace" if section else url


def _conflict(request: HttpRequest, exc: PlaceguardError) -> None:
    messages.error(request, exc.message)


# ---------------------------------------------------------------------------- sections
@dataclass(frozen=True, slots=True)
class Section:
    """The questions of one category asked for the site, with progress."""

    key: str
    label: str
    questions: tuple[Question, ...]
    answered: int  # an option or "not applicable"
    unknown: int  # answered "unknown"

    @property
    def total(self) -> int:
        """Questions in the section."""
        return len(self.questions)

    @property
    def complete(self) -> bool:
        """Every question has an answer other than "unknown"."""
        return self.answered == self.total


def sections_for(pack: RiskPack, site_type: str, answers: dict[str, Any]) -> list[Section]:
    """The sections of the questionnaire for a site type, in the pack's category order."""
    asked = pack.questions_for(site_type)
    sections = []
    for key in CATEGORIES:
        questions = tuple(q for q in asked if q.category == key)
        if not questions:
            continue
        values = [answers.get(q.id) for q in questions]
        sections.append(
            Section(
                key=key,
                label=category_label(key),
                questions=questions,
                answered=sum(1 for v in values if v is not None and v != ANSWER_UNKNOWN),
                unknown=sum(1 for v in values if v == ANSWER_UNKNOWN),
            )
        )
    return sections


def _pick(sections: Sequence[Section], key: str | None) -> Section:
    for section in sections:
        if section.key == key:
            return section
    return sections[0]


def _after(sections: Sequence[Section], current: Section) -> Section | None:
    keys = [s.key for s in sections]
    i = keys.index(current.key)
    return sections[i + 1] if i + 1 < len(sections) else None


# ---------------------------------------------------------------------------- results
def cell_band(likelihood: int, consequence: int) -> str:
    """Band of a matrix cell on the score's scale (two levels raised to the power 3/2)."""
    return band_of(math.ceil(round((likelihood * consequence) ** 1.5, 9)))


def _answer_text(pack: RiskPack, qid: str, value: object) -> str:
    return scoring.answer_label(pack, qid, value)


def result_context(
    result: dict[str, Any], pack: RiskPack, answers: dict[str, Any]
) -> dict[str, Any]:
    """What the result panel shows: scenario table, matrix, drivers and data gaps."""
    scenarios = sorted(result.get("scenarios", []), key=lambda s: -float(s["risk"]))
    rows = [
        {
            "id": s["scenario"],
            "name": s["name"],
            "risk": float(s["risk"]),
            "low": float(s["risk_interval"][0]),
            "high": float(s["risk_interval"][1]),
            "score": int(s["score"]),
            "band": s["band"],
            "levels": s["levels"],
            "cell": s["matrix_cell"],
        }
        for s in scenarios
    ]
    total = float(result.get("total_risk", 0.0))
    by_cell: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        by_cell.setdefault((int(row["cell"][0]), int(row["cell"][1])), []).append(row["name"])
    matrix = [
        {
            "likelihood": lik,
            "cells": [
                {
                    "consequence": con,
                    "names": by_cell.get((lik, con), []),
                    "band": cell_band(lik, con),
                }
                for con in range(1, 6)
            ],
        }
        for lik in range(5, 0, -1)
    ]
    candidates = []
    for s in scenarios:
        for d in s.get("drivers", []):
            candidates.append((float(d["risk_reduction"]), d, s["name"]))
    candidates.sort(key=lambda c: -c[0])
    drivers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for reduction, d, _name in candidates:
        if d["question"] in seen or reduction <= 0:
            continue
        seen.add(d["question"])
        drivers.append(
            {
                "question": d["question"],
                "explanation": d["explanation"],
                "unknown": bool(d["unknown"]),
                "share_of_total": reduction / total if total > 0 else 0.0,
                "section": pack.question(d["question"]).category
                if d["question"] in pack.question_index
                else "",
            }
        )
        if len(drivers) == TOP_DRIVERS:
            break
    gaps_by_section: dict[str, list[dict[str, str]]] = {}
    for qid in result.get("unknown_answers", []):
        if qid not in pack.question_index:
            continue
        q = pack.question(qid)
        gaps_by_section.setdefault(q.category, []).append(
            {
                "id": qid,
                "text": q.text,
                "state": _("Unknown") if answers.get(qid) == ANSWER_UNKNOWN else _("Not answered"),
            }
        )
    gaps = [
        {"key": key, "label": category_label(key), "questions": gaps_by_section[key]}
        for key in CATEGORIES
        if key in gaps_by_section
    ]
    summary = scoring.summarise(result)
    return {
        "rows": rows,
        "total": total,
        "total_low": sum(r["low"] for r in rows),
        "total_high": sum(r["high"] for r in rows),
        "people": result.get("people"),
        "threat_level": result.get("threat_level"),
        "worst_band": summary.worst_band,
        "top": rows[0] if rows else None,
        "band_counts": [
            {"band": b, "count": sum(1 for r in rows if r["band"] == b)} for b in BANDS_DOWN
        ],
        "matrix": matrix,
        "drivers": drivers,
        # site-engineering sentences, as the result holds them (stored at submission or fresh)
        "adjustments": [
            {"scenario": s["scenario"], "name": s["name"], "sentences": s["adjustments"]}
            for s in scenarios
            if s.get("adjustments")
        ],
        "gaps": gaps,
        "gap_count": sum(len(g["questions"]) for g in gaps),
        # where a data-derived threat came from (an intelligence threat source), if any
        "threat_source": result.get("threat_source"),
    }


# ---------------------------------------------------------------------------- assessment page
def _permissions(user: User, assessment: Assessment) -> dict[str, bool]:
    site = assessment.site
    return {
        "edit": access.can_edit_answers(user, site) and assessment.status in EDITABLE_STATUSES,
        "review": access.can_review(user, site),
        "manage_actions": access.can_manage_actions(user, site),
        "accept_risk": access.can_accept_risk(user, site),
    }


def _workspace_context(
    request: HttpRequest,
    assessment: Assessment,
    *,
    section_key: str | None,
    form: SectionForm | None = None,
    saved: str | None = None,
    focus: bool = False,
) -> dict[str, Any]:
    user = _user(request)
    pack = scoring.current_pack()
    sections = sections_for(pack, assessment.site.site_type, assessment.answers)
    current = _pick(sections, section_key)
    perms = _permissions(user, assessment)
    if perms["edit"] and form is None:
        form = SectionForm(questions=current.questions, answers=assessment.answers)
    result, live = scoring.result_for(assessment)
    answered = sum(s.answered for s in sections)
    total = sum(s.total for s in sections)
    return {
        "assessment": assessment,
        "site": assessment.site,
        "perms": perms,
        "sections": sections,
        "section": current,
        "next_section": _after(sections, current),
        "form": form,
        "readonly_answers": [
            {"question": q, "answer": _answer_text(pack, q.id, assessment.answers.get(q.id))}
            for q in current.questions
        ],
        "answered": answered,
        "unknown": sum(s.unknown for s in sections),
        "questions_total": total,
        "progress": round(100 * answered / total) if total else 0,
        "result": result_context(result, pack, assessment.answers),
        "result_is_live": live,
        "saved": saved,
        "focus_section": focus,
    }


def _detail_page(
    request: HttpRequest,
    assessment: Assessment,
    *,
    section_key: str | None = None,
    section_form: SectionForm | None = None,
    context_form: ContextForm | None = None,
    comment_form: CommentForm | None = None,
    approve_form: ApproveForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    pack = scoring.current_pack()
    context = _workspace_context(request, assessment, section_key=section_key, form=section_form)
    perms = context["perms"]
    questions = pack.questions_for(assessment.site.site_type)
    if perms["edit"] and context_form is None:
        context_form = ContextForm(
            symbolic=assessment.symbolic,
            initial={
                "threat_level": assessment.threat_level,
                "symbolic": f"{assessment.symbolic:g}",
                "threatened": assessment.threatened,
                "impact": assessment.impact,
            },
        )
    reviewing = perms["review"]
    submitted = assessment.status == AssessmentStatus.SUBMITTED
    own = assessment.submitted_by_id == user.pk
    history = list(queries.history(assessment.site).defer("result", "answers"))
    older = [a for a in history if (a.created, a.pk) < (assessment.created, assessment.pk)]
    context.update(
        {
            "context_form": context_form,
            "comments": list(queries.comment_list(assessment)),
            "comment_form": (comment_form or CommentForm(questions=questions))
            if reviewing
            else None,
            "approve_form": (approve_form or ApproveForm())
            if reviewing and submitted and not own
            else None,
            "return_form": (return_form or ReturnForm(questions=questions))
            if reviewing and submitted
            else None,
            "own_submission": reviewing and submitted and own,
            "can_submit": perms["edit"],
            "previous": older[0] if older else None,
            "has_result": assessment.status in RESULT_STATUSES,
            "reports_available": importlib.util.find_spec("placeguard.web.reports") is not None,
            "currency": pack.currency,
        }
    )
    return render(request, "assessments/detail.html", context, status=status)


@login_required
@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The assessment: context, sections of questions, live result, review."""
    assessment = _assessment(request, assessment_id)
    section = request.GET.get("section")
    if _is_htmx(request):
        context = _workspace_context(request, assessment, section_key=section, focus=True)
        response = render(request, "assessments/_workspace.html", context)
    else:
        response = _detail_page(request, assessment, section_key=section)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def save_section(request: HttpRequest, assessment_id: int) -> HttpResponse:  # noqa: PLR0911
    """Save the answers of one section (only that section's questions change)."""
    user = _user(request)
    assessment = _assessment(request, assessment_id)
    htmx = _is_htmx(request)
    _require(
        access.can_edit_answers(user, assessment.site),
        _("Your role does not allow editing assessments of this site."),
    )
    pack = scoring.current_pack()
    sections = sections_for(pack, assessment.site.site_type, assessment.answers)
    key = request.POST.get("section", "")
    if key not in {s.key for s in sections}:
        return HttpResponseBadRequest(_("Unknown section."))
    section = _pick(sections, key)
    if assessment.status not in EDITABLE_STATUSES:
        messages.error(request, _("Only a draft or returned assessment can be edited."))
        return _redirect(_detail_url(assessment), htmx=htmx)
    form = SectionForm(request.POST, questions=section.questions, answers=assessment.answers)
    if form.is_valid():
        try:
            assessment = services.save_answers(assessment, form.answers(), actor=user)
        except ValidationError as exc:
            form.apply_answer_errors(exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except ConflictError as exc:
            _conflict(request, exc)
            return _redirect(_detail_url(assessment), htmx=htmx)
        else:
            assessment = queries.get_assessment_for(user, assessment.pk)
            target = section
            if request.POST.get("then") == "next":
                target = _after(sections, section) or section
            saved = _("Section “%(section)s” saved.") % {"section": section.label}
            if not htmx:
                messages.success(request, saved)
                return HttpResponseRedirect(_detail_url(assessment, target.key))
            context = _workspace_context(
                request,
                assessment,
                section_key=target.key,
                saved=saved,
                focus=target.key != section.key,
            )
            response = render(request, "assessments/_workspace.html", context)
            if target.key != section.key:
                response["HX-Push-Url"] = (
                    reverse("assessments:detail", args=[assessment.pk]) + f"?section={target.key}"
                )
            return response
    if htmx:
        context = _workspace_context(request, assessment, section_key=section.key, form=form)
        return render(request, "assessments/_workspace.html", context)
    return _detail_page(request, assessment, section_key=section.key, section_form=form)


@login_required
@require_POST
def update_context(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Change the threat level and the site context of a draft or returned assessment."""
    user = _user(request)
    assessment = _assessment(request, assessment_id)
    _require(
        access.can_edit_answers(user, assessment.site),
        _("Your role does not allow editing assessments of this site."),
    )
    form = ContextForm(request.POST, symbolic=assessment.symbolic)
    if form.is_valid():
        try:
            services.update_context(assessment, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ConflictError as exc:
            _conflict(request, exc)
            return HttpResponseRedirect(_detail_url(assessment))
        else:
            messages.success(request, _("Threat level and site context saved."))
            return HttpResponseRedirect(_detail_url(assessment))
    return _detail_page(request, assessment, context_form=form)


@login_required
@require_POST
def submit_assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Score the assessment and submit it for review."""
    user = _user(request)
    assessment = _assessment(request, assessment_id)
    _require(
        access.can_edit_answers(user, assessment.site),
        _("Your role does not allow editing assessments of this site."),
    )
    try:
        services.submit(assessment, actor=user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (ConflictError, ValidationError) as exc:
        _conflict(request, exc)
    else:
        messages.success(request, _("Assessment submitted for review."))
    return HttpResponseRedirect(_detail_url(assessment))


def _review_guard(request: HttpRequest, assessment: Assessment) -> User:
    user = _user(request)
    _require(
        access.can_review(user, assessment.site),
        _("Only analysts, publishers or admins of a vetted police force or authority review."),
    )
    return user


@login_required
@require_POST
def add_comment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A reviewer's comment."""
    assessment = _assessment(request, assessment_id)
    user = _review_guard(request, assessment)
    questions = scoring.current_pack().questions_for(assessment.site.site_type)
    form = CommentForm(request.POST, questions=questions)
    if form.is_valid():
        try:
            services.add_comment(
                assessment,
                actor=user,
                text=form.cleaned_data["text"],
                question_id=form.cleaned_data["question_id"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(request, _("Comment added."))
            return HttpResponseRedirect(_detail_url(assessment) + "#review")
    return _detail_page(request, assessment, comment_form=form)


@login_required
@require_POST
def approve_assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Approve a submitted assessment (not one's own submission)."""
    assessment = _assessment(request, assessment_id)
    user = _review_guard(request, assessment)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.approve(assessment, actor=user, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ConflictError as exc:
            _conflict(request, exc)
            return HttpResponseRedirect(_detail_url(assessment))
        else:
            messages.success(request, _("Assessment approved."))
            return HttpResponseRedirect(_detail_url(assessment))
    return _detail_page(request, assessment, approve_form=form)


@login_required
@require_POST
def return_assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Return a submitted assessment to its editors with a comment."""
    assessment = _assessment(request, assessment_id)
    user = _review_guard(request, assessment)
    questions = scoring.current_pack().questions_for(assessment.site.site_type)
    form = ReturnForm(request.POST, questions=questions)
    if form.is_valid():
        try:
            services.return_for_changes(
                assessment,
                actor=user,
                comment=form.cleaned_data["comment"],
                question_id=form.cleaned_data["question_id"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map={"comment": "comment"})
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ConflictError as exc:
            _conflict(request, exc)
            return HttpResponseRedirect(_detail_url(assessment))
        else:
            messages.success(request, _("Assessment returned for changes."))
            return HttpResponseRedirect(_detail_url(assessment))
    return _detail_page(request, assessment, return_form=form)


# ---------------------------------------------------------------------------- start, history, diff
@login_required
@require_POST
def start_assessment(request: HttpRequest, site_id: int) -> HttpResponse:
    """Open a draft assessment of a site (pre-filled from its last approved one)."""
    user = _user(request)
    site = _site(request, site_id)
    _require(
        access.can_edit_answers(user, site),
        _("Your role does not allow assessing this site."),
    )
    try:
        assessment = services.start_assessment(site, actor=user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (ConflictError, ValidationError) as exc:
        _conflict(request, exc)
        current = queries.open_for_site(site)
        if current is not None:
            return HttpResponseRedirect(_detail_url(current))
        return HttpResponseRedirect(reverse("assessments:history", args=[site.pk]))
    if assessment.prefilled_from_id:
        messages.success(
            request,
            _("Assessment started from the answers of the last approved one; review what changed."),
        )
    else:
        messages.success(request, _("Assessment started. Answer one section at a time."))
    return HttpResponseRedirect(_detail_url(assessment))


@login_required
@require_GET
def site_history(request: HttpRequest, site_id: int) -> HttpResponse:
    """Every assessment of a site, with a comparison form."""
    user = _user(request)
    site = _site(request, site_id)
    rows = list(queries.history(site).defer("result", "answers"))
    for newer, older in zip(rows, [*rows[1:], None], strict=True):
        newer.older = older  # type: ignore[attr-defined]  # the one before, for "changes since"
    in_progress = queries.open_for_site(site)
    can_edit = access.can_edit_answers(user, site)
    context = {
        "site": site,
        "assessments": rows,
        "in_progress": in_progress,
        "can_start": can_edit and in_progress is None and site.status == "active",
        "compare_old": rows[1].pk if len(rows) > 1 else None,
        "compare_new": rows[0].pk if rows else None,
    }
    return render(request, "assessments/history.html", context)


@login_required
@require_GET
def compare(request: HttpRequest, site_id: int) -> HttpResponse:
    """The history page's comparison form lands here and goes on to the diff."""
    site = _site(request, site_id)
    try:
        old, new = int(request.GET.get("old", "")), int(request.GET.get("new", ""))
    except ValueError:
        messages.error(request, _("Choose two assessments to compare."))
        return HttpResponseRedirect(reverse("assessments:history", args=[site.pk]))
    return HttpResponseRedirect(reverse("assessments:diff", args=[old, new]))


@login_required
@require_GET
def assessment_diff(request: HttpRequest, assessment_id: int, other_id: int) -> HttpResponse:
    """What changed between two assessments of the same site (older → newer)."""
    this = _assessment(request, assessment_id)
    other = _assessment(request, other_id)
    if this.site_id != other.site_id:
        raise Http404(_("Compare assessments of the same site."))
    old, new = sorted([this, other], key=lambda a: (a.created, a.pk))
    diff = queries.diff_assessments(old, new)
    context = {
        "site": this.site,
        "old": old,
        "new": new,
        "diff": diff,
        "total_change": diff.new_total - diff.old_total,
        "same": old.pk == new.pk,
    }
    return render(request, "assessments/diff.html", context)


# ---------------------------------------------------------------------------- plan
@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG line chart's geometry, in viewBox units (text is added by the template)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[dict[str, Any]]
    polyline: str
    x_ticks: list[dict[str, Any]]
    y_ticks: list[dict[str, Any]]
    chosen: dict[str, Any] | None

    @property
    def plot_right(self) -> int:
        """x of the plot's right edge."""
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        """y of the x axis."""
        return self.height - self.bottom

    @property
    def x_tick_y(self) -> int:
        """Baseline of the x-axis tick labels."""
        return self.height - self.bottom + 18


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    if raw <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10.0 * magnitude


def pareto_chart(
    curve: Sequence[dict[str, Any]],
    chosen_capex: float,
    chosen_risk: float,
    chosen: Sequence[str] = (),
    budget: float | None = None,
) -> Chart | None:
    """Geometry of the risk-versus-capital chart: a step line through the curve's points."""
    if len(curve) < 2:
        return None
    width, height, left, right, top, bottom = 640, 300, 78, 16, 16, 44
    max_x = max(*(p["capex"] for p in curve), chosen_capex) or 1.0
    max_y = max(*(p["risk"] for p in curve), chosen_risk) or 1.0
    x_step = _nice_step(max_x, 5)
    y_step = _nice_step(max_y, 4)
    max_x = math.ceil(max_x / x_step) * x_step
    max_y = math.ceil(max_y / y_step) * y_step
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(value: float) -> float:
        return round(left + plot_w * value / max_x, 1)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - value / max_y), 1)

    # The chosen plan is an optimal point too: it belongs on the curve.
    ordered = sorted(
        [*curve, {"budget": chosen_capex if budget is None else budget, "capex": chosen_capex,
                  "risk": chosen_risk, "chosen": tuple(chosen), "is_plan": True}],
        key=lambda p: (p["capex"], -p["risk"]),
    )  # fmt: skip
    points = [{"x": x(p["capex"]), "y": y(p["risk"]), **p} for p in ordered]
    path: list[str] = []
    for i, p in enumerate(points):
        if i:  # the risk holds until the next budget buys the next step down
            path.append(f"{p['x']},{points[i - 1]['y']}")
        path.append(f"{p['x']},{p['y']}")
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        points=points,
        polyline=" ".join(path),
        x_ticks=[
            {"x": x(v), "value": v} for v in (i * x_step for i in range(round(max_x / x_step) + 1))
        ],
        y_ticks=[
            {"y": y(v), "value": v} for v in (i * y_step for i in range(round(max_y / y_step) + 1))
        ],
        chosen={"x": x(chosen_capex), "y": y(chosen_risk)},
    )


def _plan_page(
    request: HttpRequest,
    assessment: Assessment,
    form: PlanForm,
    items_form: CreateActionItemsForm | None = None,
) -> HttpResponse:
    user = _user(request)
    pack = scoring.current_pack()
    plan: dict[str, Any] | None = None
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            plan = queries.plan(
                assessment,
                capex_budget=float(data["capex"]),
                opex_budget=data.get("opex"),
                openness_limit=data.get("openness"),
                pareto_points=PARETO_POINTS,
            )
        except PlaceguardError as exc:
            error = exc.message
    can_create = access.can_manage_actions(user, assessment.site) and (
        assessment.status in RESULT_STATUSES
    )
    if plan is not None and items_form is not None:  # shown again with its errors
        items_form.set_choices("measure_ids", [(m["id"], m["name"]) for m in plan["chosen"]])
    if plan is not None and can_create and items_form is None:
        data = form.cleaned_data
        items_form = CreateActionItemsForm(
            measures=[(m["id"], m["name"]) for m in plan["chosen"]],
            initial={
                "measure_ids": [m["id"] for m in plan["chosen"]],
                "due_date": future(90),
                "capex": data["capex"],
                "opex": data.get("opex"),
                "openness": data.get("openness"),
            },
        )
    chart = None
    residual = []
    if plan is not None:
        chart = pareto_chart(
            plan["pareto"],
            plan["total"]["capex"],
            plan["risk_after"],
            [m["id"] for m in plan["chosen"]],
            plan["budget"]["capex"],
        )
        residual = sorted(
            (
                {
                    **r,
                    "reduction": 1 - r["after"] / r["before"] if r["before"] > 0 else 0.0,
                }
                for r in plan["residual_by_scenario"]
            ),
            key=lambda r: -r["before"],
        )
    existing = set(
        queries.action_item_list(user)
        .filter(assessment=assessment)
        .values_list("measure_id", flat=True)
    )
    context = {
        "assessment": assessment,
        "site": assessment.site,
        "form": form,
        "plan": plan,
        "error": error,
        "chart": chart,
        "residual": residual,
        "items_form": items_form if can_create else None,
        "can_manage_actions": access.can_manage_actions(user, assessment.site),
        "has_result": assessment.status in RESULT_STATUSES,
        "existing": existing,
        "currency": pack.currency,
        "query": urlencode({k: str(v) for k, v in request.GET.items() if v}),
        "whatif_query": _whatif_query(plan),
    }
    return render(request, "assessments/plan.html", context)


def _whatif_query(plan: dict[str, Any] | None) -> str:
    """The what-if page's query comparing this plan (A) with a checklist that starts as its
    measures (B), ready to be changed; empty without a plan (the page's defaults then)."""
    if plan is None:
        return ""
    budget = plan["budget"]
    pairs = [("a_kind", "optimal"), ("a_capex", f"{budget['capex']:g}")]
    pairs += [(f"a_{k}", f"{budget[k]:g}") for k in ("opex", "openness") if budget[k] is not None]
    pairs += [("b_kind", "custom"), *(("b_measures", m["id"]) for m in plan["chosen"])]
    return urlencode(pairs)


@login_required
@require_GET
def assessment_plan(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The budget-optimal protection plan and the curve of what each budget buys."""
    assessment = _assessment(request, assessment_id)
    currency = scoring.current_pack().currency
    bound = "capex" in request.GET
    form = PlanForm(request.GET if bound else None, currency=currency)
    if not bound:  # first visit: show the plan for the suggested budgets at once
        form = PlanForm(DEFAULT_BUDGETS, currency=currency)
    return _plan_page(request, assessment, form)


@login_required
@require_POST
def create_action_items(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Turn measures of the plan into action items (operator side)."""
    user = _user(request)
    assessment = _assessment(request, assessment_id)
    _require(
        access.can_manage_actions(user, assessment.site),
        _("Only analysts, publishers or admins of the site's operator manage action items."),
    )
    pack = scoring.current_pack()
    measures = [(m.id, m.name) for m in pack.measures]
    form = CreateActionItemsForm(request.POST, measures=measures)
    if form.is_valid():
        try:
            items = services.create_action_items(
                assessment,
                form.cleaned_data["measure_ids"],
                actor=user,
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, default_field="measure_ids")
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ConflictError as exc:
            form.add_error("measure_ids", exc.message)
        else:
            messages.success(
                request,
                ngettext("%(n)d action item created.", "%(n)d action items created.", len(items))
                % {"n": len(items)},
            )
            return HttpResponseRedirect(reverse("assessments:actions", args=[assessment.site_id]))
    budgets = {k: request.POST[k] for k in ("capex", "opex", "openness") if request.POST.get(k)}
    plan_form = PlanForm(budgets or DEFAULT_BUDGETS, currency=pack.currency)
    return _plan_page(request, assessment, plan_form, items_form=form)


# ---------------------------------------------------------------------------- what-if
#: Plans compared on a first visit: the best plans for two capital budgets.
WHATIF_DEFAULTS = {
    "a_kind": "optimal",
    "a_capex": "50000",
    "b_kind": "optimal",
    "b_capex": "100000",
}


def _plan_label(form: WhatIfForm, key: str, currency: str) -> str:
    choice = form.plan_choice(key)
    if "budget" not in choice:
        return _("Hand-picked measures")
    label = _("Best plan for %(budget)s") % {"budget": money(choice["budget"], currency)}
    if choice["opex_budget"] is not None:
        label += _(", at most %(opex)s a year") % {"opex": money(choice["opex_budget"], currency)}
    if choice["openness_limit"] is not None:
        label += _(", openness impact at most %(n)s") % {"n": f"{choice['openness_limit']:g}"}
    return label


def _whatif_context(result: scoring.WhatIf, form: WhatIfForm) -> dict[str, Any]:
    c = result.comparison
    now = c.current_total

    def reduction(total: float) -> float:
        return 1 - total / now if now > 0 else 0.0

    plans = {
        "a": {
            "label": _plan_label(form, "a", result.currency),
            "risk": c.total_a,
            "reduction": reduction(c.total_a),
            "capex": c.capex_a,
            "opex": c.opex_a,
            "openness": result.openness_a,
            "count": len(c.plan_a),
        },
        "b": {
            "label": _plan_label(form, "b", result.currency),
            "risk": c.total_b,
            "reduction": reduction(c.total_b),
            "capex": c.capex_b,
            "opex": c.opex_b,
            "openness": result.openness_b,
            "count": len(c.plan_b),
        },
    }
    difference = {
        "risk": c.total_b - c.total_a,
        "capex": c.capex_b - c.capex_a,
        "opex": c.opex_b - c.opex_a,
        "openness": result.openness_b - result.openness_a,
        "count": len(c.plan_b) - len(c.plan_a),
    }
    return {
        "current": now,
        "plans": plans,
        "difference": difference,
        "scenarios": sorted(c.scenarios, key=lambda row: -float(row["current"])),
        "only_a": result.only_a,
        "only_b": result.only_b,
        "both": result.both,
        "same": not result.only_a and not result.only_b,
    }


@login_required
@require_GET
def assessment_whatif(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Two plans side by side: residual risk per scenario, costs and the measures that differ."""
    assessment = _assessment(request, assessment_id)
    pack = scoring.current_pack()
    problem = scoring.plan_problem(assessment)
    candidates = [
        (mid, f"{pack.measure(mid).name} — {money(float(problem.capex[j]), pack.currency)}")
        for j, mid in enumerate(problem.ids)
    ]
    bound = "a_kind" in request.GET or "b_kind" in request.GET
    form = WhatIfForm(
        request.GET if bound else WHATIF_DEFAULTS, measures=candidates, currency=pack.currency
    )
    result = None
    error = None
    if form.is_valid():
        try:
            result = scoring.compare_for(
                assessment,
                scoring.PlanChoice(**form.plan_choice("a")),
                scoring.PlanChoice(**form.plan_choice("b")),
                problem=problem,
            )
        except ValidationError as exc:
            apply_service_errors(
                form, exc, field_map={"plan_a": "a_measures", "plan_b": "b_measures"}
            )
        except PlaceguardError as exc:  # the solver found no verified plan
            error = exc.message
    context = {
        "assessment": assessment,
        "site": assessment.site,
        "form": form,
        "error": error,
        "result": result,
        "currency": pack.currency,
        "candidates": len(problem.ids),
        "a_custom": form.is_custom("a"),
        "b_custom": form.is_custom("b"),
        "has_result": assessment.status in RESULT_STATUSES,
        **(_whatif_context(result, form) if result is not None else {}),
    }
    return render(request, "assessments/whatif.html", context)


# ---------------------------------------------------------------------------- reports
REPORT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _budget(request: HttpRequest, key: str) -> float | None:
    try:
        value = float(request.GET.get(key, ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


@login_required
@require_GET
def assessment_report(request: HttpRequest, assessment_id: int, fmt: str) -> HttpResponse:
    """The site security report (PDF or HTML) or the findings (CSV or XLSX) of an assessment.

    A submitted or approved assessment is reported as it was submitted (site type and people
    from the stored result); one being edited, from the site's current facts.
    """
    assessment = _assessment(request, assessment_id)
    if fmt not in REPORT_TYPES:
        raise Http404
    from placeguard.engines.risk.assessment import SiteProfile
    from placeguard.web.reports import (
        build_site_report,
        findings_csv,
        findings_xlsx,
        render_html,
        render_pdf,
    )

    site = assessment.site
    stored = assessment.result
    if stored is not None and assessment.status not in EDITABLE_STATUSES:
        from placeguard.web.intel.threat import likelihoods_from_record

        profile = SiteProfile(
            site_type=str(stored["site_type"]),
            capacity=int(stored["people"]),
            symbolic=assessment.symbolic,
            threatened=assessment.threatened,
            impact=assessment.impact,
            # the incident-data threat it was submitted with, if any
            intel=likelihoods_from_record(stored.get("threat_source")),
        )
    else:
        profile = scoring.profile_for(assessment, site)
    report = build_site_report(
        scoring.current_pack(),
        site_name=site.name,
        site_type=profile.site_type,
        profile=profile,
        answers=scoring.carry_over(assessment.answers, profile.site_type),
        threat_level=assessment.threat_level,
        capex_budget=_budget(request, "capex"),
        opex_budget=_budget(request, "opex"),
        openness_limit=_budget(request, "openness"),
        generated_at=timezone.now(),
        site_details={
            _("Address"): site.address or "—",
            _("Region"): site.region.name,
            _("Operator"): site.operator.name,
            _("Assessment"): f"#{assessment.pk} ({assessment.get_status_display()})",
        },
    )
    body: str | bytes
    if fmt == "pdf":
        try:
            body = render_pdf(report)
        except (ImportError, OSError) as exc:  # WeasyPrint or its system libraries missing
            messages.error(request, _("PDF reports are not available on this server: %s") % exc)
            return HttpResponseRedirect(_detail_url(assessment))
    elif fmt == "html":
        body = render_html(report)
    elif fmt == "csv":
        body = findings_csv(report)
    else:
        body = findings_xlsx(report)
    response = HttpResponse(body, content_type=REPORT_TYPES[fmt])
    stem = "site-report" if fmt in {"pdf", "html"} else "findings"
    response["Content-Disposition"] = (
        f'attachment; filename="placeguard-{stem}-{assessment.pk}.{fmt}"'
    )
    return response


# ---------------------------------------------------------------------------- action plan
def _action_page(
    request: HttpRequest,
    site: Site,
    accept_form: AcceptRiskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    pack = scoring.current_pack()
    items = list(queries.site_action_items(user, site))
    acceptances = list(queries.site_acceptances(user, site))
    reference = queries.reference_for_site(site)
    can_accept = access.can_accept_risk(user, site) and reference is not None
    scenario_rows: dict[str, dict[str, Any]] = {}
    if reference is not None and reference.result:
        for s in reference.result.get("scenarios", []):
            scenario_rows[s["scenario"]] = s
    if can_accept and accept_form is None:
        choices = [
            (sid, f"{name} — {scenario_rows[sid]['band']}" if sid in scenario_rows else name)
            for sid, name in scenario_choices(pack)
        ]
        accept_form = AcceptRiskForm(scenarios=choices, initial={"expires_on": future(365)})
    names = dict(scenario_choices(pack))
    totals: dict[str, float] = {"capex": 0.0, "opex": 0.0}
    for item in items:
        if item.status != "cancelled":
            totals["capex"] += float(item.capex)
            totals["opex"] += float(item.opex)
    context = {
        "site": site,
        "items": items,
        "overdue": sum(1 for i in items if i.is_overdue),
        "totals": totals,
        "currency": pack.currency,
        "acceptances": [
            {
                "obj": a,
                "name": names.get(a.scenario, a.scenario),
                "status": a.current_status,
                "status_label": dict(AcceptanceStatus.choices).get(a.current_status, ""),
            }
            for a in acceptances
        ],
        "reference": reference,
        "can_manage": access.can_manage_actions(user, site),
        "can_accept": can_accept,
        "can_sign": access.can_accept_risk(user, site),
        "accept_form": accept_form if can_accept else None,
        "revoke_form": RevokeForm(),
    }
    return render(request, "assessments/actions.html", context, status=status)


@login_required
@require_GET
def site_actions(request: HttpRequest, site_id: int) -> HttpResponse:
    """A site's action items and risk acceptances."""
    return _action_page(request, _site(request, site_id))


@login_required
@require_http_methods(["GET", "POST"])
def edit_action_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Change an action item's status, owner, due date or notes (operator's editors)."""
    user = _user(request)
    try:
        item = queries.get_action_item_for(user, item_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    _require(
        access.can_manage_actions(user, item.site),
        _("Only analysts, publishers or admins of the site's operator manage action items."),
    )
    members = list(
        User.objects.filter(organisation_id=item.site.operator_id, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )
    if request.method == "POST":
        form = ActionItemForm(request.POST, members=members)
        if form.is_valid():
            try:
                services.update_action_item(item, form.changes(), actor=user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except NotFoundError as exc:
                raise Http404(exc.message) from exc
            else:
                messages.success(request, _("Action item “%(t)s” saved.") % {"t": item.title})
                return HttpResponseRedirect(reverse("assessments:actions", args=[item.site_id]))
    else:
        form = ActionItemForm(members=members, initial=ActionItemForm.initial_for(item))
    return render(request, "assessments/action_item.html", {"item": item, "form": form})


@login_required
@require_POST
def accept_risk(request: HttpRequest, site_id: int) -> HttpResponse:
    """Sign off one scenario's residual risk on the site's reference assessment."""
    user = _user(request)
    site = _site(request, site_id)
    _require(
        access.can_accept_risk(user, site),
        _("Only publishers or admins of the site's operator sign risk acceptances off."),
    )
    reference = queries.reference_for_site(site)
    if reference is None:
        messages.error(request, _("Accept risks once an assessment has been submitted."))
        return HttpResponseRedirect(reverse("assessments:actions", args=[site.pk]))
    form = AcceptRiskForm(request.POST, scenarios=scenario_choices(scoring.current_pack()))
    if form.is_valid():
        try:
            acceptance = services.accept_risk(
                reference,
                form.cleaned_data["scenario"],
                actor=user,
                rationale=form.cleaned_data["rationale"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ConflictError as exc:
            form.add_error("scenario", exc.message)
        else:
            name = dict(scenario_choices(scoring.current_pack())).get(acceptance.scenario, "")
            messages.success(request, _("Risk of “%(s)s” accepted.") % {"s": name})
            return HttpResponseRedirect(reverse("assessments:actions", args=[site.pk]))
    return _action_page(request, site, accept_form=form)


@login_required
@require_POST
def revoke_acceptance(request: HttpRequest, acceptance_id: int) -> HttpResponse:
    """Withdraw an active risk acceptance."""
    user = _user(request)
    try:
        acceptance = queries.get_acceptance_for(user, acceptance_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    site = acceptance.assessment.site
    _require(
        access.can_accept_risk(user, site),
        _("Only publishers or admins of the site's operator sign risk acceptances off."),
    )
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.revoke_acceptance(acceptance, actor=user, reason=reason)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (ConflictError, ValidationError) as exc:
        _conflict(request, exc)
    else:
        messages.success(request, _("Risk acceptance revoked."))
    return HttpResponseRedirect(reverse("assessments:actions", args=[site.pk]))


# ---------------------------------------------------------------------------- lists
@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """Assessments of the sites the user sees, newest first; reviewers see what awaits them."""
    user = _user(request)
    form = AssessmentListFilterForm(request.GET or None)
    rows = queries.assessment_list(user).order_by("-updated", "-id")
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    if status:
        rows = rows.filter(status=status)
    awaiting: list[Assessment] = []
    if not status:
        # Reviewing depends on the user's organisation and the site's operator only: sites
        # the organisation operates are left out, then one check stands for every row.
        org = active_org(user)
        waiting = (
            queries.assessment_list(user)
            .filter(status=AssessmentStatus.SUBMITTED)
            .exclude(submitted_by=user)
            .exclude(site__operator_id=org.pk if org is not None else None)
            .order_by("submitted_at", "id")
        )
        first = waiting.first()
        if first is not None and access.can_review(user, first.site):
            awaiting = list(waiting[:20])
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "assessments": page.object_list,
        "total": paginator.count,
        "awaiting": awaiting,
        "status": status,
    }
    return render(request, "assessments/list.html", context)


def _visible_regions(user: User) -> list[Region]:
    """Regions of the user's visible portfolio sites (the region filter's choices)."""
    visible = queries.portfolio(user)
    return list(
        Region.objects.filter(pk__in=visible.order_by().values("region_id")).order_by("name")
    )


def _portfolio_rows(request: HttpRequest) -> tuple[PortfolioFilterForm, QuerySet[Site], str]:
    user = _user(request)
    form = PortfolioFilterForm(request.GET, regions=_visible_regions(user))
    form.is_valid()  # invalid values are dropped; the rest still filters
    data = getattr(form, "cleaned_data", {})
    assessed = {"yes": True, "no": False}.get(data.get("assessed") or "")
    filters = queries.PortfolioFilters(
        site_types=tuple(data.get("site_type") or ()),
        regions=tuple(data.get("region") or ()),
        bands=tuple(data.get("band") or ()),
        assessed=assessed,
        order=data.get("order") or "-risk",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return form, queries.portfolio(user, filters), query.urlencode()


def _portfolio_markers(rows: QuerySet[Site]) -> list[dict[str, Any]]:
    types = dict(SiteType.choices)
    values = rows.values_list(  # type: ignore[misc]  # worst_band is an annotation
        "id", "name", "site_type", "latitude", "longitude", "region__name", "worst_band"
    )[:MAP_MARKER_LIMIT]
    markers = []
    for pk, name, site_type, lat, lon, region, band in values:
        markers.append(
            {
                "id": pk,
                "name": name,
                "type": site_type,
                "type_label": str(types.get(site_type, site_type)),
                "region": region,
                "lat": lat,
                "lon": lon,
                "url": reverse("sites:detail", args=[pk]),
                "band": band_key(band),
                "band_label": str(dict(RiskBand.choices).get(band or "", _("Not assessed"))),
            }
        )
    # Leaflet draws later markers on top: the largest risks last, so they stay visible.
    markers.reverse()
    return markers


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    """Visible sites ranked by risk, with filters, a map coloured by band and a CSV export."""
    form, rows, query = _portfolio_rows(request)
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    markers = _portfolio_markers(rows)
    region_ids = rows.order_by().values_list("region_id", flat=True).distinct()
    names = {s.id: s.name for s in scoring.current_pack().scenarios}
    sites = list(page.object_list)
    for site in sites:
        top = getattr(site, "top_scenario", "") or ""
        site.top_scenario_name = names.get(top, top)
    context = {
        "form": form,
        "page_obj": page,
        "sites": sites,
        "total": paginator.count,
        "query": query,
        "map_truncated": paginator.count > len(markers),
        "marker_limit": len(markers),
        "band_legend": [
            ("very_high", RiskBand.VERY_HIGH.label),
            ("high", RiskBand.HIGH.label),
            ("moderate", RiskBand.MODERATE.label),
            ("low", RiskBand.LOW.label),
            ("none", _("Not assessed")),
        ],
        **map_context(markers, list(region_ids)),
        "can_allocate": allocation.can_allocate(_user(request)),
    }
    return render(request, "assessments/portfolio.html", context)


PORTFOLIO_HEADER = (
    "rank", "site_id", "site", "site_type", "region", "operator", "capacity", "total_risk",
    "worst_band", "top_scenario", "assessment_id", "assessment_status", "last_assessed",
)  # fmt: skip


def portfolio_csv_rows(rows: QuerySet[Site], pack: RiskPack) -> Iterator[list[str]]:
    """The header, then one row per site; text cells guarded against spreadsheet formulas."""
    names = {s.id: s.name for s in pack.scenarios}
    yield list(PORTFOLIO_HEADER)
    for site in rows.iterator(chunk_size=500):
        risk_value = getattr(site, "total_risk", None)
        assessed_at = getattr(site, "assessed_at", None)
        top = getattr(site, "top_scenario", "") or ""
        yield [
            str(getattr(site, "rank", "")),
            str(site.pk),
            guard_formula(site.name),
            site.site_type,
            guard_formula(site.region.name),
            guard_formula(site.operator.name),
            str(site.capacity),
            "" if risk_value is None else repr(float(risk_value)),
            getattr(site, "worst_band", "") or "",
            guard_formula(names.get(top, top)),
            str(getattr(site, "assessment_id", "") or ""),
            getattr(site, "assessment_status", "") or "",
            assessed_at.isoformat() if assessed_at is not None else "",
        ]


@login_required
@require_GET
def portfolio_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered portfolio as CSV."""
    _form, rows, _query = _portfolio_rows(request)
    response = StreamingHttpResponse(
        csv_lines(portfolio_csv_rows(rows, scoring.current_pack())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="placeguard-portfolio.csv"'
    return response


# ---------------------------------------------------------------------------- grant allocation
@dataclass(frozen=True, slots=True)
class AllocatedSite:
    """One site of a grant allocation as the page and the export show it."""

    rank: int
    grant: allocation.SiteGrant
    measures: tuple[tuple[str, str], ...]  # (measure id, name), in pack order

    @property
    def reduction(self) -> float:
        """Risk removed at the site (expected casualties per year)."""
        return self.grant.risk_before - self.grant.risk_after


def allocation_rows(result: allocation.GrantAllocation, pack: RiskPack) -> list[AllocatedSite]:
    """Every site of the allocation, ranked: sites that receive measures first, by the risk
    their measures remove, then by capital cost and name."""
    ordered = sorted(
        result.sites,
        key=lambda g: (
            not g.measures,
            -(g.risk_before - g.risk_after),
            -g.capex,
            g.site_name,
            g.site_id,
        ),
    )
    return [
        AllocatedSite(
            rank=rank,
            grant=grant,
            measures=tuple((mid, pack.measure(mid).name) for mid in grant.measures),
        )
        for rank, grant in enumerate(ordered, start=1)
    ]


def _allocator(request: HttpRequest) -> User:
    user = _user(request)
    _require(
        allocation.can_allocate(user),
        _("Only analysts, publishers or admins of vetted authorities and police allocate grants."),
    )
    return user


def _run_allocation(
    request: HttpRequest, user: User
) -> tuple[AllocationForm, allocation.GrantAllocation | None, str | None]:
    """The form and, when a valid budget was sent, the allocation (or the solver's message)."""
    currency = scoring.current_pack().currency
    bound = "budget" in request.GET
    form = AllocationForm(
        request.GET if bound else None, regions=_visible_regions(user), currency=currency
    )
    if not bound or not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    filters = queries.PortfolioFilters(
        site_types=tuple(data.get("site_type") or ()),
        regions=tuple(data.get("region") or ()),
        bands=tuple(data.get("band") or ()),
    )
    try:
        result = allocation.allocate_grant(user, budget=float(data["budget"]), filters=filters)
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except PlaceguardError as exc:  # the solver found no verified allocation
        return form, None, exc.message
    else:
        return form, result, None
    return form, None, None


@login_required
@require_GET
def grant_allocation(request: HttpRequest) -> HttpResponse:
    """Share a national capital budget between the visible assessed sites (read-only)."""
    user = _allocator(request)
    form, result, error = _run_allocation(request, user)
    pack = scoring.current_pack()
    rows = allocation_rows(result, pack) if result is not None else []
    funded = [row for row in rows if row.grant.measures]
    reduction = 0.0
    if result is not None and result.risk_before > 0:
        reduction = 1 - result.risk_after / result.risk_before
    context = {
        "form": form,
        "result": result,
        "error": error,
        "funded": funded,
        "unfunded": len(rows) - len(funded),
        "reduction": reduction,
        "currency": result.currency if result is not None else pack.currency,
        "query": request.GET.urlencode(),
    }
    return render(request, "assessments/allocation.html", context)


ALLOCATION_HEADER = (
    "rank", "site_id", "site", "assessment_id", "measure_ids", "measures", "capex", "currency",
    "risk_before", "risk_after", "risk_reduction",
)  # fmt: skip


def allocation_csv_rows(result: allocation.GrantAllocation, pack: RiskPack) -> Iterator[list[str]]:
    """The header, then one row per site considered (funded first, as ranked on the page);
    text cells guarded against spreadsheet formulas, measures joined by "; "."""
    yield list(ALLOCATION_HEADER)
    for row in allocation_rows(result, pack):
        grant = row.grant
        yield [
            str(row.rank),
            str(grant.site_id),
            guard_formula(grant.site_name),
            str(grant.assessment_id),
            guard_formula("; ".join(mid for mid, _name in row.measures)),
            guard_formula("; ".join(name for _mid, name in row.measures)),
            repr(float(grant.capex)),
            result.currency,
            repr(float(grant.risk_before)),
            repr(float(grant.risk_after)),
            repr(float(row.reduction)),
        ]


@login_required
@require_GET
def grant_allocation_csv(request: HttpRequest) -> HttpResponseBase:
    """The allocation for the same query as CSV; without a valid one, back to the page."""
    user = _allocator(request)
    _form, result, _error = _run_allocation(request, user)
    if result is None:  # the page shows the form's errors or the solver's message
        query = request.GET.urlencode()
        url = reverse("assessments:allocation")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)
    response = StreamingHttpResponse(
        csv_lines(allocation_csv_rows(result, scoring.current_pack())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="placeguard-grant-allocation.csv"'
    return response


@login_required
@require_GET
def site_actions_export(request: HttpRequest, site_id: int, fmt: str) -> HttpResponse:
    """A site's visible action items as CSV or Excel."""
    from placeguard.web.assessments.exporting import action_items_csv, action_items_xlsx

    site = _site(request, site_id)
    items = queries.site_action_items(_user(request), site).select_related("site", "owner")
    if fmt == "csv":
        response = HttpResponse(action_items_csv(items), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            action_items_xlsx(items),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404(_("Unknown export format."))
    response["Content-Disposition"] = f'attachment; filename="action-plan-{site.pk}.{fmt}"'
    return response
