"""Organisation pages: who sees what, and member management through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs.models import User
from tests.conftest import PASSWORD, World


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


NEW_USER = {
    "username": "new.guard",
    "first_name": "Nia",
    "last_name": "Guard",
    "email": "nia@example.org",
    "roles": ["READER", "REPORTER"],
    "password": "a long enough passphrase 42",
    "password2": "a long enough passphrase 42",
}


def test_login_required(db: None) -> None:
    for url in ("/organisation/", "/organisation/users/new/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_every_member_sees_their_own_organisation(world: World) -> None:
    response = client_for(world, "mall_reader").get("/organisation/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mall Co" in content
    assert "Site operator" in content
    assert [m.username for m in response.context["members"]] == ["mall_reader"]
    assert "New user" not in content


def test_org_admin_sees_members_with_roles(world: World) -> None:
    response = client_for(world, "mall_admin").get("/organisation/")
    members = [m.username for m in response.context["members"]]
    assert members == ["mall_admin", "mall_reader"]  # not other organisations' users
    content = response.content.decode()
    assert "Organisation admin" in content
    assert "New user" in content


def test_police_page_lists_jurisdiction(world: World) -> None:
    content = client_for(world, "police_n").get("/organisation/").content.decode()
    assert "North-A, North-B" in content


@pytest.mark.parametrize("url", ["/organisation/users/new/", "/organisation/edit/"])
def test_non_admins_get_403_for_management(world: World, url: str) -> None:
    response = client_for(world, "mall_reader").get(url)
    assert response.status_code == 403
    assert b"Not allowed" in response.content


def test_org_admin_creates_a_user(world: World) -> None:
    client = client_for(world, "mall_admin")
    form = client.get("/organisation/users/new/").context["form"]
    offered = [value for value, _label in form.fields["roles"].choices]
    assert "PLATFORM_ADMIN" not in offered
    response = client.post("/organisation/users/new/", NEW_USER)
    assert response.status_code == 302
    user = User.objects.get(username="new.guard")
    assert user.organisation == world.orgs["mall-co"]
    assert user.role_set == {"READER", "REPORTER"}
    assert user.check_password(NEW_USER["password"])
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_create_user_shows_service_errors_on_fields(world: World) -> None:
    client = client_for(world, "mall_admin")
    weak = {**NEW_USER, "username": "mall_reader", "password": "short", "password2": "short"}
    response = client.post("/organisation/users/new/", weak)
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["this username is taken"]
    response = client.post("/organisation/users/new/", {**weak, "username": "fresh"})
    assert "password" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    mismatch = {**NEW_USER, "password2": "something else entirely"}
    response = client.post("/organisation/users/new/", mismatch)
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username__in=["fresh", "new.guard"]).exists()


def test_platform_admin_role_cannot_be_granted_by_posting_it(world: World) -> None:
    client = client_for(world, "mall_admin")
    response = client.post("/organisation/users/new/", {**NEW_USER, "roles": ["PLATFORM_ADMIN"]})
    assert response.status_code == 200
    assert response.context["form"].errors["roles"]


def test_org_admin_edits_roles_and_active_flag(world: World) -> None:
    reader = world.users["mall_reader"]
    client = client_for(world, "mall_admin")
    form = client.get(f"/organisation/users/{reader.pk}/edit/").context["form"]
    assert form.initial["roles"] == ["READER"]
    data = {"first_name": "Rae", "last_name": "", "email": "", "roles": ["READER", "ANALYST"]}
    response = client.post(f"/organisation/users/{reader.pk}/edit/", data)  # is_active unticked
    assert response.status_code == 302
    reader = User.objects.get(pk=reader.pk)
    assert reader.role_set == {"READER", "ANALYST"}
    assert not reader.is_active
    assert reader.first_name == "Rae"
    assert Client().login(username="mall_reader", password=PASSWORD) is False


def test_org_admin_cannot_demote_or_deactivate_themselves(world: World) -> None:
    admin = world.users["mall_admin"]
    client = client_for(world, "mall_admin")
    url = f"/organisation/users/{admin.pk}/edit/"
    response = client.post(url, {"roles": ["ANALYST"], "is_active": "on"})
    assert response.status_code == 200
    assert "organisation-admin" in response.context["form"].errors["roles"][0]
    response = client.post(url, {"roles": ["ANALYST", "ORG_ADMIN"]})
    assert response.context["form"].errors["is_active"]
    admin = User.objects.get(pk=admin.pk)
    assert admin.is_active
    assert admin.role_set == {"ANALYST", "ORG_ADMIN"}


def test_admin_of_another_org_gets_404_for_a_member(world: World) -> None:
    reader = world.users["mall_reader"]
    response = client_for(world, "hotel_admin").get(f"/organisation/users/{reader.pk}/edit/")
    assert response.status_code == 404


def test_org_admin_edits_contact_details(world: World) -> None:
    client = client_for(world, "mall_admin")
    response = client.post(
        "/organisation/edit/",
        {"name": "Mall Company", "contact_email": "security@mall.example", "description": ""},
    )
    assert response.status_code == 302
    org = world.orgs["mall-co"]
    org.refresh_from_db()
    assert (org.name, org.contact_email) == ("Mall Company", "security@mall.example")
