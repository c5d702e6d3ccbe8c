"""Catalogue 9.6 (leaks through derived data) for bulletins, acknowledgements and the audit log.

Each test is named after its catalogue entry; docs/sharing-tests.md maps every entry.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from placeguard.web.audit import queries as audit_queries
from placeguard.web.sharing import queries, services
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


def test_facets_counts_autocomplete_only_visible_values(sworld: World) -> None:
    _published(sworld, title="Mall amber")
    _published(sworld, title="Mall red", tlp="red", orgs=[], need_to_know=None,
               users=[sworld.users["mall_admin"].pk])  # fmt: skip
    _published(sworld, title="Hotel green", tlp="green", orgs=[sworld.orgs["hotel-co"].pk])
    hotel = token_client(sworld.users["hotel_admin"])
    assert hotel.get(f"{B}/counts/").json() == {
        "total": 1, "tlp": {"green": 1}, "status": {"published": 1}
    }  # fmt: skip
    assert hotel.get(f"{B}/?q=Mall").json()["count"] == 0  # no hint that "Mall …" exists
    mall = token_client(sworld.users["mall_admin"]).get(f"{B}/counts/").json()
    assert mall["tlp"] == {"amber": 1, "red": 1}
    assert token_client(sworld.users["mall_reader"]).get(f"{B}/counts/").json()["tlp"] == {
        "amber": 1
    }


def test_acks_sightings_visibility_policy(sworld: World) -> None:
    """W3 default: an acknowledgement is seen by the bulletin's organisation and the
    acknowledger's (and, for AMBER, its registered provider); never by other recipients."""
    b = _published(sworld, orgs=[sworld.orgs["mall-co"].pk, sworld.orgs["hotel-co"].pk])
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    services.acknowledge(b, actor=sworld.users["hotel_admin"])

    def orgs_seen(name: str) -> set[str]:
        """Organisations whose receipts (queued or acknowledged) ``name`` can see."""
        rows = queries.acks_visible_to(sworld.users[name]).filter(bulletin=b)
        return set(rows.values_list("org__slug", flat=True))

    assert orgs_seen("police_n") == {"mall-co", "hotel-co", "guard-co"}
    assert orgs_seen("mall_reader") == {"mall-co"}
    assert orgs_seen("hotel_admin") == {"hotel-co"}
    assert orgs_seen("guard_reader") == {"mall-co", "guard-co"}  # Mall Co's provider (R9 reach)
    assert orgs_seen("police_s") == set()
    draft = services.create_bulletin(bulletin_raw(orgs=[sworld.orgs["mall-co"].pk]),
                                     actor=sworld.users["police_n"])  # fmt: skip
    assert_problem(token_client(sworld.users["mall_admin"]).post(f"{B}/{draft.pk}/acknowledge/"),
                   404)  # fmt: skip


def test_dedup_upsert_does_not_reveal_or_modify_hidden_record(sworld: World) -> None:
    hidden = _published(sworld, title="Drone over stadium", body="Original.")
    police_s = token_client(sworld.users["police_s"])
    response = police_s.post(f"{B}/", {"title": "Drone over stadium", "body": "Mine.",
                                       "tlp": "amber"}, format="json")  # fmt: skip
    assert response.status_code == 201
    assert response.json()["id"] != hidden.pk
    hidden.refresh_from_db()
    assert hidden.body == "Original." and hidden.org == sworld.orgs["police-north"]
    assert Bulletin.objects.filter(title="Drone over stadium").count() == 2


def test_audit_log_view_scoped(sworld: World) -> None:
    b = _published(sworld)
    services.acknowledge(b, actor=sworld.users["mall_admin"])

    def actions(name: str) -> set[str]:
        rows = audit_queries.visible_to(sworld.users[name]).filter(
            object_type__startswith="sharing"
        )
        return set(rows.values_list("action", flat=True))

    assert {"bulletin.create", "bulletin.publish"} <= actions("police_n")
    assert actions("mall_admin") == {"bulletin.acknowledge"}  # its own organisation's only
    assert actions("hotel_admin") == set()
    assert actions("platform_admin") == set()  # R10: other organisations' content events
    assert actions("auditor") == set()


def test_role_names_and_admin_metadata_not_exposed(sworld: World) -> None:
    """Groups never show who created them; receipts (names of readers) are the originator's.

    The bulletin author is shown only inside the originating organisation:
    ``tests/web/sharing/test_hardening.py``.
    """
    group = sworld.groups["north"]  # type: ignore[attr-defined]
    data = token_client(sworld.users["hotel_admin"]).get(f"{G}/{group.pk}/").json()
    assert "created_by" not in data and "roles" not in str(data)
    b = _published(sworld)
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    assert_problem(token_client(sworld.users["mall_admin"]).get(f"{B}/{b.pk}/receipts/"), 403)
    receipts = token_client(sworld.users["police_n"]).get(f"{B}/{b.pk}/receipts/").json()
    assert {r["user"] for r in receipts} >= {"mall_admin"}
    assert all("role" not in key for r in receipts for key in r)


def test_error_messages_generic(sworld: World, monkeypatch: pytest.MonkeyPatch) -> None:
    hidden = _published(sworld)
    hotel = token_client(sworld.users["hotel_admin"])
    invisible = assert_problem(hotel.get(f"{B}/{hidden.pk}/"), 404)
    missing = assert_problem(hotel.get(f"{B}/{hidden.pk + 999}/"), 404)
    assert invisible == missing  # no existence hint
    page = APIClient()
    page.force_login(sworld.users["hotel_admin"])
    for pk in (hidden.pk, hidden.pk + 999):
        response = page.get(f"/sharing/bulletins/{pk}/")
        assert response.status_code == 404 and hidden.title not in response.content.decode()

    def boom(*_args: Any, **_kwargs: Any) -> None:
        msg = "disk /srv/placeguard/secret.db unreadable"
        raise RuntimeError(msg)

    monkeypatch.setattr(services, "acknowledge", boom)
    mall = token_client(sworld.users["mall_admin"])
    body = assert_problem(mall.post(f"{B}/{hidden.pk}/acknowledge/"), 500)
    assert "/srv" not in str(body) and "secret" not in str(body)
    assert body["detail"].startswith("Error id ")
