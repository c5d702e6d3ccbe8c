"""Catalogue 9.2 (object-level authorisation, IDOR) for bulletins and acknowledgements.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry. Every
denial is checked beside the allowed case.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from placeguard.web.sharing import queries, services
from placeguard.web.sharing.models import Bulletin
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sharing.conftest import bulletin_raw

B = "/api/v1/bulletins"
EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"orgs": [w.orgs["mall-co"].pk], "need_to_know": EVERYONE, **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _page(w: World, name: str) -> Client:
    client = Client()
    client.force_login(w.users[name])
    return client


def test_view_foreign_item_by_id_and_uuid_404(sworld: World) -> None:
    """Bulletins and their acknowledgements are addressed by id only (no UUID routes)."""
    b = _published(sworld)
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    missing = Bulletin.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    hotel_api, hotel_page = token_client(sworld.users["hotel_admin"]), _page(sworld, "hotel_admin")
    for url in [f"{B}/{b.pk}/", f"{B}/{b.pk}/receipts/", f"{B}/{missing}/"]:
        assert_problem(hotel_api.get(url), 404)
    for url in [f"/sharing/bulletins/{b.pk}/", f"/sharing/bulletins/{b.pk}/receipts/"]:
        assert hotel_page.get(url).status_code == 404
    assert not queries.acks_visible_to(sworld.users["hotel_admin"]).filter(bulletin=b).exists()
    # Allowed: the recipient and the originator.
    assert token_client(sworld.users["mall_reader"]).get(f"{B}/{b.pk}/").status_code == 200
    assert _page(sworld, "mall_reader").get(f"/sharing/bulletins/{b.pk}/").status_code == 200
    assert _page(sworld, "police_n").get(f"/sharing/bulletins/{b.pk}/receipts/").status_code == 200
    assert queries.acks_visible_to(sworld.users["police_n"]).filter(bulletin=b).exists()


def test_edit_delete_publish_foreign_item_denied(sworld: World) -> None:
    police = sworld.users["police_n"]
    draft = services.create_bulletin(bulletin_raw(orgs=[sworld.orgs["mall-co"].pk]), actor=police)
    live = _published(sworld, title="Live")
    # Another organisation: 404 on every action, pages and API.
    police_s = _page(sworld, "police_s")
    assert police_s.get(f"/sharing/bulletins/{live.pk}/edit/").status_code == 404
    assert police_s.post(f"/sharing/bulletins/{draft.pk}/publish/").status_code == 404
    assert police_s.post(f"/sharing/bulletins/{live.pk}/withdraw/", {"reason": "x"}).status_code \
        == 404  # fmt: skip
    # The same organisation without an editor role: the draft is not even visible (R1).
    reader = _page(sworld, "police_n_reader")
    assert reader.post(f"/sharing/bulletins/{draft.pk}/publish/").status_code == 404
    assert reader.get(f"/sharing/bulletins/{live.pk}/edit/").status_code == 403
    withdraw = reader.post(f"/sharing/bulletins/{live.pk}/withdraw/", {"reason": "x"})
    assert withdraw.status_code == 403
    live.refresh_from_db()
    assert live.status == "published"  # nothing changed
    # A recipient editor cannot edit or withdraw either.
    assert_problem(token_client(sworld.users["mall_admin"]).delete(f"{B}/{live.pk}/"), 405)
    assert_problem(
        token_client(sworld.users["mall_admin"]).patch(
            f"{B}/{live.pk}/", {"title": "Mine"}, format="json"
        ),
        403,
    )
    # Allowed: the originator's publisher.
    author = _page(sworld, "police_n")
    assert author.post(f"/sharing/bulletins/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert author.get(f"/sharing/bulletins/{live.pk}/edit/").status_code == 200


def test_comment_thread_inherits_parent_acl(sworld: World) -> None:
    """Bulletins have no comments; their children are acknowledgements (R7)."""
    b = _published(sworld)
    mall = sworld.users["mall_admin"]
    services.acknowledge(b, actor=mall)
    assert queries.acks_visible_to(mall).filter(bulletin=b).exists()
    assert not queries.acks_visible_to(sworld.users["hotel_admin"]).filter(bulletin=b).exists()
    services.withdraw_bulletin(b, reason="Over.", actor=sworld.users["police_n"])
    # The parent is now a stub for the recipient: its children go with its content.
    assert not queries.acks_visible_to(mall).filter(bulletin=b).exists()
    assert queries.acks_visible_to(sworld.users["police_n"]).filter(bulletin=b).exists()
    assert_problem(token_client(mall).post(f"{B}/{b.pk}/acknowledge/"), 404)


#: Every sharing page and the rule that guards it. A new route fails the test below until it is
#: declared here (MISP's ACL-list comment; IRIS "deny by default").
ROUTE_POLICY = {
    "list": "sign-in; rows from bulletins_visible_to",
    "create": "sign-in; editor roles (W1)",
    "detail": "sign-in; bulletins_visible_to (404), stub for withdrawn (R2)",
    "edit": "sign-in; visible (404) and can_edit (403)",
    "publish": "POST; visible and can_publish (W2)",
    "withdraw": "POST; visible and can_withdraw (W2)",
    "acknowledge": "POST; visible and can_acknowledge (W3)",
    "receipts": "sign-in; visible, originating organisation only",
    "groups": "sign-in; groups_visible_to",
    "group_create": "sign-in; can_create_group (W4)",
    "group": "sign-in; groups_visible_to (404)",
    "group_edit": "sign-in; visible and can_edit_group (W4)",
}


def test_new_route_default_deny(sworld: World) -> None:
    """Every sharing page declares its policy and requires a sign-in (the API has
    tests/web/common/test_routes.py and the token-scope meta-test in tests/web/orgs)."""
    from django.urls import URLPattern, reverse

    from placeguard.web.sharing import urls

    names = set()
    anonymous = Client()
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names.add(pattern.name)
        kwargs = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
        url = reverse(f"sharing:{pattern.name}", kwargs=kwargs)
        assert anonymous.post(url).status_code == 302, url
    assert names == set(ROUTE_POLICY)
    assert _page(sworld, "hotel_admin").get("/sharing/groups/").status_code == 200
