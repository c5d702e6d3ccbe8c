"""API tokens: scopes, read-only, expiry and revocation; the user's token API and page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from placeguard.core.errors import PermissionDeniedError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs import scopes, services
from placeguard.web.orgs.api.views import MeView, OrganisationViewSet
from placeguard.web.orgs.models import ApiToken, User
from placeguard.web.sites.api.views import SiteViewSet
from tests.conftest import World
from tests.web.common.test_routes import api_routes
from tests.web.helpers import assert_problem

TOKENS = "/api/v1/auth/tokens/"


def client_with(user: User, **kwargs: Any) -> tuple[APIClient, ApiToken]:
    token, secret = services.issue_token(user, actor=user, **kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client, token


# ------------------------------------------------------------------ scope arithmetic
def test_scope_rules() -> None:
    assert scopes.normalise_scopes(["write:sites", "read:sites", "write:sites"]) == [
        "read:sites",
        "write:sites",
    ]
    assert scopes.normalise_scopes(["read:sites", "*"]) == ["*"]
    with pytest.raises(ValueError, match="admin:everything"):
        scopes.normalise_scopes(["admin:everything"])
    assert scopes.grants(["write:sites"], "read:sites")  # write implies read
    assert not scopes.grants(["read:sites"], "write:sites")
    assert not scopes.grants(["write:sites"], "read:orgs")
    assert scopes.grants(["*"], "write:anything")
    assert scopes.within(["write:sites"], ["read:sites"])
    assert not scopes.within(["read:sites"], ["*"])
    assert scopes.within(["*"], ["*"])


def test_views_declare_or_inherit_their_scope() -> None:
    assert scopes.required_scope_for(SiteViewSet(), "GET") == "read:sites"
    assert scopes.required_scope_for(SiteViewSet(), "PATCH") == "write:sites"
    assert scopes.required_scope_for(OrganisationViewSet(), "POST") == "write:orgs"
    assert scopes.required_scope_for(MeView(), "GET") == "read:account"

    class Custom:
        required_scope = "read:sharing"

    assert scopes.required_scope_for(Custom(), "POST") == "read:sharing"


def test_every_api_view_maps_to_a_known_area() -> None:
    """A route in an area no scope names is reachable only with ``*`` tokens (fail closed);
    this lists them so that a new app gets its scopes."""
    from django.urls import resolve

    unknown = set()
    for url in api_routes():
        match = resolve(url)
        view_cls = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
        if view_cls is None or not view_cls.__module__.startswith("placeguard."):
            continue
        scope = scopes.required_scope_for(view_cls(), "GET")
        assert scope is not None
        if scope.split(":")[1] not in scopes.AREAS:
            unknown.add((url, scope))
    assert not unknown


# ------------------------------------------------------------------ enforcement
def test_read_only_token_cannot_write(world: World) -> None:
    user = world.users["mall_admin"]
    read_only, _ = client_with(user, read_only=True)
    assert read_only.get("/api/v1/sites/").status_code == 200
    body = assert_problem(read_only.post("/api/v1/sites/", {}, format="json"), 403)
    assert "read-only" in body["title"]
    assert_problem(read_only.post(TOKENS, {}, format="json"), 403)  # cannot mint tokens
    full, _ = client_with(user)
    assert full.post("/api/v1/sites/", {}, format="json").status_code == 400  # allowed: reaches
    # validation


def test_token_without_the_scope_is_refused(world: World) -> None:
    client, _ = client_with(world.users["mall_admin"], scopes=["read:sites"])
    assert client.get("/api/v1/sites/").status_code == 200
    body = assert_problem(client.get("/api/v1/organisations/"), 403)
    assert "read:orgs" in body["title"]
    assert_problem(client.post("/api/v1/sites/", {}, format="json"), 403)
    writer, _ = client_with(world.users["mall_admin"], scopes=["write:sites"])
    assert writer.get("/api/v1/sites/").status_code == 200
    assert writer.post("/api/v1/sites/", {}, format="json").status_code == 400


def test_a_token_never_exceeds_its_user(world: World) -> None:
    reader, _ = client_with(world.users["mall_reader"], scopes=["*"])
    assert_problem(reader.post("/api/v1/organisations/", {}, format="json"), 403)  # role
    admin, _ = client_with(world.users["platform_admin"], scopes=["*"])
    assert admin.post("/api/v1/organisations/", {}, format="json").status_code == 400
    mine = {s["id"] for s in reader.get("/api/v1/sites/").json()["results"]}
    session = Client()
    session.force_login(world.users["mall_reader"])
    assert mine == {s["id"] for s in session.get("/api/v1/sites/").json()["results"]}


def test_expired_and_revoked_tokens_are_401(world: World) -> None:
    client, token = client_with(world.users["mall_reader"])
    assert client.get("/api/v1/me/").status_code == 200
    services.revoke_token(token, actor=world.users["mall_reader"])
    assert_problem(client.get("/api/v1/me/"), 401)
    client, token = client_with(world.users["mall_reader"])
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert_problem(client.get("/api/v1/me/"), 401)


def test_issue_rules(world: World) -> None:
    user = world.users["mall_reader"]
    with pytest.raises(ValidationError):
        services.issue_token(user, actor=user, scopes=["root"])
    with pytest.raises(ValidationError):
        services.issue_token(user, actor=user, ttl_hours=10**6)
    with pytest.raises(PermissionDeniedError):
        services.issue_token(user, actor=world.users["mall_admin"])  # not for someone else
    parent, _ = services.issue_token(user, actor=user, scopes=["read:sites"], ttl_hours=2)
    with pytest.raises(PermissionDeniedError):
        services.issue_token(user, actor=user, scopes=["write:sites"], parent=parent)
    child, _ = services.issue_token(user, actor=user, scopes=["read:sites"], parent=parent)
    assert child.expires <= parent.expires


# ------------------------------------------------------------------ the token API
def test_token_api_lists_creates_and_revokes_own_tokens(world: World) -> None:
    user = world.users["mall_reader"]
    client, own = client_with(user)
    services.issue_token(world.users["mall_admin"], actor=world.users["mall_admin"])
    listed = client.get(TOKENS).json()
    assert [t["id"] for t in listed] == [own.pk]  # never another user's tokens
    assert "token" not in listed[0]
    created = client.post(
        TOKENS, {"name": "ci", "scopes": ["read:sites"], "read_only": True}, format="json"
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("pg_") and secret[:8] == created.json()["prefix"]
    assert secret not in str(client.get(TOKENS).json())  # shown once
    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert new.get("/api/v1/sites/").status_code == 200
    assert_problem(new.get("/api/v1/me/"), 403)  # read:account not granted
    assert client.delete(f"{TOKENS}{created.json()['id']}/").status_code == 204
    assert_problem(new.get("/api/v1/sites/"), 401)
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_token_api_refuses_others_tokens_and_bad_input(world: World) -> None:
    client, _ = client_with(world.users["mall_reader"])
    other, _ = services.issue_token(world.users["mall_admin"], actor=world.users["mall_admin"])
    assert_problem(client.delete(f"{TOKENS}{other.pk}/"), 404)
    assert ApiToken.objects.get(pk=other.pk).revoked is None
    body = assert_problem(client.post(TOKENS, {"scopes": ["read:sites"], "user": 1},
                                      format="json"), 422)  # fmt: skip
    assert [e["field"] for e in body["errors"]] == ["user"]
    assert_problem(client.post(TOKENS, {"scopes": ["nope"]}, format="json"), 400)


def test_scoped_token_cannot_mint_a_wider_token(world: World) -> None:
    client, _ = client_with(world.users["mall_reader"], scopes=["write:account", "read:sites"])
    assert_problem(client.post(TOKENS, {"scopes": ["*"]}, format="json"), 403)
    assert_problem(client.post(TOKENS, {"scopes": ["write:sites"]}, format="json"), 403)
    ok = client.post(TOKENS, {"scopes": ["read:sites"]}, format="json")
    assert ok.status_code == 201


MATRIX = [
    ("get", None, 401),
    ("get", "mall_reader", 200),
    ("get", "platform_admin", 200),
    ("post", None, 401),
    ("post", "mall_reader", 201),
    ("post", "police_n", 201),
]


@pytest.mark.parametrize(("method", "persona", "status"), MATRIX)
def test_token_list_matrix(world: World, method: str, persona: str | None, status: int) -> None:
    client = APIClient()
    if persona is not None:
        client, _ = client_with(world.users[persona])
    response = getattr(client, method)(TOKENS, {}, format="json")
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("persona", "status"), [(None, 401), ("mall_admin", 404), ("platform_admin", 404),
                            ("mall_reader", 204)]
)  # fmt: skip
def test_token_detail_matrix(world: World, persona: str | None, status: int) -> None:
    target, _ = services.issue_token(world.users["mall_reader"], actor=world.users["mall_reader"])
    client = APIClient()
    if persona is not None:
        client, _ = client_with(world.users[persona])
    response = client.delete(f"{TOKENS}{target.pk}/")
    assert response.status_code == status, response.content


def test_token_routes_are_in_the_matrix() -> None:
    assert {u for u in api_routes() if u.startswith(TOKENS)} == {TOKENS, f"{TOKENS}1/"}


# ------------------------------------------------------------------ the page
def test_token_page_creates_lists_and_revokes(world: World) -> None:
    user = world.users["mall_reader"]
    page = Client()
    page.force_login(user)
    created = page.post(
        "/organisation/security/tokens/",
        {"name": "laptop", "scopes": ["read:sites"], "ttl_days": "7"},
    )
    assert created.status_code == 201 and created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user)
    html = created.content.decode()
    secret = html.split('id="new-token"', 1)[1].split("<code>", 1)[1].split("</code>", 1)[0]
    assert secret.startswith(token.prefix)
    assert token.scopes == ["read:sites"] and not token.two_factor
    assert timedelta(days=6.9) < token.expires - timezone.now() <= timedelta(days=7)
    listing = page.get("/organisation/security/").content.decode()
    assert token.prefix in listing and secret not in listing
    outsider = Client()
    outsider.force_login(world.users["mall_admin"])
    assert outsider.post(f"/organisation/security/tokens/{token.pk}/revoke/").status_code == 404
    assert page.post(f"/organisation/security/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked is not None


def test_token_page_rejects_bad_input(world: World) -> None:
    page = Client()
    page.force_login(world.users["mall_reader"])
    response = page.post("/organisation/security/tokens/", {"scopes": ["root"], "ttl_days": "0"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
