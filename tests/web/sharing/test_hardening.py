"""Sharing API hardening: people of other organisations stay unnamed (catalogue 54) and edits
carry an ETag / If-Match precondition against lost updates (catalogue 78)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sharing import services
from placeguard.web.sharing.models import Bulletin
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


def _session(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --------------------------------------------------------------------------- 54: who wrote it


def test_author_is_named_only_inside_the_originating_organisation(sworld: World) -> None:
    b = _published(sworld)
    for name in ("police_n", "police_n_reader"):  # the originating organisation
        for client in (token_client(sworld.users[name]), _session(sworld.users[name])):
            detail = client.get(f"{B}/{b.pk}/").json()
            assert (detail["author"], detail["org_name"]) == ("police_n", "Police North"), name
            listed = client.get(f"{B}/").json()["results"]
            assert [r["author"] for r in listed] == ["police_n"], name
    for name in ("mall_admin", "mall_reader", "guard_pub"):  # recipients (Guard Co: provider)
        for client in (token_client(sworld.users[name]), _session(sworld.users[name])):
            detail = client.get(f"{B}/{b.pk}/")
            assert detail.status_code == 200, name
            data = detail.json()
            assert data["author"] is None and data["org_name"] == "Police North", name
            assert data["title"] == b.title  # the content itself is theirs to read
            assert "police_n" not in detail.content.decode(), name
            listed = client.get(f"{B}/").json()["results"]
            assert [(r["id"], r["author"]) for r in listed] == [(b.pk, None)], name
    # The write answers (edit, publish, withdraw) name the author to the originator only.
    police = token_client(sworld.users["police_n"])
    edited = police.patch(f"{B}/{b.pk}/", {"title": "Edited"}, format="json")
    assert edited.status_code == 200 and edited.json()["author"] == "police_n"


def test_stub_and_acknowledgement_answers_name_nobody_from_elsewhere(sworld: World) -> None:
    b = _published(sworld)
    mall = token_client(sworld.users["mall_admin"])
    ack = mall.post(f"{B}/{b.pk}/acknowledge/").json()
    assert ack["user"] == "mall_admin"  # your own receipt
    services.withdraw_bulletin(b, reason="Superseded.", actor=sworld.users["police_n"])
    stub = mall.get(f"{B}/{b.pk}/").json()
    assert stub["is_stub"] and stub["org_name"] == "Police North" and "author" not in stub
    # Receipts (who read it) are for the originating organisation only.
    assert_problem(mall.get(f"{B}/{b.pk}/receipts/"), 404)  # a stub has no receipts
    b2 = _published(sworld, title="Second")
    services.acknowledge(b2, actor=sworld.users["mall_admin"])
    assert_problem(mall.get(f"{B}/{b2.pk}/receipts/"), 403)
    receipts = token_client(sworld.users["police_n"]).get(f"{B}/{b2.pk}/receipts/").json()
    assert "mall_admin" in {r["user"] for r in receipts}


def test_named_recipients_are_listed_only_for_the_originating_organisation(
    sworld: World,
) -> None:
    mall, hotel = sworld.users["mall_admin"], sworld.users["hotel_admin"]
    b = _published(sworld, tlp="red", orgs=[], need_to_know=None, users=[mall.pk, hotel.pk])
    assert token_client(sworld.users["police_n"]).get(f"{B}/{b.pk}/").json()["users"] == sorted(
        [mall.pk, hotel.pk]
    )
    assert token_client(mall).get(f"{B}/{b.pk}/").json()["users"] == [mall.pk]
    assert token_client(hotel).get(f"{B}/{b.pk}/").json()["users"] == [hotel.pk]


# --------------------------------------------------------------------------- 78: ETag / If-Match


def test_detail_and_edit_answers_carry_an_etag_that_changes_with_each_edit(sworld: World) -> None:
    b = _published(sworld)
    police = token_client(sworld.users["police_n"])
    first = police.get(f"{B}/{b.pk}/")["ETag"]
    assert first.startswith('"') and first.endswith('"') and len(first) > 10
    assert police.get(f"{B}/{b.pk}/")["ETag"] == first  # reading does not change it
    assert token_client(sworld.users["mall_admin"]).get(f"{B}/{b.pk}/")["ETag"] == first
    edited = police.patch(f"{B}/{b.pk}/", {"title": "Edited"}, format="json", HTTP_IF_MATCH=first)
    assert edited.status_code == 200, edited.content
    assert edited["ETag"] != first and police.get(f"{B}/{b.pk}/")["ETag"] == edited["ETag"]


def test_stale_if_match_is_412_and_nothing_is_saved(sworld: World) -> None:
    """Two editors read the same version; the second write would silently undo the first."""
    b = _published(sworld)
    alice = token_client(sworld.users["police_n"])
    bob = token_client(sworld.users["police_n"])
    tag = alice.get(f"{B}/{b.pk}/")["ETag"]
    assert bob.get(f"{B}/{b.pk}/")["ETag"] == tag
    ok = alice.patch(f"{B}/{b.pk}/", {"title": "Alice's"}, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 200, ok.content
    events = AuditEvent.objects.filter(action="bulletin.update").count()
    late = bob.patch(f"{B}/{b.pk}/", {"title": "Bob's"}, format="json", HTTP_IF_MATCH=tag)
    body = assert_problem(late, 412, "precondition_failed")
    assert "changed since you read it" in body["title"]
    assert Bulletin.objects.get(pk=b.pk).title == "Alice's"
    assert AuditEvent.objects.filter(action="bulletin.update").count() == events  # rolled back
    fresh = bob.get(f"{B}/{b.pk}/")["ETag"]
    retry = bob.patch(f"{B}/{b.pk}/", {"title": "Bob's"}, format="json", HTTP_IF_MATCH=fresh)
    assert retry.status_code == 200 and retry.json()["title"] == "Bob's"


def test_if_match_forms(sworld: World) -> None:
    b = _published(sworld)
    police = token_client(sworld.users["police_n"])
    url = f"{B}/{b.pk}/"

    def patch(title: str, **headers: str) -> int:
        return int(police.patch(url, {"title": title}, format="json", **headers).status_code)

    tag = police.get(url)["ETag"]
    assert patch("Weak", HTTP_IF_MATCH=f"W/{tag}") == 412  # weak tags never match
    assert patch("Empty", HTTP_IF_MATCH="") == 412
    assert patch("Listed", HTTP_IF_MATCH=f'"nope", {tag}') == 200  # one of a list matches
    assert patch("Any", HTTP_IF_MATCH="*") == 200
    assert patch("None") == 200  # no header: compatible, last write wins
    assert Bulletin.objects.get(pk=b.pk).title == "None"


def test_other_refusals_win_over_a_stale_if_match(sworld: World) -> None:
    b = _published(sworld)
    stale = '"stale"'
    url = f"{B}/{b.pk}/"
    body = {"title": "Edited"}
    hotel = token_client(sworld.users["hotel_admin"])  # not a recipient
    assert_problem(hotel.patch(url, body, format="json", HTTP_IF_MATCH=stale), 404)
    mall = token_client(sworld.users["mall_admin"])  # a recipient cannot edit
    assert_problem(mall.patch(url, body, format="json", HTTP_IF_MATCH=stale), 403)
    police = token_client(sworld.users["police_n"])
    assert_problem(police.patch(url, {"tlp": "pink"}, format="json", HTTP_IF_MATCH=stale), 400)
    assert_problem(police.patch(url, {"colour": "x"}, format="json", HTTP_IF_MATCH=stale), 422)
    assert_problem(police.patch(url, body, format="json", HTTP_IF_MATCH=stale), 412)
    assert police.patch(url, body, format="json").status_code == 200  # the allowed case


def test_sharing_group_edits_take_if_match_too(sworld: World) -> None:
    group = sworld.groups["north"]  # type: ignore[attr-defined]
    police = token_client(sworld.users["police_n"])
    url = f"{G}/{group.pk}/"
    tag = police.get(url)["ETag"]
    ok = police.patch(url, {"description": "First"}, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 200 and ok["ETag"] != tag
    late = police.patch(url, {"description": "Second"}, format="json", HTTP_IF_MATCH=tag)
    assert_problem(late, 412, "precondition_failed")
    group.refresh_from_db()
    assert group.description == "First"
    again = police.patch(url, {"description": "Second"}, format="json", HTTP_IF_MATCH=ok["ETag"])
    assert again.status_code == 200
