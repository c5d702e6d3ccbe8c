"""Login (with throttling and the TOTP step), two-factor enrolment, and the user's API tokens.

The login is Django's ``LoginView`` with two additions: attempts are refused while the
username or address is locked out (429 with ``Retry-After``), and a user with a confirmed
authenticator is not logged in after the password: the pending login waits in the session
(for :data:`PENDING_MAX_AGE`) until the code page accepts a TOTP or recovery code. Every write
goes through ``orgs.services``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.common.forms import PlaceguardForm, apply_service_errors
from placeguard.web.orgs import services, throttle, twofactor
from placeguard.web.orgs.access import visible_users
from placeguard.web.orgs.models import ApiToken, TOTPDevice, User
from placeguard.web.orgs.scopes import ALL, AREAS

#: Session keys of a login waiting for its second factor, and of a forced enrolment.
PENDING = "placeguard_2fa_pending"
ENROL_REQUIRED = "placeguard_2fa_enrol_required"
PENDING_MAX_AGE = timedelta(minutes=5)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _locked_response(request: HttpRequest, lock: throttle.Lockout, template: str) -> HttpResponse:
    minutes = max(1, -(-lock.retry_after // 60))
    message = _(
        "Too many failed attempts. This login is locked; try again in %(minutes)d minute(s)."
    ) % {"minutes": minutes}
    response = render(request, template, {"locked": message, "form": None}, status=429)
    response["Retry-After"] = str(lock.retry_after)
    return response


class PlaceguardLoginView(LoginView):
    """Username and password, throttled; hands over to the code page for TOTP users."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        lock = throttle.check(username, throttle.client_ip(request))
        if lock is not None:
            return _locked_response(request, lock, "registration/login.html")
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        username = str(self.request.POST.get("username", ""))
        if username and self.request.POST.get("password"):
            lock = throttle.record_failure(
                username, throttle.client_ip(self.request), stage="password"
            )
            if lock is not None:
                return _locked_response(self.request, lock, "registration/login.html")
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if twofactor.has_confirmed_totp(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": getattr(user, "backend", ""),
                "at": throttle.now().isoformat(),
                "next": self.get_redirect_url(),
            }
            return HttpResponseRedirect(reverse("login_verify"))
        throttle.clear(user.username)
        response = super().form_valid(form)
        org = user.organisation
        if org is not None and org.require_two_factor:
            self.request.session[ENROL_REQUIRED] = True
            messages.warning(
                self.request,
                _("Your organisation requires two-factor authentication: set it up to continue."),
            )
            return HttpResponseRedirect(reverse("orgs:totp_enrol"))
        return response


class CodeForm(PlaceguardForm):
    """One TOTP or recovery code."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    started = datetime.fromisoformat(str(data.get("at")))
    if throttle.now() - started > PENDING_MAX_AGE:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    if not isinstance(user, User):
        return None
    return user, data


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a TOTP code (or a recovery code) completes the pending login."""
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("Please log in again."))
        return HttpResponseRedirect(reverse("login"))
    user, data = pending
    ip = throttle.client_ip(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        lock = throttle.check(user.username, ip)
        if lock is not None:
            request.session.pop(PENDING, None)
            return _locked_response(request, lock, "orgs/login_verify.html")
        if form.is_valid() and services.verify_second_factor(user, form.cleaned_data["code"]):
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=str(data.get("backend") or "") or None)
            device = TOTPDevice.objects.get(user=user)
            twofactor.mark_session_verified(request, device)
            throttle.clear(user.username)
            target = str(data.get("next") or "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = ""
            return HttpResponseRedirect(target or resolve_url("dashboard"))
        if form.is_bound and form.is_valid():
            lock = throttle.record_failure(user.username, ip, stage="totp")
            if lock is not None:
                request.session.pop(PENDING, None)
                return _locked_response(request, lock, "orgs/login_verify.html")
            form.add_error("code", _("This code is not valid."))
    return render(request, "orgs/login_verify.html", {"form": form})


# ------------------------------------------------------------------ the user's security page


class TokenForm(PlaceguardForm):
    """A new API token of the user."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("None ticked: everything your roles allow."),
    )
    read_only = forms.BooleanField(label=gettext_lazy("Read-only"), required=False)
    ttl_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for area, label in AREAS.items():
            choices.append((f"read:{area}", f"{label} — {_('read')}"))
            choices.append((f"write:{area}", f"{label} — {_('read and write')}"))
        self.set_choices("scopes", choices)


def _security_context(user: User, **extra: Any) -> dict[str, Any]:
    device = TOTPDevice.objects.filter(user=user).first()
    context = {
        "totp_on": device is not None and device.confirmed is not None,
        "recovery_left": twofactor.unused_recovery_codes(user),
        "tokens": ApiToken.objects.filter(user=user).order_by("-created", "-pk"),
        "token_form": TokenForm(),
        "code_form": CodeForm(),
        "required": user.organisation is not None and user.organisation.require_two_factor,
        "all_scopes": ALL,
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET"])
def security_home(request: HttpRequest) -> HttpResponse:
    """Two-factor status, recovery codes and API tokens of the logged-in user."""
    user = _user(request)
    return render(request, "orgs/security.html", _security_context(user))


@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: start (POST), scan the QR code, confirm with a first code."""
    user = _user(request)
    if twofactor.has_confirmed_totp(user):
        return HttpResponseRedirect(reverse("orgs:security"))
    form = CodeForm()
    if request.method == "POST" and request.POST.get("action") == "start":
        services.start_totp_enrolment(user, actor=user)
        return HttpResponseRedirect(reverse("orgs:totp_enrol"))
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = services.confirm_totp(user, form.cleaned_data["code"], actor=user)
            except ValidationError as exc:
                apply_service_errors(form, exc, default_field="code")
            except ConflictError:
                return HttpResponseRedirect(reverse("orgs:totp_enrol"))
            else:
                twofactor.mark_session_verified(request, device)
                request.session.pop(ENROL_REQUIRED, None)
                return render(request, "orgs/recovery_codes.html", {"codes": codes})
    unconfirmed = TOTPDevice.objects.filter(user=user, confirmed__isnull=True).first()
    context: dict[str, Any] = {"form": form, "started": unconfirmed is not None}
    if unconfirmed is not None:
        # Shown only until the enrolment is confirmed; never again afterwards.
        secret = twofactor.decrypt_secret(unconfirmed.encrypted_secret)
        if secret is not None:
            uri = twofactor.provisioning_uri(secret, user.username)
            context.update(
                secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                qr_svg=twofactor.qr_svg(uri),
            )
    context["required"] = bool(request.session.get(ENROL_REQUIRED))
    response = render(request, "orgs/totp_enrol.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (needs a current code)."""
    user = _user(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.disable_totp(user, form.cleaned_data["code"], actor=user)
        except ValidationError as exc:
            apply_service_errors(form, exc, default_field="code")
        except ConflictError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return HttpResponseRedirect(reverse("orgs:security"))
    return render(
        request, "orgs/security.html", _security_context(user, code_form=form), status=400
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (needs a current code); shown once."""
    user = _user(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(user, form.cleaned_data["code"], actor=user)
        except ValidationError as exc:
            apply_service_errors(form, exc, default_field="code")
        else:
            return render(request, "orgs/recovery_codes.html", {"codes": codes})
    return render(
        request, "orgs/security.html", _security_context(user, code_form=form), status=400
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create an API token; its secret is shown on this response only."""
    user = _user(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = services.issue_token(
                user,
                actor=user,
                name=data["name"],
                scopes=data["scopes"] or [ALL],
                read_only=data["read_only"],
                ttl_hours=min(data["ttl_days"] * 24, _max_ttl_hours()),
                two_factor=twofactor.session_two_factor_ok(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, default_field="scopes")
        else:
            context = _security_context(user, new_token=token, new_secret=secret)
            response = render(request, "orgs/security.html", context, status=201)
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "orgs/security.html", _security_context(user, token_form=form), status=400
    )


def _max_ttl_hours() -> int:
    from django.conf import settings

    return int(settings.API_TOKEN_TTL_HOURS)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens (others' tokens: 404)."""
    user = _user(request)
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404(_("Token not found."))
    services.revoke_token(token, actor=user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return HttpResponseRedirect(reverse("orgs:security"))


# ------------------------------------------------------------------ organisation admins


@login_required
@require_POST
def user_totp_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """An organisation admin removes a member's authenticator (lost phone); audited."""
    actor = _user(request)
    member = visible_users(actor).filter(pk=user_id).first()
    if member is None:
        raise Http404(_("User not found."))
    try:
        services.reset_totp(member, actor=actor)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(
        request,
        _("Two-factor authentication of %(username)s was reset.") % {"username": member.username},
    )
    return HttpResponseRedirect(reverse("orgs:home"))


@login_required
@require_POST
def require_two_factor(request: HttpRequest) -> HttpResponse:
    """Organisation admins switch "require two-factor" on or off for their organisation."""
    actor = _user(request)
    org = actor.organisation
    if org is None or not actor.is_org_admin:
        raise PermissionDenied(_("Only organisation admins change this setting."))
    required = request.POST.get("require_two_factor") == "on"
    try:
        services.set_require_two_factor(org, required, actor=actor)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(
        request,
        _("Members must use two-factor authentication from their next login.")
        if required
        else _("Two-factor authentication is optional for members."),
    )
    return HttpResponseRedirect(reverse("orgs:home"))
