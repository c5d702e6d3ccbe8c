"""Catalogue 9.4 (sharing groups) through the sharing API and pages.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry. Groups
are addressed by id only (there are no UUID routes).
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from placeguard.web.audit.models import AuditEvent
from placeguard.web.orgs import services as orgs
from placeguard.web.sharing import queries, services
from placeguard.web.sharing.models import Bulletin, SharingGroup
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sharing.conftest import bulletin_raw

B = "/api/v1/bulletins"
G = "/api/v1/sharing-groups"
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]
XSS = '<script>alert("sg")</script><img src=x onerror=alert(1)>'


def _north(w: World) -> SharingGroup:
    group: SharingGroup = w.groups["north"]  # type: ignore[attr-defined]
    return group


def _to_group(w: World, group: SharingGroup, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"groups": [group.pk], "need_to_know": EVERYONE, **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _page(w: World, name: str) -> Client:
    client = Client()
    client.force_login(w.users[name])
    return client


def test_sg_index_and_view_hidden_from_non_members(sworld: World) -> None:
    north = _north(sworld)
    mall = token_client(sworld.users["mall_admin"])  # Mall Co: only in the inactive group
    ids = {row["id"] for row in mall.get(f"{G}/").json()["results"]}
    assert north.pk not in ids
    assert_problem(mall.get(f"{G}/{north.pk}/"), 404)
    page = _page(sworld, "mall_admin")
    assert page.get(f"/sharing/groups/{north.pk}/").status_code == 404
    assert "North partners" not in page.get("/sharing/groups/").content.decode()
    # Allowed: a member.
    hotel = token_client(sworld.users["hotel_admin"])
    assert north.pk in {row["id"] for row in hotel.get(f"{G}/").json()["results"]}
    assert "North partners" in _page(sworld, "hotel_admin").get("/sharing/groups/").content.decode()


def test_sg_non_extender_cannot_edit_add_remove_delete(sworld: World) -> None:
    north = _north(sworld)
    hotel = token_client(sworld.users["hotel_admin"])  # member, not extender
    assert_problem(hotel.patch(f"{G}/{north.pk}/", {"name": "Mine"}, format="json"), 403)
    members = {"members": [{"organisation": sworld.orgs["mall-co"].pk, "extender": False}]}
    assert_problem(hotel.post(f"{G}/{north.pk}/members/", members, format="json"), 403)
    assert_problem(hotel.delete(f"{G}/{north.pk}/"), 405)
    north.refresh_from_db()
    assert north.name == "North partners"
    assert not north.memberships.filter(organisation=sworld.orgs["mall-co"]).exists()


def test_sg_extender_can_edit_not_delete(sworld: World) -> None:
    north = _north(sworld)
    police_s = token_client(sworld.users["police_s"])  # an extender
    assert police_s.patch(f"{G}/{north.pk}/", {"description": "Edited"}, format="json").status_code \
        == 200  # fmt: skip
    members = {"members": [
        {"organisation": sworld.orgs["police-south"].pk, "extender": True},
        {"organisation": sworld.orgs["hotel-co"].pk, "extender": False},
        {"organisation": sworld.orgs["mall-co"].pk, "extender": True},  # cannot hand this out
    ]}  # fmt: skip
    assert police_s.post(f"{G}/{north.pk}/members/", members, format="json").status_code == 200
    row = north.memberships.get(organisation=sworld.orgs["mall-co"])
    assert row.extender is False
    assert_problem(police_s.delete(f"{G}/{north.pk}/"), 405)  # no deletion: deactivate instead
    assert SharingGroup.objects.filter(pk=north.pk).exists()


def test_sg_membership_removal_revokes_read_immediately(sworld: World) -> None:
    north = _north(sworld)
    b = _to_group(sworld, north, title="Group news")
    hotel = token_client(sworld.users["hotel_admin"])
    assert hotel.get(f"{B}/{b.pk}/").status_code == 200
    assert hotel.get(f"{B}/?q=Group").json()["count"] == 1
    services.set_group_members(north, {sworld.orgs["police-south"].pk: True},
                               actor=sworld.users["police_n"])  # fmt: skip
    assert_problem(hotel.get(f"{B}/{b.pk}/"), 404)
    assert hotel.get(f"{B}/?q=Group").json()["count"] == 0
    assert hotel.get(f"{B}/counts/").json()["total"] == 0
    assert (
        "Group news" not in _page(sworld, "hotel_admin").get("/sharing/bulletins/").content.decode()
    )
    assert token_client(sworld.users["police_s"]).get(f"{B}/{b.pk}/").status_code == 200


def test_sg_reference_by_foreign_or_stale_id_rejected(sworld: World) -> None:
    mall = token_client(sworld.users["mall_admin"])
    north, dormant = _north(sworld), sworld.groups["dormant"]  # type: ignore[attr-defined]
    for group_id in [north.pk, dormant.pk, 987654]:  # not a member, inactive, unknown
        raw = {"title": "To a group", "tlp": "amber", "groups": [group_id]}
        problem = assert_problem(mall.post(f"{B}/", raw, format="json"), 422)
        assert [e["code"] for e in problem["errors"]] == ["I6"], group_id
    assert not Bulletin.objects.filter(title="To a group").exists()
    police = token_client(sworld.users["police_n"])  # allowed: the owner addresses its group
    raw = {"title": "To a group", "tlp": "amber", "groups": [north.pk]}
    assert police.post(f"{B}/", raw, format="json").status_code == 201


def test_sg_all_members_flag_scoped_to_instance(sworld: World) -> None:
    """The only "everyone" audience is the instance community: vetted organisations only."""
    police = sworld.users["police_n"]
    raw = bulletin_raw(tlp="green", audience_community=True)
    b = services.create_bulletin(raw, actor=police)
    services.publish_bulletin(b, actor=police)  # a broadcast: first publisher asks …
    second = orgs.create_user(actor=None, username="police_n_pub2", roles=["PUBLISHER"],
                              organisation=sworld.orgs["police-north"], password="x" * 20,
                              validate=False)  # fmt: skip
    services.publish_bulletin(b, actor=second)  # … a second one publishes
    assert queries.bulletins_visible_to(sworld.users["faith_reader"]).filter(pk=b.pk).exists()
    assert not queries.bulletins_visible_to(sworld.users["rogue_police"]).filter(pk=b.pk).exists()
    assert not queries.bulletins_visible_to(None).filter(pk=b.pk).exists()


def test_sg_hidden_members_setting(sworld: World) -> None:
    north = _north(sworld)
    services.update_group(north, {"hide_members": True}, actor=sworld.users["police_n"])
    hotel = token_client(sworld.users["hotel_admin"])
    assert hotel.get(f"{G}/{north.pk}/").json()["members"] is None
    hotel_page = _page(sworld, "hotel_admin").get(f"/sharing/groups/{north.pk}/").content.decode()
    assert "Police South" not in hotel_page and "member list is hidden" in hotel_page
    extender = token_client(sworld.users["police_s"]).get(f"{G}/{north.pk}/").json()
    assert {m["organisation"] for m in extender["members"]} >= {sworld.orgs["hotel-co"].pk}


def test_blueprint_recompute_adds_and_removes_orgs(sworld: World) -> None:
    police = sworld.users["police_n"]
    group = services.create_group({"name": "Operators", "rule_org_kinds": ["OPERATOR"]},
                                  actor=police)  # fmt: skip
    by_rule = set(group.memberships.filter(via_rule=True).values_list("organisation__slug",
                                                                     flat=True))  # fmt: skip
    assert by_rule == {"mall-co", "hotel-co"}
    services.update_group(group, {"rule_org_kinds": ["COMMUNITY"]}, actor=police)
    by_rule = set(group.memberships.filter(via_rule=True).values_list("organisation__slug",
                                                                     flat=True))  # fmt: skip
    assert by_rule == {"faith-council"}


def test_blueprint_change_is_audited(sworld: World) -> None:
    police = sworld.users["police_n"]
    group = services.create_group({"name": "Operators", "rule_org_kinds": ["OPERATOR"]},
                                  actor=police)  # fmt: skip
    services.update_group(group, {"rule_org_kinds": ["COMMUNITY"]}, actor=police)
    event = AuditEvent.objects.filter(action="sharing_group.update", object_id=str(group.pk)).get()
    assert event.diff["rule_org_kinds"] == [["OPERATOR"], ["COMMUNITY"]]
    assert "members" in event.diff


def test_sg_name_and_org_name_xss_escaped_in_all_widgets(sworld: World) -> None:
    police = sworld.users["police_n"]
    evil_org = orgs.create_organisation(actor=None, regions=[], slug="evil", name=XSS,
                                        kind="OPERATOR", country_code="XM", vetted=True)  # fmt: skip
    group = services.create_group({"name": XSS, "description": XSS}, actor=police)
    services.set_group_members(group, {evil_org.pk: False}, actor=police)
    page = _page(sworld, "police_n")
    for url in ["/sharing/groups/", f"/sharing/groups/{group.pk}/", "/sharing/bulletins/new/",
                f"/sharing/groups/{group.pk}/edit/"]:  # fmt: skip
        response = page.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url
        assert "script-src" in response["Content-Security-Policy"]
