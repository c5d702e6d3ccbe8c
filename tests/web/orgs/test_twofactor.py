"""TOTP two-factor: enrolment, the login's second step, recovery codes, disable and reset."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pyotp
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from rest_framework.test import APIClient

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs import services, twofactor
from placeguard.web.orgs.models import ApiToken, RecoveryCode, TOTPDevice, User
from tests.conftest import PASSWORD, World
from tests.web.helpers import assert_problem
from tests.web.orgs.conftest import Clock, enrol


def _login(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def _logged_in_as(client: Client) -> str | None:
    response = client.get("/organisation/")
    if response.status_code != 200:
        return None
    return str(response.wsgi_request.user.username)


# ------------------------------------------------------------------ storage and helpers
def test_secret_is_stored_encrypted(world: World, clock: Clock, settings: Any) -> None:
    user = world.users["mall_reader"]
    secret = services.start_totp_enrolment(user, actor=user)
    stored = TOTPDevice.objects.get(user=user).encrypted_secret
    assert secret not in stored
    assert twofactor.decrypt_secret(stored) == secret
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert twofactor.decrypt_secret(stored) is None  # another key cannot open it
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert twofactor.decrypt_secret(stored) == secret  # key rotation keeps the old secrets


def test_recovery_codes_are_stored_as_digests(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    assert len(enrolled.recovery) == 10 == len(set(enrolled.recovery))
    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert not {c for c in enrolled.recovery if c in digests}
    assert {twofactor.recovery_digest(c) for c in enrolled.recovery} == digests


def test_has_confirmed_totp_only_after_confirmation(world: World, clock: Clock) -> None:
    user = world.users["mall_reader"]
    assert not twofactor.has_confirmed_totp(AnonymousUser())
    secret = services.start_totp_enrolment(user, actor=user)
    assert not twofactor.has_confirmed_totp(user)  # started, not confirmed
    right = pyotp.TOTP(secret).at(clock.now)
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(ValidationError):
        services.confirm_totp(user, wrong, actor=user)
    assert not twofactor.has_confirmed_totp(user)
    services.confirm_totp(user, pyotp.TOTP(secret).at(clock.now), actor=user)
    assert twofactor.has_confirmed_totp(user)
    assert AuditEvent.objects.filter(action="totp.enrol", object_id=str(user.pk)).count() == 1


def test_a_code_is_accepted_once_and_only_near_now(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    user = enrolled.user
    assert not services.verify_second_factor(user, enrolled.code(clock, offset_steps=3))
    assert not services.verify_second_factor(user, enrolled.code(clock, offset_steps=-3))
    code = enrolled.code(clock)
    assert services.verify_second_factor(user, code)
    assert not services.verify_second_factor(user, code)  # replay refused
    clock.advance(seconds=30)
    assert services.verify_second_factor(user, enrolled.code(clock, offset_steps=1))  # drift


def test_recovery_code_works_once(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    code = enrolled.recovery[0]
    assert services.verify_second_factor(enrolled.user, code.upper().replace("-", " "))
    assert not services.verify_second_factor(enrolled.user, code)
    assert services.verify_second_factor(enrolled.user, enrolled.recovery[1])
    assert twofactor.unused_recovery_codes(enrolled.user) == 8


def test_only_the_user_enrols(world: World, clock: Clock) -> None:
    with pytest.raises(PermissionDeniedError):
        services.start_totp_enrolment(world.users["mall_reader"], actor=world.users["mall_admin"])
    services.start_totp_enrolment(world.users["mall_reader"], actor=world.users["mall_reader"])


# ------------------------------------------------------------------ enrolment page
def test_enrolment_page_shows_the_secret_until_confirmed(world: World, clock: Clock) -> None:
    user = world.users["mall_reader"]
    client = Client()
    client.force_login(user)
    page = client.get("/organisation/security/two-factor/")
    assert page.status_code == 200 and b"totp-secret" not in page.content  # nothing started
    assert client.post("/organisation/security/two-factor/", {"action": "start"}).status_code == 302
    page = client.get("/organisation/security/two-factor/")
    html = page.content.decode()
    secret = twofactor.decrypt_secret(TOTPDevice.objects.get(user=user).encrypted_secret)
    assert secret is not None and secret[:4] in html and "<svg" in html
    assert "<script" not in html.split("<main", 1)[1]
    assert page["Cache-Control"] == "no-store"
    bad = client.post("/organisation/security/two-factor/", {"action": "confirm", "code": "12"})
    assert bad.status_code == 200 and not twofactor.has_confirmed_totp(user)
    done = client.post(
        "/organisation/security/two-factor/",
        {"action": "confirm", "code": pyotp.TOTP(secret).at(clock.now)},
    )
    assert done.status_code == 200 and b"recovery-codes" in done.content
    assert twofactor.has_confirmed_totp(user)
    assert twofactor.session_two_factor_ok(done.wsgi_request)  # enrolling counts as verified
    again = client.get("/organisation/security/two-factor/")
    assert again.status_code == 302  # the secret is never shown again
    assert secret[:8] not in client.get("/organisation/security/").content.decode()


# ------------------------------------------------------------------ login
def test_user_without_totp_logs_in_with_password_only(world: World, clock: Clock) -> None:
    client = Client()
    response = _login(client, "mall_reader")
    assert response.status_code == 302 and response["Location"] == "/"
    assert _logged_in_as(client) == "mall_reader"
    assert not twofactor.session_two_factor_ok(client.get("/").wsgi_request)


def test_totp_user_needs_the_code_to_log_in(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    response = client.post(
        "/login/?next=/sites/", {"username": "mall_reader", "password": PASSWORD, "next": "/sites/"}
    )
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert _logged_in_as(client) is None  # the password alone logs nobody in
    wrong = client.post("/login/verify/", {"code": "000000"})
    assert wrong.status_code == 200 and b"not valid" in wrong.content
    assert _logged_in_as(client) is None
    right = client.post("/login/verify/", {"code": enrolled.code(clock)})
    assert right.status_code == 302 and right["Location"] == "/sites/"
    assert _logged_in_as(client) == "mall_reader"
    assert twofactor.session_two_factor_ok(client.get("/").wsgi_request)


def test_recovery_code_logs_in(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    _login(client, "mall_reader")
    assert client.post("/login/verify/", {"code": enrolled.recovery[0]}).status_code == 302
    assert _logged_in_as(client) == "mall_reader"
    assert AuditEvent.objects.filter(action="totp.recovery_code_used").count() == 1


def test_pending_login_expires(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    _login(client, "mall_reader")
    clock.advance(minutes=6)
    response = client.post("/login/verify/", {"code": enrolled.code(clock)})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert _logged_in_as(client) is None
    _login(client, "mall_reader")  # allowed case: a fresh login inside five minutes works
    clock.advance(minutes=4)
    assert client.post("/login/verify/", {"code": enrolled.code(clock)}).status_code == 302
    assert _logged_in_as(client) == "mall_reader"


def test_verify_page_without_a_pending_login_goes_back(world: World) -> None:
    response = Client().get("/login/verify/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_verification_is_void_after_a_reset(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    _login(client, "mall_reader")
    client.post("/login/verify/", {"code": enrolled.code(clock)})
    assert twofactor.session_two_factor_ok(client.get("/").wsgi_request)
    services.reset_totp(enrolled.user, actor=world.users["mall_admin"])
    assert not twofactor.session_two_factor_ok(client.get("/").wsgi_request)
    enrol(enrolled.user, clock)  # re-enrolled elsewhere: the old session still does not count
    assert not twofactor.session_two_factor_ok(client.get("/").wsgi_request)


def test_admin_login_form_cannot_skip_the_code(world: World, clock: Clock) -> None:
    enrol(world.users["platform_admin"], clock)
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    posted = client.post("/admin/login/", {"username": "platform_admin", "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/login/")
    assert _logged_in_as(client) is None
    # allowed case: a signed-in non-staff user still reaches admin's own page (no loop)
    client.force_login(world.users["mall_reader"])
    assert client.get("/admin/login/?next=/admin/").status_code == 200


# ------------------------------------------------------------------ API token login
def test_api_token_login_needs_the_code(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = APIClient()
    url = "/api/v1/auth/token/"
    body = {"username": "mall_reader", "password": PASSWORD}
    assert_problem(client.post(url, body, format="json"), 401, "otp_required")
    assert_problem(client.post(url, {**body, "otp": "000000"}, format="json"), 401, "invalid_otp")
    ok = client.post(url, {**body, "otp": enrolled.code(clock)}, format="json")
    assert ok.status_code == 201
    token = ApiToken.objects.get(user=enrolled.user)
    assert token.two_factor
    request = SimpleNamespace(user=enrolled.user, auth=token)
    assert twofactor.session_two_factor_ok(request)
    plain, _ = services.issue_token(enrolled.user, actor=enrolled.user)
    assert not twofactor.session_two_factor_ok(SimpleNamespace(user=enrolled.user, auth=plain))


def test_api_token_login_without_totp_is_unchanged(world: World) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "mall_reader", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    assert not ApiToken.objects.get(user=world.users["mall_reader"]).two_factor


# ------------------------------------------------------------------ disable, renew, reset
def test_user_disables_with_a_code(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    client.force_login(enrolled.user)
    bad = client.post("/organisation/security/two-factor/disable/", {"code": "000000"})
    assert bad.status_code == 400 and twofactor.has_confirmed_totp(enrolled.user)
    good = client.post("/organisation/security/two-factor/disable/", {"code": enrolled.code(clock)})
    assert good.status_code == 302 and not twofactor.has_confirmed_totp(enrolled.user)
    assert not RecoveryCode.objects.filter(user=enrolled.user).exists()
    assert AuditEvent.objects.filter(action="totp.disable").count() == 1


def test_recovery_codes_are_renewed_and_shown_once(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    client = Client()
    client.force_login(enrolled.user)
    response = client.post("/organisation/security/recovery-codes/", {"code": enrolled.code(clock)})
    assert response.status_code == 200
    assert not services.verify_second_factor(enrolled.user, enrolled.recovery[0])  # old: dead
    page = client.get("/organisation/security/").content.decode()
    assert "10 recovery codes left" in page
    assert not [c for c in enrolled.recovery if c in page]


def test_org_admin_resets_a_member_and_it_is_audited(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    outsider = Client()
    outsider.force_login(world.users["hotel_admin"])
    url = f"/organisation/users/{enrolled.user.pk}/reset-two-factor/"
    assert outsider.post(url).status_code == 404
    member = Client()
    member.force_login(world.users["police_n_reader"])
    assert member.post(url).status_code == 404  # not an admin: sees nobody else
    assert twofactor.has_confirmed_totp(enrolled.user)
    admin = Client()
    admin.force_login(world.users["mall_admin"])
    page = admin.get("/organisation/").content.decode()
    assert url in page
    assert admin.post(url).status_code == 302
    assert not twofactor.has_confirmed_totp(enrolled.user)
    event = AuditEvent.objects.get(action="totp.reset")
    assert event.actor_label == "mall_admin" and event.object_id == str(enrolled.user.pk)


def test_reset_rules(world: World, clock: Clock) -> None:
    mall_reader, mall_admin = world.users["mall_reader"], world.users["mall_admin"]
    with pytest.raises(NotFoundError):
        services.reset_totp(mall_reader, actor=world.users["hotel_admin"])
    with pytest.raises(PermissionDeniedError):
        services.reset_totp(mall_admin, actor=mall_admin)  # not one's own: disable instead
    services.reset_totp(mall_reader, actor=world.users["platform_admin"])
    services.reset_totp(mall_reader, actor=mall_admin)


# ------------------------------------------------------------------ organisation requirement
def test_required_two_factor_forces_enrolment_at_next_login(world: World, clock: Clock) -> None:
    org = world.orgs["mall-co"]
    services.set_require_two_factor(org, True, actor=world.users["mall_admin"])
    assert AuditEvent.objects.filter(action="organisation.require_two_factor").count() == 1
    client = Client()
    response = _login(client, "mall_reader")
    assert response["Location"] == "/organisation/security/two-factor/"
    assert client.get("/sites/")["Location"] == "/organisation/security/two-factor/"
    assert_problem(client.get("/api/v1/me/"), 403, "two_factor_enrolment_required")
    assert client.get("/organisation/security/two-factor/").status_code == 200
    client.post("/organisation/security/two-factor/", {"action": "start"})
    secret = twofactor.decrypt_secret(
        TOTPDevice.objects.get(user=world.users["mall_reader"]).encrypted_secret
    )
    assert secret is not None
    client.post(
        "/organisation/security/two-factor/",
        {"action": "confirm", "code": pyotp.TOTP(secret).at(clock.now)},
    )
    assert client.get("/sites/").status_code == 200
    # allowed case: another organisation's members are not affected
    other = Client()
    assert _login(other, "hotel_admin")["Location"] == "/"
    assert other.get("/sites/").status_code == 200


def test_required_two_factor_blocks_token_login_until_enrolled(world: World, clock: Clock) -> None:
    services.set_require_two_factor(world.orgs["mall-co"], True, actor=world.users["mall_admin"])
    body = {"username": "mall_reader", "password": PASSWORD}
    client = APIClient()
    assert_problem(
        client.post("/api/v1/auth/token/", body, format="json"),
        403,
        "two_factor_enrolment_required",
    )
    enrolled = enrol(world.users["mall_reader"], clock)
    ok = client.post("/api/v1/auth/token/", {**body, "otp": enrolled.code(clock)}, format="json")
    assert ok.status_code == 201


def test_required_two_factor_cannot_be_disabled(world: World, clock: Clock) -> None:
    enrolled = enrol(world.users["mall_reader"], clock)
    services.set_require_two_factor(world.orgs["mall-co"], True, actor=world.users["mall_admin"])
    with pytest.raises(ConflictError):
        services.disable_totp(enrolled.user, enrolled.code(clock), actor=enrolled.user)
    services.set_require_two_factor(world.orgs["mall-co"], False, actor=world.users["mall_admin"])
    services.disable_totp(enrolled.user, enrolled.code(clock), actor=enrolled.user)
    assert not twofactor.has_confirmed_totp(enrolled.user)


def test_only_org_admins_change_the_requirement(world: World) -> None:
    org = world.orgs["mall-co"]
    with pytest.raises(PermissionDeniedError):
        services.set_require_two_factor(org, True, actor=world.users["mall_reader"])
    with pytest.raises(PermissionDeniedError):
        services.set_require_two_factor(org, True, actor=world.users["hotel_admin"])
    reader = Client()
    reader.force_login(world.users["mall_reader"])
    assert reader.post("/organisation/two-factor/", {"require_two_factor": "on"}).status_code == 403
    admin = Client()
    admin.force_login(world.users["mall_admin"])
    assert admin.post("/organisation/two-factor/", {"require_two_factor": "on"}).status_code == 302
    assert User.objects.get(username="mall_reader").organisation.require_two_factor  # type: ignore[union-attr]
