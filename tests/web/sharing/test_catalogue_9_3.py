"""Catalogue 9.3 (TLP and audience semantics) through the sharing API and pages.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry. The pure
policy has its own scenario tests (tests/core/sharing/test_scenarios.py); these check that the
web surfaces apply it.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from placeguard.web.sharing import lifecycle, queries, services
from placeguard.web.sharing.models import Bulletin, SharingGroupMember
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sharing.conftest import bulletin_raw

B = "/api/v1/bulletins"
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"orgs": [w.orgs["mall-co"].pk], "need_to_know": EVERYONE, **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _sees(w: World, persona: str, b: Bulletin) -> bool:
    response = token_client(w.users[persona]).get(f"{B}/{b.pk}/")
    assert response.status_code in {200, 404}, response.content
    return response.status_code == 200


def test_tlp_audience_invariant_I1(sworld: World) -> None:  # noqa: N802 - the catalogue's name
    """All 5 × 6 TLP × audience-form combinations through the API: 201 or 422 (I1)."""
    w = sworld
    forms: dict[str, dict[str, Any]] = {
        "public": {"audience_public": True},
        "community": {"audience_community": True},
        "groups": {"groups": [w.groups["north"].pk]},  # type: ignore[attr-defined]
        "orgs": {"orgs": [w.orgs["mall-co"].pk]},
        "users": {"users": [w.users["mall_admin"].pk]},
        "org_only": {},
    }
    allowed = {
        "clear": set(forms),
        "green": set(forms) - {"public"},
        "amber": {"groups", "orgs", "users", "org_only"},
        "amber+strict": {"groups", "orgs", "users", "org_only"},
        "red": {"users"},
    }
    client = token_client(w.users["police_n"])
    for tlp, ok in allowed.items():
        for form, fields in forms.items():
            raw = {"title": f"{tlp} {form}", "tlp": tlp, **fields}
            response = client.post(f"{B}/", raw, format="json")
            if form in ok:
                assert response.status_code == 201, (tlp, form, response.content)
            else:
                problem = assert_problem(response, 422)
                assert any(e["code"] == "I1" for e in problem["errors"]), (tlp, form)
    assert Bulletin.objects.count() == sum(len(v) for v in allowed.values()) == 20


def test_red_only_named_users(sworld: World) -> None:
    b = _published(sworld, tlp="red", orgs=[], need_to_know=None,
                   users=[sworld.users["mall_reader"].pk])  # fmt: skip
    assert _sees(sworld, "mall_reader", b) and _sees(sworld, "police_n", b)  # named, author
    # The author's colleague, the recipient's own org admin and the platform admin do not.
    for persona in ["police_n_reader", "mall_admin", "platform_admin", "hotel_admin"]:
        assert not _sees(sworld, persona, b), persona


def test_amber_strict_no_client_forwarding(sworld: World) -> None:
    strict = _published(sworld, tlp="amber+strict", title="Strict")
    amber = _published(sworld, title="Amber")
    # Reach: Guard Co (Mall Co's registered provider) reads AMBER, not AMBER+STRICT.
    assert _sees(sworld, "guard_reader", amber) and not _sees(sworld, "guard_reader", strict)
    services.link_provider(provider=sworld.orgs["mall-co"], client=sworld.orgs["hotel-co"],
                           actor=None)  # fmt: skip
    body = {"orgs": [sworld.orgs["hotel-co"].pk]}
    mall = token_client(sworld.users["mall_admin"])
    problem = assert_problem(mall.post(f"{B}/{strict.pk}/forward/", body, format="json"), 403)
    assert "R9" in problem["title"] + problem.get("detail", "")
    assert mall.post(f"{B}/{amber.pk}/forward/", body, format="json").status_code == 200


def test_amber_forward_only_to_clientlinks(sworld: World) -> None:
    """The SecureCo case (Guard Co, a registered provider) yes; Hotel Y (no link) no."""
    services.link_provider(provider=sworld.orgs["guard-co"], client=sworld.orgs["hotel-co"],
                           actor=None)  # fmt: skip
    b = _published(sworld)
    guard = token_client(sworld.users["guard_pub"])
    to_faith = {"orgs": [sworld.orgs["faith-council"].pk]}
    problem = assert_problem(guard.post(f"{B}/{b.pk}/forward/", to_faith, format="json"), 422)
    assert [e["code"] for e in problem["errors"]] == ["R9"]
    assert not _sees(sworld, "hotel_admin", b)
    to_hotel = {"orgs": [sworld.orgs["hotel-co"].pk]}
    assert guard.post(f"{B}/{b.pk}/forward/", to_hotel, format="json").status_code == 200
    assert _sees(sworld, "hotel_admin", b)


def test_green_never_public(sworld: World) -> None:
    client = token_client(sworld.users["police_n"])
    bad = {"title": "Green public", "tlp": "green", "audience_public": True}
    assert_problem(client.post(f"{B}/", bad, format="json"), 422)
    green = _published(sworld, tlp="green")
    assert green.status == "published"
    for url in [f"{B}/", f"{B}/{green.pk}/", f"{B}/export/", f"{B}/counts/"]:
        assert_problem(token_client(None).get(url), 401)
    assert Client().get(f"/sharing/bulletins/{green.pk}/").status_code == 302  # to the login
    assert not queries.bulletins_visible_to(None).filter(pk=green.pk).exists()


def test_need_to_know_teams_within_org(sworld: World) -> None:
    """R8: AMBER from police to an operator defaults to analysts, publishers and admins."""
    b = _published(sworld, need_to_know=None)
    assert _sees(sworld, "mall_admin", b)
    assert not _sees(sworld, "mall_reader", b)
    listed = _published(sworld, title="Everyone", need_to_know=["READER"])
    assert _sees(sworld, "mall_reader", listed)


def test_le_only_caveat_overrides_group_membership(sworld: World) -> None:
    """R6: Mall Co joins the group after an LE-only bulletin went to it; still hidden."""
    police = sworld.users["police_n"]
    group = services.create_group({"name": "Forces"}, actor=police)
    services.set_group_members(group, {sworld.orgs["police-south"].pk: False}, actor=police)
    b = _published(sworld, tlp="amber", orgs=[], groups=[group.pk], le_only=True,
                   need_to_know=None)  # fmt: skip
    assert _sees(sworld, "police_s", b)  # a police member of the group reads it
    SharingGroupMember.objects.create(group=group, organisation=sworld.orgs["mall-co"])
    assert not _sees(sworld, "mall_admin", b)
    # Writing it to a group with a non-police member is refused (I2).
    client = token_client(police)
    raw = {"title": "LE to group", "tlp": "amber", "groups": [group.pk], "le_only": True}
    problem = assert_problem(client.post(f"{B}/", raw, format="json"), 422)
    assert any(e["code"] == "I2" for e in problem["errors"])


def test_platform_admin_no_content_access(sworld: World) -> None:
    b = _published(sworld)
    assert not _sees(sworld, "platform_admin", b)
    response = token_client(sworld.users["platform_admin"]).get(f"{B}/counts/")
    assert response.json()["total"] == 0
    assert _sees(sworld, "mall_admin", b)
    page = Client()
    page.force_login(sworld.users["platform_admin"])
    assert page.get(f"/sharing/bulletins/{b.pk}/").status_code == 404


def test_draft_private_by_default(sworld: World) -> None:
    police = sworld.users["police_n"]
    draft = services.create_bulletin(
        bulletin_raw(orgs=[sworld.orgs["mall-co"].pk], need_to_know=EVERYONE), actor=police
    )
    assert _sees(sworld, "police_n", draft)
    for persona in ["police_n_reader", "mall_admin", "mall_reader", "guard_reader"]:
        assert not _sees(sworld, persona, draft), persona
    services.publish_bulletin(draft, actor=police)
    assert _sees(sworld, "mall_reader", draft)


def test_withdrawn_item_stub_only(sworld: World) -> None:
    b = _published(sworld, title="Secret plan", body="Body text")
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    services.withdraw_bulletin(b, reason="Threat passed.", actor=sworld.users["police_n"])
    mall = token_client(sworld.users["mall_admin"])
    stub = mall.get(f"{B}/{b.pk}/").json()
    assert stub["is_stub"] and "title" not in stub and "body" not in stub
    assert stub["withdrawal_reason"] == "Threat passed."
    listing = mall.get(f"{B}/?q=Secret").json()
    assert listing["count"] == 0  # search never matches a stub
    export = _streamed(mall.get(f"{B}/export/"))
    assert "Secret plan" not in export and "Threat passed." in export
    assert_problem(mall.post(f"{B}/{b.pk}/acknowledge/"), 404)
    # The originator still reads the content.
    assert (
        token_client(sworld.users["police_n"]).get(f"{B}/{b.pk}/").json()["title"] == "Secret plan"
    )


def test_purged_item_gone_everywhere(sworld: World) -> None:
    """There is no purge service yet; a PURGED row (R2) is invisible to everyone, its author
    included, on every bulletin surface (detail, list, search, counts, export, receipts)."""
    b = _published(sworld, title="Purged plan")
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    for persona in ["police_n", "mall_admin"]:
        assert _sees(sworld, persona, b)
    Bulletin.objects.filter(pk=b.pk).update(status="purged")
    for persona in ["police_n", "mall_admin"]:
        client = token_client(sworld.users[persona])
        assert_problem(client.get(f"{B}/{b.pk}/"), 404)
        assert_problem(client.get(f"{B}/{b.pk}/receipts/"), 404)
        assert client.get(f"{B}/").json()["count"] == 0
        assert client.get(f"{B}/counts/").json()["total"] == 0
        assert "Purged plan" not in _streamed(client.get(f"{B}/export/"))
        assert not queries.acks_visible_to(sworld.users[persona]).exists()
    assert lifecycle.expire_due() == 0  # housekeeping never resurrects it
