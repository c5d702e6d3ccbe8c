"""Organisation pages: the user's organisation, and member management for its admins.

Everyone sees their own organisation; only its organisation admins manage members (others
get the 403 page). Every write goes through ``orgs.services``.
"""

from __future__ import annotations

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
from placeguard.web.common.forms import apply_service_errors
from placeguard.web.orgs import services
from placeguard.web.orgs.access import active_org, visible_users
from placeguard.web.orgs.forms import OrganisationForm, UserCreateForm, UserEditForm
from placeguard.web.orgs.models import Organisation, TOTPDevice, User
from placeguard.web.orgs.services import ORG_ADMIN_GRANTABLE


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required runs first; this narrows the type
        raise PermissionDenied
    return user


def _admin_org(request: HttpRequest) -> tuple[User, Organisation]:
    """The acting organisation admin and their organisation, or 403."""
    user = _user(request)
    org = active_org(user)
    if org is None or not user.is_org_admin:
        raise PermissionDenied(_("Only organisation admins manage users."))
    return user, org


@login_required
@require_GET
def organisation_home(request: HttpRequest) -> HttpResponse:
    """The user's organisation and, for its admins, its members."""
    user = _user(request)
    org = active_org(user)
    if org is None:
        return render(request, "orgs/no_organisation.html")
    members = visible_users(user).filter(organisation_id=org.pk).order_by("username")
    if not user.is_org_admin:  # a platform admin sees every user, but not on this page
        members = members.filter(pk=user.pk)
    context = {
        "org": org,
        "regions": org.regions.order_by("name"),
        "members": members,
        "is_admin": user.is_org_admin,
        "totp_users": set(
            TOTPDevice.objects.filter(
                user__organisation_id=org.pk, confirmed__isnull=False
            ).values_list("user_id", flat=True)
        )
        if user.is_org_admin
        else set(),
    }
    return render(request, "orgs/organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest) -> HttpResponse:
    """Change the organisation's name and contact details (organisation admins)."""
    actor, org = _admin_org(request)
    if request.method != "POST":
        initial = {
            "name": org.name,
            "contact_email": org.contact_email,
            "description": org.description,
        }
        form = OrganisationForm(initial=initial)
    else:
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                services.update_organisation(org, actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(request, _("Organisation details saved."))
                return HttpResponseRedirect(reverse("orgs:home"))
    return render(request, "orgs/organisation_form.html", {"form": form, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """Add a member to the admin's organisation."""
    actor, org = _admin_org(request)
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.create_user(
                actor=actor,
                username=data["username"],
                organisation=org,
                roles=data["roles"],
                password=data["password"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(
                request, _("User %(username)s created.") % {"username": member.username}
            )
            return HttpResponseRedirect(reverse("orgs:home"))
    return render(request, "orgs/user_form.html", {"form": form, "org": org, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change a member's name, email, roles and active flag."""
    actor, org = _admin_org(request)
    member = visible_users(actor).filter(organisation_id=org.pk, pk=user_id).first()
    if member is None:
        raise Http404(_("User not found."))
    if request.method != "POST":
        form = UserEditForm(
            initial={
                "first_name": member.first_name,
                "last_name": member.last_name,
                "email": member.email,
                "is_active": member.is_active,
                "roles": sorted(member.role_set),
            }
        )
    else:
        form = UserEditForm(request.POST)
        if form.is_valid() and _save_member(request, form, actor, member):
            messages.success(request, _("User %(username)s saved.") % {"username": member.username})
            return HttpResponseRedirect(reverse("orgs:home"))
    context = {"form": form, "org": org, "member": member}
    return render(request, "orgs/user_form.html", context)


def _save_member(request: HttpRequest, form: UserEditForm, actor: User, member: User) -> bool:
    """Apply the edit form through the services, all or nothing; errors go onto the form."""
    data = form.cleaned_data
    fields = {
        key: data[key]
        for key in ("first_name", "last_name", "email", "is_active")
        if data[key] != getattr(member, key)
    }
    # Roles the form does not offer (platform admin) are kept, never silently dropped; the
    # service refuses the change if the actor may not grant them.
    roles = set(data["roles"]) | (set(member.role_set) - ORG_ADMIN_GRANTABLE)
    try:
        services.update_user(member, actor=actor, roles=roles, **fields)
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except ConflictError as exc:
        target = "is_active" if exc.code == "self_deactivation" else "roles"
        apply_service_errors(form, exc, default_field=target)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    else:
        return True
    return False
