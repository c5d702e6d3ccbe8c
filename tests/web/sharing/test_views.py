"""Sharing pages: list, detail with TLP banner, write, publish, withdraw, acknowledge, receipts,
groups; outsiders get 404 and the allowed case is always checked beside the denial."""

from __future__ import annotations

from typing import Any

from django.test import Client

from placeguard.web.sharing import services
from placeguard.web.sharing.models import Bulletin
from tests.conftest import PASSWORD, World
from tests.web.sharing.conftest import bulletin_raw


def _login(w: World, name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(orgs=[w.orgs["mall-co"].pk], **overrides)
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def test_list_and_detail_show_the_tlp_banner_and_sanitised_body(sworld: World) -> None:
    b = _published(sworld, body="**Alert** <script>alert(1)</script> [x](javascript:alert(1))")
    mall = _login(sworld, "mall_admin")
    listing = mall.get("/sharing/bulletins/").content.decode()
    assert b.title in listing and "TLP:AMBER" in listing
    page = mall.get(f"/sharing/bulletins/{b.pk}/").content.decode()
    assert "<strong>Alert</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert 'aria-label="Traffic Light Protocol: AMBER"' in page
    assert _login(sworld, "hotel_admin").get(f"/sharing/bulletins/{b.pk}/").status_code == 404


def test_write_publish_acknowledge_and_receipts_through_the_pages(sworld: World) -> None:
    police = _login(sworld, "police_n")
    form = {"title": "Drone sightings", "body": "Report drones.", "tlp": "amber",
            "orgs": [sworld.orgs["mall-co"].pk], "need_to_know": ""}  # fmt: skip
    response = police.post("/sharing/bulletins/new/", form)
    assert response.status_code == 302
    b = Bulletin.objects.get(title="Drone sightings")
    assert police.post(f"/sharing/bulletins/{b.pk}/publish/").status_code == 302
    b.refresh_from_db()
    assert b.status == "published"
    mall = _login(sworld, "mall_admin")
    assert mall.post(f"/sharing/bulletins/{b.pk}/acknowledge/").status_code == 302
    receipts = police.get(f"/sharing/bulletins/{b.pk}/receipts/")
    assert receipts.status_code == 200 and "mall_admin" in receipts.content.decode()
    assert mall.get(f"/sharing/bulletins/{b.pk}/receipts/").status_code == 403
    # Bad input: RED without named people is refused with the rule, nothing saved.
    bad = police.post("/sharing/bulletins/new/", {**form, "title": "Red", "tlp": "red"})
    assert bad.status_code == 422 and "I1" in bad.content.decode()
    assert not Bulletin.objects.filter(title="Red").exists()


def test_withdraw_leaves_a_stub_for_recipients(sworld: World) -> None:
    b = _published(sworld)
    police = _login(sworld, "police_n")
    police.post(f"/sharing/bulletins/{b.pk}/withdraw/", {"reason": "Threat passed."})
    page = _login(sworld, "mall_admin").get(f"/sharing/bulletins/{b.pk}/").content.decode()
    assert "Threat passed." in page and b.title not in page
    assert b.title in police.get(f"/sharing/bulletins/{b.pk}/").content.decode()


def test_group_pages(sworld: World) -> None:
    police = _login(sworld, "police_n")
    response = police.post("/sharing/groups/new/", {"name": "Stadiums", "active": "on"})
    assert response.status_code == 302
    north = sworld.groups["north"]  # type: ignore[attr-defined]
    assert "Hotel Co" in police.get(f"/sharing/groups/{north.pk}/").content.decode()
    assert _login(sworld, "hotel_admin").get(f"/sharing/groups/{north.pk}/").status_code == 200
    assert _login(sworld, "mall_admin").get(f"/sharing/groups/{north.pk}/").status_code == 404
    edit = police.post(f"/sharing/groups/{north.pk}/edit/", {
        "name": "North partners", "active": "on", "members": [sworld.orgs["mall-co"].pk],
    })  # fmt: skip
    assert edit.status_code == 302
    assert _login(sworld, "mall_admin").get(f"/sharing/groups/{north.pk}/").status_code == 200
