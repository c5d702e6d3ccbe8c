"""Token login, organisations, users, regions: permissions and problem+json."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs.models import ApiToken, User
from tests.conftest import PASSWORD, World
from tests.web.helpers import assert_problem, token_client


# ------------------------------------------------------------------ tokens
def test_token_login_returns_a_working_token(world: World) -> None:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "police_n", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201, response.content
    secret = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").json()["username"] == "police_n"
    stored = ApiToken.objects.get(user=world.users["police_n"])
    assert secret not in {stored.digest, stored.prefix}  # only a digest is stored


def test_wrong_password_is_401_problem(world: World) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "police_n", "password": "nope"}, format="json"
    )
    assert_problem(response, 401, "invalid_credentials")


def test_missing_fields_are_field_errors(world: World) -> None:
    body = assert_problem(APIClient().post("/api/v1/auth/token/", {}, format="json"), 400)
    assert {e["field"] for e in body["errors"]} == {"username", "password"}


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token pg_not-a-real-token", "Token \u00e9"]
)
def test_bad_token_headers_are_401(world: World, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_problem(client.get("/api/v1/sites/"), 401)


def test_expired_token_is_dead(world: World) -> None:
    client = token_client(world.users["police_n"])
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert_problem(client.get("/api/v1/sites/"), 401)


def test_deactivated_user_token_is_dead(world: World) -> None:
    client = token_client(world.users["police_n"])
    User.objects.filter(username="police_n").update(is_active=False)
    assert_problem(client.get("/api/v1/sites/"), 401)


def test_deactivated_org_token_is_dead(world: World) -> None:
    client = token_client(world.users["police_n"])
    world.orgs["police-north"].__class__.objects.filter(slug="police-north").update(active=False)
    assert_problem(client.get("/api/v1/sites/"), 401)


def test_logout_revokes_the_token(world: World) -> None:
    client = token_client(world.users["police_n"])
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert_problem(client.get("/api/v1/sites/"), 401)


# ------------------------------------------------------------------ organisations
def test_directory_needs_authentication(world: World) -> None:
    assert_problem(APIClient().get("/api/v1/organisations/"), 401)


def test_directory_lists_active_organisations(world: World) -> None:
    slugs = {
        o["slug"]
        for o in token_client(world.users["mall_reader"])
        .get("/api/v1/organisations/")
        .json()["results"]
    }
    assert {"police-north", "mall-co", "hotel-co"} <= slugs


@pytest.mark.parametrize(
    ("persona", "status"),
    [(None, 401), ("mall_admin", 403), ("police_n", 403), ("platform_admin", 201)],
)
def test_only_platform_admins_create_organisations(
    world: World, persona: str | None, status: int
) -> None:
    client = token_client(world.users[persona] if persona else None)
    body = {
        "slug": "new-org",
        "name": "New Org",
        "kind": "OPERATOR",
        "country_code": "XM",
        "regions": ["north-a"],
    }
    response = client.post("/api/v1/organisations/", body, format="json")
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["regions"] == ["north-a"]
        assert AuditEvent.objects.filter(
            action="organisation.create", object_repr="New Org"
        ).exists()


def test_org_admin_edits_own_contact_but_not_vetting(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    url = f"/api/v1/organisations/{world.orgs['mall-co'].pk}/"
    assert client.patch(url, {"description": "Malls"}, format="json").status_code == 200
    assert_problem(client.patch(url, {"vetted": False}, format="json"), 403)
    assert_problem(
        client.patch(
            f"/api/v1/organisations/{world.orgs['hotel-co'].pk}/",
            {"description": "x"},
            format="json",
        ),
        403,
    )


def test_duplicate_slug_is_a_field_error(world: World) -> None:
    client = token_client(world.users["platform_admin"])
    body = {"slug": "mall-co", "name": "Again", "kind": "OPERATOR", "country_code": "XM"}
    problem = assert_problem(client.post("/api/v1/organisations/", body, format="json"), 400)
    assert problem["errors"][0]["field"] == "slug"


# ------------------------------------------------------------------ users
def test_org_admin_lists_only_own_users(world: World) -> None:
    rows = token_client(world.users["mall_admin"]).get("/api/v1/users/").json()["results"]
    assert {r["username"] for r in rows} == {"mall_admin", "mall_reader"}


def test_plain_user_sees_only_self(world: World) -> None:
    rows = token_client(world.users["mall_reader"]).get("/api/v1/users/").json()["results"]
    assert [r["username"] for r in rows] == ["mall_reader"]


def test_other_org_user_is_404(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    assert_problem(client.get(f"/api/v1/users/{world.users['hotel_admin'].pk}/"), 404)
    assert_problem(
        client.patch(
            f"/api/v1/users/{world.users['hotel_admin'].pk}/", {"is_active": False}, format="json"
        ),
        404,
    )


@pytest.mark.parametrize(
    ("persona", "status"), [(None, 401), ("mall_reader", 403), ("mall_admin", 201)]
)
def test_user_creation_matrix(world: World, persona: str | None, status: int) -> None:
    client = token_client(world.users[persona] if persona else None)
    body = {
        "username": "mall.guard2",
        "roles": ["READER", "REPORTER"],
        "password": "a long enough passphrase 42",
    }
    response = client.post("/api/v1/users/", body, format="json")
    assert response.status_code == status, response.content
    if status == 201:
        created = response.json()
        assert created["organisation"] == "mall-co"
        assert created["roles"] == ["READER", "REPORTER"]


def test_org_admin_cannot_grant_platform_admin_or_place_users_elsewhere(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    body = {"username": "sneaky", "roles": ["PLATFORM_ADMIN"], "organisation": "hotel-co"}
    problem = assert_problem(client.post("/api/v1/users/", body, format="json"), 400)
    assert problem["errors"][0]["field"] == "roles"
    body = {"username": "sneaky", "roles": ["READER"], "organisation": "hotel-co"}
    assert client.post("/api/v1/users/", body, format="json").json()["organisation"] == "mall-co"


def test_weak_password_is_rejected(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    problem = assert_problem(
        client.post(
            "/api/v1/users/",
            {"username": "x1", "roles": ["READER"], "password": "123"},
            format="json",
        ),
        400,
    )
    assert problem["errors"][0]["field"] == "password"


def test_deactivating_a_user_kills_their_tokens(world: World) -> None:
    reader_client = token_client(world.users["mall_reader"])
    admin = token_client(world.users["mall_admin"])
    response = admin.patch(
        f"/api/v1/users/{world.users['mall_reader'].pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200, response.content
    assert_problem(reader_client.get("/api/v1/sites/"), 401)


def test_admin_cannot_demote_self(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    response = client.patch(
        f"/api/v1/users/{world.users['mall_admin'].pk}/", {"roles": ["READER"]}, format="json"
    )
    assert_problem(response, 409, "self_demotion")


def test_reader_cannot_change_own_roles(world: World) -> None:
    client = token_client(world.users["mall_reader"])
    response = client.patch(
        f"/api/v1/users/{world.users['mall_reader'].pk}/", {"roles": ["ORG_ADMIN"]}, format="json"
    )
    assert_problem(response, 403)


# ------------------------------------------------------------------ misc
def test_regions_list(world: World) -> None:
    rows = token_client(world.users["mall_reader"]).get("/api/v1/regions/").json()
    assert [r["code"] for r in rows] == ["north-a", "north-b", "south-a"]


def test_unknown_api_url_is_problem_json(world: World) -> None:
    assert_problem(token_client(world.users["mall_reader"]).get("/api/v1/nowhere/"), 404)
    assert_problem(APIClient().get("/api/v2/"), 404)


def test_login_attempts_are_throttled(world: World) -> None:
    """Five failures lock the username (the account lockout, see test_security_throttle);
    the request-rate throttle (10/min per address) still applies on top."""
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/", {"username": "police_n", "password": "guess"}, format="json"
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401, 401, 401, 401, 429, 429]
    body = assert_problem(
        client.post(
            "/api/v1/auth/token/", {"username": "police_n", "password": PASSWORD}, format="json"
        ),
        429,
        "login_locked",
    )
    assert "minute" in body["title"]
    other = [
        client.post(
            "/api/v1/auth/token/", {"username": "mall_admin", "password": "guess"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert other[:3] == [401, 401, 401]  # another username is not locked by police_n's
    assert_problem(
        client.post(
            "/api/v1/auth/token/", {"username": "mall_admin", "password": PASSWORD}, format="json"
        ),
        429,
        "throttled",  # eleventh request within the minute: the rate throttle
    )
