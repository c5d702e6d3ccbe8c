"""Practice pages: the searchable library, a practice, the write form, life cycle, curation
and the CSV export. Reads start from ``queries``; writes call ``services``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import NotFoundError, PlaceguardError
from placeguard.core.sharing import policy
from placeguard.core.sharing.model import EDITOR_ROLES, ItemKind
from placeguard.core.spreadsheet import neutralise_cell
from placeguard.web.common.streaming import csv_lines
from placeguard.web.orgs.models import User
from placeguard.web.practices import queries, services
from placeguard.web.practices.choices import PracticeKind
from placeguard.web.practices.forms import PracticeForm
from placeguard.web.practices.models import Practice
from placeguard.web.practices.tags import FACETS, label_of, vocabulary
from placeguard.web.sharing import pages, principals
from placeguard.web.sharing.forms import WithdrawForm
from placeguard.web.sharing.rendering import render_markdown
from placeguard.web.sharing.services import groups_visible_to

_FACET_LABELS = {
    "site_type": gettext_lazy("Site type"),
    "scenario": gettext_lazy("Scenario"),
    "measure": gettext_lazy("Measure"),
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _practice(user: User, pk: int, *, content: bool = True) -> Practice:
    try:
        return services.get_practice_for(user, pk, content=content)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _search(user: User, params: queries.SearchParams) -> QuerySet[Practice]:
    return queries.search_practices(
        user, params.q, params.site_type, params.scenario, params.measure, params.kind
    )


@login_required
@require_GET
def practice_list(request: HttpRequest) -> HttpResponse:
    """The library: practices you may see, searchable by text, tag and kind, with counts."""
    user = _user(request)
    params = queries.SearchParams.from_query(request.GET)
    rows = _search(user, params).select_related("org")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    counts = queries.facet_counts(user, params)
    facets = [
        {
            "name": facet,
            "label": _FACET_LABELS[facet],
            "selected": getattr(params, facet),
            "options": [(v, label, counts[facet].get(v, 0)) for v, label in
                        vocabulary(facet).items()],
        }
        for facet in FACETS
    ]  # fmt: skip
    principal = principals.principal_for(user)
    context = {
        "page": page,
        "params": params,
        "facets": facets,
        "kinds": [(v, label, counts["kind"].get(v, 0)) for v, label in PracticeKind.choices],
        "query": request.GET.urlencode() if params.active else "",
        "can_write": principal is not None and principal.has_role(EDITOR_ROLES),
    }
    return render(request, "practices/practice_list.html", context)


@login_required
@require_GET
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A practice with its TLP banner and tags (or its withdrawal stub)."""
    user = _user(request)
    practice = _practice(user, pk, content=False)
    stub = bool(getattr(practice, "is_stub", False))
    context: dict[str, Any] = {"p": practice, "stub": stub}
    context.update(pages.break_glass_context(user, ItemKind.PRACTICE, practice))
    if not stub:
        principal = principals.principal_for(user)
        assert principal is not None
        item = services.practice_item(practice)
        context.update(
            body_html=mark_safe(render_markdown(practice.body)),  # noqa: S308 - sanitised by nh3
            tags=[
                (_FACET_LABELS[facet], [label_of(facet, v) for v in getattr(practice, field)])
                for field, facet in services.TAG_FIELDS.items()
            ],
            can_edit=policy.can_edit(principal, item).allowed,
            can_publish=policy.can_publish(principal, item).allowed,
            can_withdraw=policy.can_withdraw(principal, item).allowed,
            can_curate=services.can_curate(user, practice),
            withdraw_form=WithdrawForm(),
        )
    return render(request, "practices/practice_detail.html", context)


def _form(request: HttpRequest, user: User, practice: Practice | None) -> HttpResponse:
    groups = groups_visible_to(user).filter(active=True)
    initial: dict[str, Any] = {}
    if practice is not None:
        data = services.data_of(practice)
        initial = {
            **pages.sharing_initial(data),
            **{k: getattr(data, k) for k in ("title", "body", "kind", "source")},
            **{k: list(getattr(data, k)) for k in ("site_types", "scenarios", "measures")},
        }
    form = PracticeForm(request.POST or None, initial=initial, groups=groups)

    return pages.form_page(
        request, form, record=practice, actor=user,
        create=services.create_practice, update=services.update_practice,
        saved=_("Practice saved."),
        detail_url=lambda pk: reverse("practices:detail", args=[pk]),
        template="practices/practice_form.html", context={"p": practice},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def practice_create(request: HttpRequest) -> HttpResponse:
    """Write a new draft practice or lesson learned."""
    user = _user(request)
    principal = principals.principal_for(user)
    if principal is None or not principal.has_role(EDITOR_ROLES):
        raise PermissionDenied(_("Only analysts, publishers and admins write practices."))
    return _form(request, user, None)


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a practice (the originator's editors; relaxing and widening by its publishers)."""
    user = _user(request)
    practice = _practice(user, pk)
    principal = principals.principal_for(user)
    assert principal is not None
    if not policy.can_edit(principal, services.practice_item(practice)).allowed:
        raise PermissionDenied(_("You cannot edit this practice."))
    return _form(request, user, practice)


def _act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = _user(request)
    practice = _practice(user, pk)
    try:
        if verb == "publish":
            services.publish_practice(practice, actor=user)
            pages.flash_published(request, practice)
        elif verb == "withdraw":
            reason = str(request.POST.get("reason", ""))
            services.withdraw_practice(practice, reason=reason, actor=user)
            messages.success(request, _("Withdrawn."))
        else:
            curated = request.POST.get("curated") == "1"
            services.curate_practice(practice, curated=curated, actor=user)
            messages.success(request, _("Curated.") if curated else _("No longer curated."))
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    return HttpResponseRedirect(reverse("practices:detail", args=[pk]))


@login_required
@require_POST
def practice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft."""
    return _act(request, pk, "publish")


@login_required
@require_POST
def practice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a published practice."""
    return _act(request, pk, "withdraw")


@login_required
@require_POST
def practice_curate(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark or unmark a practice as curated (programme office publishers)."""
    return _act(request, pk, "curate")


CSV_HEADER = [
    "id", "kind", "status", "tlp", "org", "title", "site_types", "scenarios", "measures",
    "source", "curated", "published_at",
]  # fmt: skip


def csv_rows(rows: QuerySet[Practice]) -> Iterator[Sequence[object]]:
    """The export rows, every text cell formula-neutralised; stubs keep only id and status."""
    yield CSV_HEADER
    for p in rows.select_related("org").iterator(chunk_size=2000):
        if getattr(p, "is_stub", False):
            yield [p.pk, "", p.status, p.tlp, neutralise_cell(p.org.slug), *[""] * 7]
            continue
        cells: list[object] = [
            p.pk, p.kind, p.status, p.tlp, p.org.slug, p.title, " ".join(p.site_types),
            " ".join(p.scenarios), " ".join(p.measures), p.source, p.curated,
            p.published_at.isoformat() if p.published_at else "",
        ]  # fmt: skip
        yield [neutralise_cell(c) for c in cells]


@login_required
@require_GET
def practice_export(request: HttpRequest) -> StreamingHttpResponse:
    """The visible search result as CSV (the same filters as the list)."""
    user = _user(request)
    params = queries.SearchParams.from_query(request.GET)
    rows = queries.search_practices(
        user, params.q, params.site_type, params.scenario, params.measure, params.kind,
        whole_set=True,
    )  # fmt: skip
    response = StreamingHttpResponse(csv_lines(csv_rows(rows)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="practices.csv"'
    return response
