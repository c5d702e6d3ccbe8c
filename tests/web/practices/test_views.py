"""Practice pages: the library with its search form, a practice, the write form, publish,
withdraw and curate; typed text is escaped and outsiders get 404 beside the allowed case."""

from __future__ import annotations

from django.test import Client

from placeguard.web.practices import services
from placeguard.web.practices.models import Practice
from tests.conftest import PASSWORD, World
from tests.web.practices.conftest import practice_raw


def _login(name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def test_list_and_detail_escape_typed_text(pworld: World) -> None:
    police = pworld.users["police_n"]
    p = services.create_practice(
        practice_raw(title="<script>alert(1)</script>", orgs=[pworld.orgs["mall-co"].pk],
                     body="**Bold** <script>bad()</script>"), actor=police)  # fmt: skip
    services.publish_practice(p, actor=police)
    mall = _login("mall_admin")
    listing = mall.get("/practices/", {"site_type": "retail"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "<script>alert(1)" not in listing
    assert 'href="/practices/" aria-current="page"' in listing  # the nav link
    assert 'name="q"' in listing and '<label for="practice-q">' in listing
    assert "Queue protection (1)" in listing or "(1)</option>" in listing
    page = mall.get(f"/practices/{p.pk}/").content.decode()
    assert "<strong>Bold</strong>" in page and "<script>bad()" not in page
    assert "<script>alert(1)" not in page and "Vehicle as a weapon" in page
    assert _login("hotel_admin").get(f"/practices/{p.pk}/").status_code == 404
    assert _login("hotel_admin").get("/practices/").status_code == 200


def test_write_publish_curate_and_withdraw_through_the_pages(pworld: World) -> None:
    police = _login("police_n")
    form = {"title": "Drone drill", "kind": "lesson", "body": "Text", "tlp": "amber",
            "site_types": ["venue"], "scenarios": ["uas"], "measures": ["UAS_PROCEDURE"],
            "orgs": [pworld.orgs["programme"].pk], "need_to_know": "", "source": ""}  # fmt: skip
    assert police.get("/practices/new/").status_code == 200
    assert police.post("/practices/new/", form).status_code == 302
    p = Practice.objects.get(title="Drone drill")
    assert (p.kind, p.scenarios) == ("lesson", ["uas"])
    assert police.post(f"/practices/{p.pk}/publish/").status_code == 302
    p.refresh_from_db()
    assert p.status == "published"
    assert (
        _login("programme").post(f"/practices/{p.pk}/curate/", {"curated": "1"}).status_code == 403
    )
    prog = _login("prog_pub")
    assert "Mark as curated" in prog.get(f"/practices/{p.pk}/").content.decode()
    assert prog.post(f"/practices/{p.pk}/curate/", {"curated": "1"}).status_code == 302
    p.refresh_from_db()
    assert p.curated
    edit = police.get(f"/practices/{p.pk}/edit/")
    assert edit.status_code == 200
    assert _login("mall_admin").get(f"/practices/{p.pk}/edit/").status_code == 404
    bad = police.post("/practices/new/", {**form, "title": "Red", "tlp": "red"})
    assert bad.status_code == 422 and "I1" in bad.content.decode()
    assert _login("mall_reader").get("/practices/new/").status_code == 403
    assert police.post(f"/practices/{p.pk}/withdraw/", {"reason": "Old."}).status_code == 302
    p.refresh_from_db()
    assert p.status == "withdrawn"
