"""Break-glass (R10, catalogue 28): two persons, time-boxed, logged, the originator told.

Every denial is checked beside the allowed case: the platform admin cannot read the bulletin
before the grant, can while it is live, and cannot once it expires or is revoked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from placeguard.core.sharing import policy
from placeguard.core.sharing.model import (
    Audience,
    Caveat,
    Item,
    ItemKind,
    OrgKind,
    Principal,
    Role,
    Status,
)
from placeguard.core.vocab import TLP
from placeguard.web.audit.models import AuditEvent
from placeguard.web.incidents.models import Incident
from placeguard.web.notifications.models import Notification
from placeguard.web.orgs import services as orgs
from placeguard.web.sharing import services
from placeguard.web.sharing.models import BreakGlassGrant, Bulletin
from tests.conftest import PASSWORD, World
from tests.web.helpers import assert_problem, token_client
from tests.web.incidents.conftest import shared_incident
from tests.web.sharing.conftest import bulletin_raw

BG = "/api/v1/break-glass"
B = "/api/v1/bulletins"


@pytest.fixture
def bworld(sworld: World) -> World:
    """The sharing world with a second platform admin."""
    sworld.users["platform_admin2"] = orgs.create_user(
        actor=None, username="platform_admin2", organisation=sworld.orgs["platform"],
        roles=["PLATFORM_ADMIN"], password=PASSWORD,
    )  # fmt: skip
    return sworld


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(**{"orgs": [w.orgs["mall-co"].pk], **overrides})
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _ask(w: World, item_id: int, kind: str = "bulletin", **extra: Any) -> Any:
    body = {"item_kind": kind, "item_id": item_id, "reason": "Court order 12/2026.", **extra}
    return token_client(w.users["platform_admin"]).post(f"{BG}/", body, format="json")


def _listed(client: Any) -> list[int]:
    return [r["id"] for r in client.get(f"{B}/").json()["results"]]


def test_break_glass_two_person_timeboxed_logged_and_notifies_originator(bworld: World) -> None:
    b = _published(bworld, title="Hostile reconnaissance", body="Two men filmed the exits.")
    admin, second = (token_client(bworld.users[n]) for n in ("platform_admin", "platform_admin2"))
    # Before: a platform admin is not a content reader (R10).
    assert_problem(admin.get(f"{B}/{b.pk}/"), 404)
    assert b.pk not in _listed(admin)

    asked = _ask(bworld, b.pk, minutes=30)
    assert asked.status_code == 201, asked.json()
    grant = asked.json()
    assert grant["live"] is False and grant["requester"] == "platform_admin"
    assert_problem(admin.get(f"{B}/{b.pk}/"), 404)  # a request opens nothing
    # Two persons: the requester cannot approve their own request.
    assert_problem(admin.post(f"{BG}/{grant['id']}/approve/"), 403)
    approved = second.post(f"{BG}/{grant['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["live"] is True
    row = BreakGlassGrant.objects.get(pk=grant["id"])
    assert row.approved_at is not None and row.expires_at is not None
    assert row.expires_at - row.approved_at == timedelta(minutes=30)

    # Live: the requester reads that one record (and nobody else gained anything).
    detail = admin.get(f"{B}/{b.pk}/")
    assert detail.status_code == 200 and detail.json()["body"] == "Two men filmed the exits."
    assert b.pk in _listed(admin)
    assert_problem(second.get(f"{B}/{b.pk}/"), 404)  # the approver did not ask to read
    other = _published(bworld, title="Other")
    assert_problem(admin.get(f"{B}/{other.pk}/"), 404)
    admin.get(f"{B}/{b.pk}/")

    # Logged: the request, the approval and every read.
    actions = list(
        AuditEvent.objects.filter(action__startswith="break_glass.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        ["break_glass.request", "break_glass.approve", "break_glass.read", "break_glass.read"]
    )
    # The originator is told (in-app; its author here) and sees a banner; recipients do not.
    told = Notification.objects.filter(event="bulletin.break_glass", item_id=b.pk)
    assert list(told.values_list("user__username", flat=True)) == ["police_n"]
    police_page = _page(bworld, "police_n").get(f"/sharing/bulletins/{b.pk}/").content.decode()
    assert 'id="break-glass-banner"' in police_page and "Court order 12/2026." in police_page
    mall_page = _page(bworld, "mall_admin").get(f"/sharing/bulletins/{b.pk}/").content.decode()
    assert b.title in mall_page and "break-glass-banner" not in mall_page
    admin_page = _page(bworld, "platform_admin").get(f"/sharing/bulletins/{b.pk}/")
    assert admin_page.status_code == 200  # the page, too, and it is logged
    assert AuditEvent.objects.filter(action="break_glass.read").count() == 3

    # Time-boxed: once it expires the record is closed again.
    BreakGlassGrant.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    assert_problem(admin.get(f"{B}/{b.pk}/"), 404)
    assert b.pk not in _listed(admin)
    assert "break-glass-banner" not in (
        _page(bworld, "police_n").get(f"/sharing/bulletins/{b.pk}/").content.decode()
    )


def _page(w: World, name: str) -> Client:
    client = Client()
    client.force_login(w.users[name])
    return client


def test_revoking_closes_the_record_at_once(bworld: World) -> None:
    b = _published(bworld)
    grant = _ask(bworld, b.pk).json()
    second = token_client(bworld.users["platform_admin2"])
    assert second.post(f"{BG}/{grant['id']}/approve/").status_code == 200
    admin = token_client(bworld.users["platform_admin"])
    assert admin.get(f"{B}/{b.pk}/").status_code == 200
    revoked = admin.post(f"{BG}/{grant['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["live"] is False
    assert_problem(admin.get(f"{B}/{b.pk}/"), 404)
    # A decided request cannot be approved again.
    assert_problem(second.post(f"{BG}/{grant['id']}/approve/"), 409)


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"tlp": "red", "orgs": [], "users": "mall_admin"}, "R4"),
        ({"le_only": True, "orgs": "police-south"}, "R6"),
        ({"source_protected": True}, "R11"),
    ],
)
def test_break_glass_never_opens_red_le_only_or_protected_sources(
    bworld: World, overrides: dict[str, Any], rule: str
) -> None:
    raw = dict(overrides)
    if raw.get("users"):
        raw["users"] = [bworld.users[raw["users"]].pk]
    if isinstance(raw.get("orgs"), str):
        raw["orgs"] = [bworld.orgs[raw["orgs"]].pk]
    b = _published(bworld, **raw)
    refused = _ask(bworld, b.pk)
    assert refused.status_code == 422 and rule in refused.json()["errors"][0]["message"]
    assert not BreakGlassGrant.objects.exists()


def test_drafts_cannot_be_opened_and_a_record_that_turned_red_is_not_approved(
    bworld: World,
) -> None:
    police = bworld.users["police_n"]
    draft = services.create_bulletin(bulletin_raw(), actor=police)
    assert _ask(bworld, draft.pk).status_code == 422
    b = _published(bworld)
    grant = _ask(bworld, b.pk).json()
    services.update_bulletin(
        b, {"tlp": "red", "orgs": [], "users": [bworld.users["mall_admin"].pk]}, actor=police
    )
    second = token_client(bworld.users["platform_admin2"])
    assert_problem(second.post(f"{BG}/{grant['id']}/approve/"), 409)
    assert_problem(token_client(bworld.users["platform_admin"]).get(f"{B}/{b.pk}/"), 404)


def test_only_platform_admins_ask_and_grants_are_seen_by_admins_and_the_originator(
    bworld: World,
) -> None:
    b = _published(bworld)
    mall = token_client(bworld.users["mall_admin"])
    asked = mall.post(f"{BG}/", {"item_kind": "bulletin", "item_id": b.pk, "reason": "x"},
                      format="json")  # fmt: skip
    assert_problem(asked, 403)
    grant = _ask(bworld, b.pk).json()
    assert [g["id"] for g in mall.get(f"{BG}/").json()["results"]] == []  # not mall's record
    assert_problem(mall.get(f"{BG}/{grant['id']}/"), 404)
    assert_problem(token_client(bworld.users["mall_reader"]).get(f"{BG}/{grant['id']}/"), 404)
    admin2 = token_client(bworld.users["platform_admin2"])
    assert [g["id"] for g in admin2.get(f"{BG}/").json()["results"]] == [grant["id"]]


def test_a_bad_request_names_every_problem(bworld: World) -> None:
    asked = token_client(bworld.users["platform_admin"]).post(
        f"{BG}/", {"item_kind": "sar", "item_id": "7", "minutes": 600, "extra": 1}, format="json"
    )
    assert asked.status_code == 422
    fields = {e["field"] for e in asked.json()["errors"]}
    assert fields == {"item_kind", "item_id", "reason", "minutes", "extra"}
    missing = _ask(bworld, 999_999)
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "item_id"
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_opens_an_incident_too(bworld: World) -> None:
    incident: Incident = shared_incident(bworld)
    admin = token_client(bworld.users["platform_admin"])
    assert_problem(admin.get(f"/api/v1/incidents/{incident.pk}/"), 404)
    grant = _ask(bworld, incident.pk, kind="incident").json()
    second = token_client(bworld.users["platform_admin2"])
    assert second.post(f"{BG}/{grant['id']}/approve/").status_code == 200
    assert admin.get(f"/api/v1/incidents/{incident.pk}/").json()["title"] == incident.title
    assert AuditEvent.objects.filter(action="break_glass.read").count() == 1


# ---------------------------------------------------------------- the pure rule


def _principal(**overrides: Any) -> Principal:
    values: dict[str, Any] = {
        "user_id": 99, "org_id": 9, "org_kind": OrgKind.PROGRAMME,
        "roles": frozenset({Role.PLATFORM_ADMIN}),
        "break_glass": frozenset({(ItemKind.BULLETIN, 1)}),
    }  # fmt: skip
    values.update(overrides)
    return Principal(**values)


def _item(**overrides: Any) -> Item:
    values: dict[str, Any] = {
        "id": 1, "kind": ItemKind.BULLETIN, "author_id": 1, "org_id": 1,
        "org_kind": OrgKind.LAW_ENFORCEMENT, "tlp": TLP.AMBER,
        "audience": Audience(orgs=frozenset({2})),
    }  # fmt: skip
    values.update(overrides)
    return Item(**values)


def test_policy_break_glass_opens_only_the_granted_item_of_a_platform_admin() -> None:
    assert policy.can_view(_principal(), _item()).rule == "R10"
    assert policy.can_view(_principal(), _item()).allowed
    assert not policy.can_view(_principal(), _item(id=2)).allowed
    assert not policy.can_view(_principal(), _item(kind=ItemKind.INCIDENT)).allowed
    assert not policy.can_view(_principal(break_glass=frozenset()), _item()).allowed
    analyst = _principal(roles=frozenset({Role.ANALYST}))  # the grant field alone opens nothing
    assert not policy.can_view(analyst, _item()).allowed
    for closed in (
        _item(tlp=TLP.RED),
        _item(caveats=frozenset({Caveat.LE_ONLY})),
        _item(caveats=frozenset({Caveat.SOURCE_PROTECTED})),
        _item(status=Status.DRAFT),
    ):
        assert not policy.can_view(_principal(), closed).allowed, closed
    assert policy.can_view(_principal(), _item(status=Status.WITHDRAWN)).stub_only
