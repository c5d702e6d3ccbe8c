"""Two-factor enforcement for web sessions.

- A session whose login found the organisation requiring two-factor and the user not enrolled
  (flag set at login, so the check costs no query) may only reach the enrolment page, logout,
  static files and the language switch until enrolment is confirmed; API calls with that
  session get 403 problem+json ``two_factor_enrolment_required``.
- Django admin's own login form would skip the code step: anonymous visits and every POST to
  it are redirected to PlaceGuard's login (a signed-in non-staff user still sees admin's
  "not authorised" page, so there is no redirect loop).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from placeguard.web.common.problems import PROBLEM_CONTENT_TYPE, problem
from placeguard.web.orgs.security_views import ENROL_REQUIRED
from placeguard.web.orgs.twofactor import attach_two_factor_check

_ALWAYS = ("/static/", "/i18n/", "/logout/", "/login/", "/healthz")


class TwoFactorMiddleware:
    """Send sessions that must enrol to the enrolment page; close the admin-login bypass."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if path.startswith("/admin/login") and (request.method == "POST" or not signed_in):
            query = urlencode({"next": request.GET.get("next", "/admin/")})
            return HttpResponseRedirect(f"{reverse('login')}?{query}")
        if signed_in:
            attach_two_factor_check(user, request)
        session = getattr(request, "session", None)
        if session is not None and session.get(ENROL_REQUIRED) and not path.startswith(_ALWAYS):
            enrol = reverse("orgs:totp_enrol")
            if path.startswith("/api/"):
                body = problem(
                    403,
                    "two_factor_enrolment_required",
                    "Your organisation requires two-factor authentication: enrol first.",
                )
                return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)
            if path != enrol:
                return HttpResponseRedirect(enrol)
        return self.get_response(request)
