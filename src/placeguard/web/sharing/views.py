"""Sharing pages: bulletins (list, detail, write, publish, withdraw, acknowledge, receipts) and
sharing groups. Reads start from ``queries``; writes call ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from placeguard.core.errors import (
    NotFoundError,
    PlaceguardError,
)
from placeguard.core.sharing import policy
from placeguard.core.sharing.model import EDITOR_ROLES, ItemKind
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.orgs.models import User
from placeguard.web.sharing import lifecycle, pages, principals, queries, services
from placeguard.web.sharing.api.views import filtered
from placeguard.web.sharing.choices import BulletinStatus, Tlp
from placeguard.web.sharing.forms import BulletinForm, GroupForm, MembersForm, WithdrawForm
from placeguard.web.sharing.models import Bulletin, SharingGroup
from placeguard.web.sharing.rendering import render_markdown


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _bulletin(user: User, pk: int, *, content: bool = True) -> Bulletin:
    try:
        return services.get_bulletin_for(user, pk, content=content)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _group(user: User, pk: int) -> SharingGroup:
    try:
        return services.get_group_for(user, pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """Bulletins you may see, filtered by TLP, status and text."""
    user = _user(request)
    lifecycle.expire_due()  # between housekeeping runs, overdue bulletins expire when looked at
    rows = filtered(queries.bulletins_visible_to(user).select_related("org"), request.GET)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    principal = principals.principal_for(user)
    can_write = principal is not None and principal.has_role(EDITOR_ROLES)
    context = {
        "page": page,
        "tlps": Tlp.choices,
        "statuses": BulletinStatus.choices,
        "filters": {k: request.GET.get(k, "") for k in ("tlp", "status", "q")},
        "can_write": can_write,
    }
    return render(request, "sharing/bulletin_list.html", context)


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A bulletin with its TLP banner (or its withdrawal stub); reading records a receipt."""
    user = _user(request)
    bulletin = _bulletin(user, pk, content=False)
    context: dict[str, Any] = {"b": bulletin, "stub": getattr(bulletin, "is_stub", False)}
    context.update(pages.break_glass_context(user, ItemKind.BULLETIN, bulletin))
    if not getattr(bulletin, "is_stub", False):
        ack = services.mark_read(bulletin, actor=user)
        principal = principals.principal_for(user)
        assert principal is not None
        item = principals.bulletin_item(bulletin)
        context.update(
            body_html=mark_safe(render_markdown(bulletin.body)),  # noqa: S308 - sanitised by nh3
            ack=ack,
            can_edit=policy.can_edit(principal, item).allowed,
            can_publish=policy.can_publish(principal, item).allowed,
            can_withdraw=policy.can_withdraw(principal, item).allowed,
            can_ack=policy.can_acknowledge(principal, item).allowed,
            is_originator=user.organisation_id == bulletin.org_id,
            withdraw_form=WithdrawForm(),
        )
    return render(request, "sharing/bulletin_detail.html", context)


def _bulletin_form(request: HttpRequest, user: User, bulletin: Bulletin | None) -> HttpResponse:
    groups = services.groups_visible_to(user).filter(active=True)
    initial: dict[str, Any] = {}
    if bulletin is not None:
        data = services.data_of(bulletin)
        initial = {
            **pages.sharing_initial(data),
            **{k: getattr(data, k) for k in ("title", "body", "valid_from", "valid_until")},
            "target_site_types": list(data.target_site_types),
            "target_regions": list(data.target_regions),
        }
    form = BulletinForm(request.POST or None, initial=initial, groups=groups)

    return pages.form_page(
        request, form, record=bulletin, actor=user,
        create=services.create_bulletin, update=services.update_bulletin,
        saved=_("Bulletin saved."),
        detail_url=lambda pk: reverse("sharing:detail", args=[pk]),
        template="sharing/bulletin_form.html", context={"b": bulletin},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_create(request: HttpRequest) -> HttpResponse:
    """Write a new draft."""
    user = _user(request)
    principal = principals.principal_for(user)
    if principal is None or not principal.has_role(EDITOR_ROLES):
        raise PermissionDenied(_("Only analysts, publishers and admins write bulletins."))
    return _bulletin_form(request, user, None)


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a bulletin (the originator's editors; relaxing and widening by its publishers)."""
    user = _user(request)
    bulletin = _bulletin(user, pk)
    principal = principals.principal_for(user)
    assert principal is not None
    if not policy.can_edit(principal, principals.bulletin_item(bulletin)).allowed:
        raise PermissionDenied(_("You cannot edit this bulletin."))
    return _bulletin_form(request, user, bulletin)


def _act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = _user(request)
    bulletin = _bulletin(user, pk)
    try:
        if verb == "publish":
            services.publish_bulletin(bulletin, actor=user)
            pages.flash_published(request, bulletin)
        elif verb == "withdraw":
            form = WithdrawForm(request.POST)
            reason = form.data.get("reason", "")
            services.withdraw_bulletin(bulletin, reason=str(reason), actor=user)
            messages.success(request, _("Withdrawn."))
        else:
            services.acknowledge(bulletin, actor=user)
            messages.success(request, _("Acknowledged."))
    except PlaceguardError as exc:
        pages.flash_failure(request, exc)
    return HttpResponseRedirect(reverse("sharing:detail", args=[pk]))


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft."""
    return _act(request, pk, "publish")


@login_required
@require_POST
def bulletin_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a published bulletin."""
    return _act(request, pk, "withdraw")


@login_required
@require_POST
def bulletin_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge a bulletin addressed to your organisation."""
    return _act(request, pk, "acknowledge")


@login_required
@require_GET
def bulletin_receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read and acknowledged (the originating organisation only)."""
    user = _user(request)
    bulletin = _bulletin(user, pk)
    if user.organisation_id != bulletin.org_id:
        raise PermissionDenied(_("Receipts are for the originating organisation."))
    acks = list(
        queries.acks_visible_to(user)
        .filter(bulletin=bulletin)
        .select_related("user", "org")
        .order_by("org__name", "user__username")
    )
    summary = {
        "queued": len(acks),
        "read": sum(1 for a in acks if a.read_at),
        "acknowledged": sum(1 for a in acks if a.acknowledged_at),
    }
    return render(request, "sharing/receipts.html", {"b": bulletin, "acks": acks,
                                                     "summary": summary})  # fmt: skip


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    """Sharing groups your organisation owns or belongs to."""
    user = _user(request)
    groups = services.groups_visible_to(user).select_related("owner")
    principal = principals.principal_for(user)
    can_create = principal is not None and policy.can_create_group(principal).allowed
    return render(request, "sharing/group_list.html", {"groups": groups, "can_create": can_create})


@login_required
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A group, its rule and (for those allowed) its members."""
    user = _user(request)
    group = _group(user, pk)
    principal = principals.principal_for(user)
    assert principal is not None
    value = services._group_value(group)
    context = {
        "group": group,
        "members": group.memberships.select_related("organisation").order_by("organisation__name")
        if policy.can_view_group_members(principal, value).allowed
        else None,
        "can_edit": policy.can_edit_group(principal, value).allowed,
    }
    return render(request, "sharing/group_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a group, or edit its settings, rule and explicit members."""
    user = _user(request)
    group = _group(user, pk) if pk is not None else None
    initial: dict[str, Any] = {}
    members_initial: dict[str, Any] = {}
    if group is not None:
        initial = {
            "name": group.name, "description": group.description, "active": group.active,
            "hide_members": group.hide_members, "rule_org_kinds": group.rule_org_kinds,
            "rule_site_types": group.rule_site_types,
            "rule_regions": list(group.rule_regions.values_list("pk", flat=True)),
        }  # fmt: skip
        explicit = group.memberships.filter(via_rule=False)
        members_initial = {
            "members": [m.organisation_id for m in explicit],
            "extenders": [m.organisation_id for m in explicit if m.extender],
        }
    form = GroupForm(request.POST or None, initial=initial)
    members = MembersForm(request.POST or None, initial=members_initial) if group else None
    if request.method == "POST" and form.is_valid() and (members is None or members.is_valid()):
        try:
            if group is None:
                group = services.create_group(form.raw(), actor=user)
            else:
                services.update_group(group, form.raw(), actor=user)
                assert members is not None
                ext = {o.pk for o in members.cleaned_data["extenders"]}
                wanted = {o.pk: o.pk in ext for o in members.cleaned_data["members"]}
                services.set_group_members(group, wanted, actor=user)
        except PlaceguardError as exc:
            pages.raise_as_http(exc)
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Sharing group saved."))
            return HttpResponseRedirect(reverse("sharing:group", args=[group.pk]))
    return render(request, "sharing/group_form.html",
                  {"form": form, "members_form": members, "group": group})  # fmt: skip
