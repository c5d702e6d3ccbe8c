"""Catalogue 9.7 (write integrity: mass assignment, spoofing) for the sharing API.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry.
"""

from __future__ import annotations

from typing import Any

from placeguard.web.orgs import services as orgs
from placeguard.web.sharing import services
from placeguard.web.sharing.models import Acknowledgement, Bulletin, SharingGroup
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sharing.conftest import bulletin_raw

B = "/api/v1/bulletins"
G = "/api/v1/sharing-groups"
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"orgs": [w.orgs["mall-co"].pk], "need_to_know": EVERYONE, **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def test_nested_child_ids_scoped_to_parent(sworld: World) -> None:
    """Acknowledging bulletin A with bulletin B's id in the body acknowledges A only."""
    a, b = _published(sworld, title="A"), _published(sworld, title="B")
    mall = token_client(sworld.users["mall_admin"])
    response = mall.post(f"{B}/{a.pk}/acknowledge/", {"bulletin": b.pk}, format="json")
    assert response.status_code == 200 and response.json()["bulletin"] == a.pk
    acked = Acknowledgement.objects.filter(user=sworld.users["mall_admin"],
                                           acknowledged_at__isnull=False)  # fmt: skip
    assert set(acked.values_list("bulletin_id", flat=True)) == {a.pk}


def test_create_as_other_org_rejected_unless_sync_bound(sworld: World) -> None:
    """There are no sync accounts: the author's organisation is always the originator (I8)."""
    client = token_client(sworld.users["mall_admin"])
    for field, value in [("org", sworld.orgs["police-north"].pk),
                         ("author", sworld.users["police_n"].pk)]:  # fmt: skip
        raw = {"title": "Spoofed", "tlp": "amber", field: value}
        problem = assert_problem(client.post(f"{B}/", raw, format="json"), 422)
        assert [e["field"] for e in problem["errors"]] == [field]
    assert not Bulletin.objects.filter(title="Spoofed").exists()
    ok = client.post(f"{B}/", {"title": "Own", "tlp": "amber"}, format="json")
    assert ok.status_code == 201 and ok.json()["org"] == "mall-co"


def test_unknown_fields_rejected(sworld: World) -> None:
    b = _published(sworld)
    police = token_client(sworld.users["police_n"])
    group = sworld.groups["north"]  # type: ignore[attr-defined]
    cases = [
        ("post", f"{B}/", {"title": "X", "tlp": "amber", "status": "published"}, "status"),
        ("patch", f"{B}/{b.pk}/", {"title": "X", "tlp_rank": 0}, "tlp_rank"),
        ("post", f"{B}/{b.pk}/withdraw/", {"reason": "x", "status": "draft"}, "status"),
        ("post", f"{G}/", {"name": "G", "owner": 1}, "owner"),
        ("patch", f"{G}/{group.pk}/", {"name": "G", "created_by": 1}, "created_by"),
    ]
    for method, url, body, field in cases:
        problem = assert_problem(getattr(police, method)(url, body, format="json"), 422)
        assert field in {e["field"] for e in problem["errors"]}, url
    forward = token_client(sworld.users["guard_pub"]).post(
        f"{B}/{b.pk}/forward/", {"orgs": [], "tlp": "clear"}, format="json"
    )
    assert assert_problem(forward, 422)["errors"][0]["field"] == "tlp"
    b.refresh_from_db()
    assert (b.title, b.status) == ("Hostile reconnaissance near malls", "published")
    assert not SharingGroup.objects.filter(name="G").exists()


def test_label_tag_permissions(sworld: World) -> None:
    """TLP and caveats: only police mark law-enforcement-only (I2); only the originator's
    publishers relax TLP or remove a caveat (I5); readers write nothing."""
    mall = token_client(sworld.users["mall_admin"])
    le = {"title": "LE", "tlp": "amber", "le_only": True}
    problem = assert_problem(mall.post(f"{B}/", le, format="json"), 422)
    assert any(e["code"] == "I2" for e in problem["errors"])
    assert token_client(sworld.users["police_n"]).post(f"{B}/", le, format="json").status_code \
        == 201  # fmt: skip
    assert_problem(token_client(sworld.users["mall_reader"]).post(f"{B}/", {"title": "R"},
                                                                  format="json"), 403)  # fmt: skip
    analyst = orgs.create_user(actor=None, username="police_n_analyst", roles=["ANALYST"],
                               organisation=sworld.orgs["police-north"], password="x" * 20,
                               validate=False)  # fmt: skip
    b = _published(sworld, pii=True)
    client = token_client(analyst)
    for change, code in [({"pii": False}, "I5"), ({"tlp": "green"}, "I5")]:
        problem = assert_problem(client.patch(f"{B}/{b.pk}/", change, format="json"), 422)
        assert any(e["code"] == code for e in problem["errors"]), change
    tighten = client.patch(f"{B}/{b.pk}/", {"tlp": "amber+strict"}, format="json")
    assert tighten.status_code == 200  # an editor may tighten
    relax = token_client(sworld.users["police_n"]).patch(f"{B}/{b.pk}/", {"pii": False},
                                                         format="json")  # fmt: skip
    assert relax.status_code == 200  # the originator's publisher may
