"""Bulletin life cycle: automatic expiry (service, task, list page, CLI) and R9 forwarding."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from placeguard.cli.main import app
from placeguard.core.errors import NotFoundError, PermissionDeniedError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.sharing import lifecycle, queries, services
from placeguard.web.sharing.models import Acknowledgement, Bulletin, BulletinOrg
from tests.conftest import PASSWORD, World
from tests.web.helpers import assert_problem, token_client
from tests.web.sharing.conftest import bulletin_raw

EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE, **overrides)
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _overdue(w: World, *, hours: int = 1, **overrides: Any) -> Bulletin:
    b = _published(w, **overrides)
    Bulletin.objects.filter(pk=b.pk).update(valid_until=timezone.now() - timedelta(hours=hours))
    return b


# --------------------------------------------------------------------------- expiry


def test_expire_due_moves_overdue_published_bulletins_and_audits_each(sworld: World) -> None:
    old = _overdue(sworld)
    older = _overdue(sworld, hours=5, title="Older")
    current = _published(sworld, title="Current", valid_until=timezone.now() + timedelta(days=1))
    open_ended = _published(sworld, title="Open ended")
    draft = services.create_bulletin(
        bulletin_raw(valid_until=(timezone.now() - timedelta(days=1)).isoformat()),
        actor=sworld.users["police_n"],
    )
    assert lifecycle.expire_due() == 2
    status = dict(Bulletin.objects.values_list("pk", "status"))
    assert status[old.pk] == status[older.pk] == "expired"
    assert status[current.pk] == status[open_ended.pk] == "published"
    assert status[draft.pk] == "draft"  # drafts never expire: they were never out
    events = AuditEvent.objects.filter(action="bulletin.expire")
    assert sorted(int(e.object_id) for e in events) == sorted([old.pk, older.pk])
    assert all(e.actor_label == "system" and e.diff["status"] == ["published", "expired"]
               for e in events)  # fmt: skip
    assert lifecycle.expire_due() == 0  # idempotent: nothing left, no new events
    assert AuditEvent.objects.filter(action="bulletin.expire").count() == 2


def test_expire_due_takes_now_and_withdrawn_bulletins_stay_withdrawn(sworld: World) -> None:
    b = _published(sworld, valid_until=timezone.now() + timedelta(hours=2))
    gone = _overdue(sworld, title="Gone")
    services.withdraw_bulletin(gone, reason="Superseded.", actor=sworld.users["police_n"])
    assert lifecycle.expire_due(timezone.now() + timedelta(hours=1)) == 0
    assert lifecycle.expire_due(timezone.now() + timedelta(hours=3), actor=sworld.users["police_n"])
    b.refresh_from_db()
    gone.refresh_from_db()
    assert (b.status, gone.status) == ("expired", "withdrawn")
    event = AuditEvent.objects.get(action="bulletin.expire")
    assert event.actor_label == "police_n"


def test_expired_bulletin_stays_readable_and_acknowledgeable_by_its_audience(
    sworld: World,
) -> None:
    b = _overdue(sworld)
    lifecycle.expire_due()
    mall = sworld.users["mall_reader"]
    assert queries.bulletins_visible_to(mall).filter(pk=b.pk, status="expired").exists()
    assert not queries.bulletins_visible_to(sworld.users["hotel_admin"]).filter(pk=b.pk).exists()
    ack = services.acknowledge(b, actor=mall)
    assert ack.acknowledged_at is not None


def test_list_page_expires_lazily_and_shows_the_status(sworld: World) -> None:
    b = _overdue(sworld)
    client = Client()
    assert client.login(username="mall_admin", password=PASSWORD)
    page = client.get("/sharing/bulletins/?status=expired")
    assert page.status_code == 200 and b.title in page.content.decode()
    b.refresh_from_db()
    assert b.status == "expired"


def test_expire_task_and_cli(sworld: World) -> None:
    first, second = _overdue(sworld), _overdue(sworld, title="Second")
    result = lifecycle.expire_bulletins.enqueue()  # immediate backend in tests
    assert result.return_value == 2
    Bulletin.objects.filter(pk__in=[first.pk, second.pk]).update(status="published")
    outcome = CliRunner().invoke(app, ["sharing", "expire"])
    assert outcome.exit_code == 0, outcome.output
    assert "Expired 2 bulletin(s)" in outcome.output
    assert set(Bulletin.objects.values_list("status", flat=True)) == {"expired"}


# --------------------------------------------------------------------------- forwarding (R9)


def _with_client(w: World, provider: str, client: str) -> None:
    services.link_provider(provider=w.orgs[provider], client=w.orgs[client], actor=None)


def test_provider_forwards_amber_to_its_own_client_and_it_is_audited(sworld: World) -> None:
    _with_client(sworld, "guard-co", "hotel-co")
    b = _published(sworld)
    hotel = sworld.users["hotel_admin"]
    assert not queries.bulletins_visible_to(hotel).filter(pk=b.pk).exists()
    added = lifecycle.forward_bulletin(
        b, to_orgs=[sworld.orgs["hotel-co"].pk], actor=sworld.users["guard_pub"], reason="Client."
    )
    assert list(added) == [sworld.orgs["hotel-co"].pk]
    assert queries.bulletins_visible_to(hotel).filter(pk=b.pk).exists()
    assert Acknowledgement.objects.filter(bulletin=b, user=hotel).exists()  # a receipt is queued
    event = AuditEvent.objects.get(action="bulletin.forward")
    assert event.actor_label == "guard_pub"
    assert event.diff["to_orgs"] == [sworld.orgs["hotel-co"].pk]
    assert event.diff["forwarded_by_org"] == sworld.orgs["guard-co"].pk
    assert event.diff["reason"] == "Client."


def test_amber_forward_to_a_non_client_is_422_with_r9_and_nothing_saved(sworld: World) -> None:
    b = _published(sworld)
    before = (BulletinOrg.objects.count(), AuditEvent.objects.count())
    # Mall Co (a recipient) has no clients; Guard Co's client is Mall Co, not the hotel.
    for actor in ["mall_admin", "guard_pub"]:
        with pytest.raises(services.InvariantError) as caught:
            lifecycle.forward_bulletin(
                b, to_orgs=[sworld.orgs["hotel-co"].pk], actor=sworld.users[actor]
            )
        assert [e.code for e in caught.value.errors] == ["R9"]
    assert (BulletinOrg.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("tlp", ["amber+strict", "red"])
def test_strict_and_red_are_never_forwarded(sworld: World, tlp: str) -> None:
    _with_client(sworld, "mall-co", "hotel-co")
    mall = sworld.users["mall_admin"]
    extra = {"users": [mall.pk], "orgs": []} if tlp == "red" else {}
    police = sworld.users["police_n"]
    raw = bulletin_raw(tlp=tlp, orgs=[sworld.orgs["mall-co"].pk], need_to_know=EVERYONE)
    raw.update(extra)
    if tlp == "red":
        raw.pop("need_to_know")
    b = services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)
    assert queries.bulletins_visible_to(mall).filter(pk=b.pk).exists()  # mall_admin reads it
    with pytest.raises(PermissionDeniedError, match="R9"):
        lifecycle.forward_bulletin(b, to_orgs=[sworld.orgs["hotel-co"].pk], actor=mall)
    assert not BulletinOrg.objects.filter(bulletin=b, org=sworld.orgs["hotel-co"]).exists()


def test_green_forwards_inside_the_community_only(sworld: World) -> None:
    b = _published(sworld, tlp="green")
    mall = sworld.users["mall_admin"]
    lifecycle.forward_bulletin(b, to_orgs=[sworld.orgs["faith-council"].pk], actor=mall)
    assert queries.bulletins_visible_to(sworld.users["faith_reader"]).filter(pk=b.pk).exists()
    # The unvetted force is outside the community.
    with pytest.raises(services.InvariantError) as caught:
        lifecycle.forward_bulletin(b, to_orgs=[sworld.orgs["rogue-police"].pk], actor=mall)
    assert [e.code for e in caught.value.errors] == ["R9"]


def test_who_may_forward(sworld: World) -> None:
    _with_client(sworld, "guard-co", "hotel-co")
    b = _published(sworld)
    hotel = [sworld.orgs["hotel-co"].pk]
    with pytest.raises(NotFoundError):  # a non-recipient does not learn the bulletin exists
        lifecycle.forward_bulletin(b, to_orgs=hotel, actor=sworld.users["police_s"])
    with pytest.raises(PermissionDeniedError, match="I5"):  # the originator widens instead
        lifecycle.forward_bulletin(b, to_orgs=hotel, actor=sworld.users["police_n"])
    with pytest.raises(PermissionDeniedError, match="R9"):  # a reader is not a publisher
        lifecycle.forward_bulletin(b, to_orgs=hotel, actor=sworld.users["guard_reader"])
    assert lifecycle.forward_bulletin(b, to_orgs=hotel, actor=sworld.users["guard_pub"]) == hotel
    services.withdraw_bulletin(b, reason="Over.", actor=sworld.users["police_n"])
    b.refresh_from_db()
    with pytest.raises(NotFoundError):  # the withdrawn stub carries no content to forward
        lifecycle.forward_bulletin(b, to_orgs=hotel, actor=sworld.users["guard_pub"])


def test_le_only_is_forwarded_to_police_only(sworld: World) -> None:
    police = sworld.users["police_n"]
    raw = bulletin_raw(tlp="green", le_only=True, orgs=[sworld.orgs["police-south"].pk])
    b = services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)
    with pytest.raises(services.InvariantError) as caught:
        lifecycle.forward_bulletin(
            b, to_orgs=[sworld.orgs["mall-co"].pk], actor=sworld.users["police_s"]
        )
    assert [e.code for e in caught.value.errors] == ["R6"]


def test_forward_api(sworld: World) -> None:
    _with_client(sworld, "guard-co", "hotel-co")
    b = _published(sworld)
    url = f"/api/v1/bulletins/{b.pk}/forward/"
    body = {"orgs": [sworld.orgs["hotel-co"].pk], "reason": "Client hotel."}
    ok = token_client(sworld.users["guard_pub"]).post(url, body, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json() == {"bulletin": b.pk, "forwarded_to": [sworld.orgs["hotel-co"].pk]}
    mall = token_client(sworld.users["mall_admin"])
    refused = assert_problem(mall.post(url, body, format="json"), 422)
    assert refused["errors"][0]["code"] == "R9"
    unknown = assert_problem(mall.post(url, {**body, "tlp": "clear"}, format="json"), 422)
    assert unknown["errors"][0]["field"] == "tlp"
    # The hotel now receives it, but has no clients of its own: no onward forwarding.
    onward = {"orgs": [sworld.orgs["faith-council"].pk]}
    hotel = token_client(sworld.users["hotel_admin"])
    assert assert_problem(hotel.post(url, onward, format="json"), 422)["errors"][0]["code"] == "R9"
    assert_problem(token_client(sworld.users["police_s"]).post(url, body, format="json"), 404)
    assert_problem(token_client(sworld.users["police_n"]).post(url, body, format="json"), 403)
