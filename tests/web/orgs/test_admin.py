"""Django admin: platform admins only; changes go through services and are audited."""

from __future__ import annotations

from django.test import Client

from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.services import verify_chain
from placeguard.web.orgs.models import Organisation, User
from tests.conftest import PASSWORD, World


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_platform_admin_reaches_the_admin_and_others_do_not(world: World) -> None:
    assert login("platform_admin").get("/admin/").status_code == 200
    for persona in ["mall_admin", "police_n"]:
        assert login(persona).get("/admin/").status_code == 302  # to the admin login
    assert Client().get("/admin/orgs/organisation/").status_code == 302


def test_staff_flag_alone_is_not_enough(world: World) -> None:
    User.objects.filter(username="mall_admin").update(is_staff=True)
    response = login("mall_admin").get("/admin/orgs/organisation/")
    assert response.status_code in {302, 403}


def test_admin_creates_and_vets_an_organisation_through_the_service(world: World) -> None:
    client = login("platform_admin")
    response = client.post(
        "/admin/orgs/organisation/add/",
        {"slug": "new-force", "name": "New Force", "kind": "LAW_ENFORCEMENT", "country_code": "XM",
         "regions": [world.regions["south-a"].pk], "vetted": "on", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="new-force")
    assert [r.code for r in org.regions.all()] == ["south-a"]
    event = AuditEvent.objects.get(action="organisation.create", object_id=str(org.pk))
    assert event.actor_label == "platform_admin"
    assert event.diff["regions"] == [None, ["south-a"]]
    assert verify_chain().ok


def test_admin_creates_a_user_with_roles(world: World) -> None:
    client = login("platform_admin")
    response = client.post(
        "/admin/orgs/user/add/",
        {"username": "new.analyst", "organisation": world.orgs["ministry"].pk, "roles": ["ANALYST"],
         "password": "a long and unusual passphrase", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new.analyst")
    assert user.role_set == {"ANALYST"}
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_duplicate_username_in_other_case_is_a_form_error(world: World) -> None:
    response = login("platform_admin").post(
        "/admin/orgs/user/add/",
        {"username": "MALL_ADMIN", "organisation": world.orgs["mall-co"].pk, "roles": ["READER"]},
    )
    assert response.status_code == 200
    assert "username is taken" in response.content.decode()


def test_sites_are_not_in_the_admin(world: World) -> None:
    assert login("platform_admin").get("/admin/sites/site/").status_code == 404


def test_audit_admin_hides_other_organisations_site_events(world: World) -> None:
    page = login("platform_admin").get("/admin/audit/auditevent/?q=North+Mall").content.decode()
    assert "0 results" in page
    assert AuditEvent.objects.filter(object_repr="North Mall").exists()  # it exists, just hidden
    users_page = (
        login("platform_admin").get("/admin/audit/auditevent/?q=mall_reader").content.decode()
    )
    assert "1 result" in users_page
