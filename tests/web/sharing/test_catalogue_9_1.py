"""Catalogue 9.1 (authentication and session), research/info-sharing.md, for the sharing hub.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from placeguard.web.orgs import services as orgs
from placeguard.web.orgs.models import ApiToken
from placeguard.web.sharing import services
from placeguard.web.sharing import urls as sharing_urls
from placeguard.web.sharing.models import Bulletin
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.orgs.conftest import Clock, clock, enrol
from tests.web.sharing.conftest import bulletin_raw

B = "/api/v1/bulletins/"
__all__ = ["clock"]  # the fixture, imported for this module
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"orgs": [w.orgs["mall-co"].pk], "need_to_know": EVERYONE, **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _page_urls() -> list[str]:
    out = []
    for pattern in sharing_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
        out.append(reverse(f"sharing:{pattern.name}", kwargs=kwargs))
    return out


def test_unauthenticated_all_routes_denied(sworld: World) -> None:
    """Every sharing page sends anonymous callers to the login page (the API part is in
    tests/web/common/test_routes.py); there is no public sharing page, so no CLEAR-only check."""
    b = _published(sworld)
    anonymous = Client()
    urls = _page_urls()
    assert len(urls) == len(sharing_urls.urlpatterns) >= 12
    for url in [*urls, f"/sharing/bulletins/{b.pk}/"]:
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(reverse("login"))
    # The allowed case: a signed-in member reaches the list.
    member = Client()
    member.force_login(sworld.users["mall_admin"])
    assert member.get("/sharing/bulletins/").status_code == 200


def test_token_invalid_variants(sworld: World) -> None:
    b = _published(sworld)
    mall = sworld.users["mall_admin"]
    token, secret = orgs.issue_token(mall, actor=mall)
    good = APIClient()
    good.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert good.get(f"{B}{b.pk}/").status_code == 200
    middle = secret[:4] + ("A" if secret[4] != "A" else "B") + secret[5:]
    variants = ["", "x", secret[:-1], secret + "x", middle, secret.upper(), f"{secret} extra"]
    for bad in variants:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {bad}")
        assert_problem(client.get(f"{B}{b.pk}/"), 401)
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert_problem(good.get(f"{B}{b.pk}/"), 401)  # expired
    _other, other_secret = orgs.issue_token(mall, actor=mall)
    ApiToken.objects.filter(user=mall).exclude(pk=token.pk).delete()
    deleted = APIClient()
    deleted.credentials(HTTP_AUTHORIZATION=f"Token {other_secret}")
    assert_problem(deleted.get(f"{B}{b.pk}/"), 401)  # deleted


def test_token_read_only_cannot_write_or_mint_tokens(sworld: World) -> None:
    b = _published(sworld)
    police = sworld.users["police_n"]
    _token, secret = orgs.issue_token(police, actor=police, read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(f"{B}{b.pk}/").status_code == 200  # reads
    assert_problem(client.post(B, bulletin_raw(orgs=[]), format="json"), 403)
    assert_problem(client.post(f"{B}{b.pk}/withdraw/", {"reason": "x"}, format="json"), 403)
    assert_problem(client.post("/api/v1/auth/tokens/", {"name": "more"}, format="json"), 403)
    b.refresh_from_db()
    assert b.status == "published"
    writer = token_client(police)  # the allowed case: a writable token of the same user
    assert writer.post(f"{B}{b.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 200


def test_token_scope_intersection(sworld: World) -> None:
    b = _published(sworld)
    mall = sworld.users["mall_reader"]
    _token, secret = orgs.issue_token(mall, actor=mall, scopes=["read:sites"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert_problem(client.get(f"{B}{b.pk}/"), 403)  # no sharing scope
    _token, secret = orgs.issue_token(mall, actor=mall, scopes=["write:sharing"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(f"{B}{b.pk}/").status_code == 200
    # A write scope never exceeds the user's rights: a reader still cannot write a bulletin.
    assert_problem(client.post(B, bulletin_raw(orgs=[]), format="json"), 403)


def test_disabled_user_tokens_dead(sworld: World) -> None:
    b = _published(sworld)
    client = token_client(sworld.users["mall_admin"])
    assert client.get(f"{B}{b.pk}/").status_code == 200
    sworld.users["mall_admin"].is_active = False
    sworld.users["mall_admin"].save(update_fields=["is_active"])
    assert_problem(client.get(f"{B}{b.pk}/"), 401)


def test_disabled_org_tokens_dead(sworld: World) -> None:
    b = _published(sworld)
    client = token_client(sworld.users["mall_admin"])
    assert client.get(f"{B}{b.pk}/").status_code == 200
    sworld.orgs["mall-co"].active = False
    sworld.orgs["mall-co"].save(update_fields=["active"])
    assert_problem(client.get(f"{B}{b.pk}/"), 401)


def test_deleted_token_with_existing_session(sworld: World) -> None:
    """Token calls open no session, so revoking the token leaves nothing behind that works."""
    b = _published(sworld)
    mall = sworld.users["mall_admin"]
    token, secret = orgs.issue_token(mall, actor=mall)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get(f"{B}{b.pk}/").status_code == 200
    assert django_settings.SESSION_COOKIE_NAME not in client.cookies
    orgs.revoke_token(token, actor=mall)
    assert_problem(client.get(f"{B}{b.pk}/"), 401)
    client.credentials()  # the same client without the header has no session either
    assert_problem(client.get(f"{B}{b.pk}/"), 401)


def test_mfa_enforced_for_non_clear_content(sworld: World, settings: Any, clock: Clock) -> None:
    clear = _published(sworld, title="Clear one", tlp="clear")
    amber = _published(sworld, title="Amber one")
    settings.PLACEGUARD_SHARING_REQUIRE_2FA = True
    mall = sworld.users["mall_admin"]
    plain = token_client(mall)  # a token issued without a TOTP code
    assert plain.get(f"{B}{clear.pk}/").status_code == 200
    assert_problem(plain.get(f"{B}{amber.pk}/"), 404)
    assert_problem(plain.post(B, bulletin_raw(orgs=[]), format="json"), 403)  # no AMBER writes
    enrol(mall, clock)  # a token issued after a TOTP check, by a user enrolled now
    _token, secret = orgs.issue_token(mall, actor=mall, two_factor=True)
    verified = APIClient()
    verified.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert verified.get(f"{B}{amber.pk}/").status_code == 200


def test_mfa_skip_only_with_explicit_permission(sworld: World, settings: Any) -> None:
    """Only the deployment switch skips two-factor, and production turns it on by default."""
    from placeguard.web.config import settings as project_settings

    amber = _published(sworld)
    settings.PLACEGUARD_SHARING_REQUIRE_2FA = True
    session = Client()
    session.force_login(sworld.users["mall_admin"])
    assert session.get(f"/sharing/bulletins/{amber.pk}/").status_code == 404
    settings.PLACEGUARD_SHARING_REQUIRE_2FA = False  # the explicit switch (test/dev default)
    assert session.get(f"/sharing/bulletins/{amber.pk}/").status_code == 200
    assert project_settings.IS_PRODUCTION is False  # the test run is not production …
    source = (project_settings.__file__ or "").replace(".pyc", ".py")
    with open(source, encoding="utf-8") as handle:  # … and production's default is "required"
        assert 'env_bool("PLACEGUARD_SHARING_REQUIRE_2FA", default=IS_PRODUCTION)' in handle.read()
