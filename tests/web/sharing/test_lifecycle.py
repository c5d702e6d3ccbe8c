"""Bulletin life cycle: automatic expiry (service, task, list page, CLI), R9 forwarding,
the retention purge (catalogue 80) and the sharing-group rule recompute (catalogue 37)."""

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


# --------------------------------------------------------------------------- retention (purge)

LONG_AGO = timedelta(days=800)  # past the default retention of 730 days


def _ended(w: World, status: str, *, age: timedelta = LONG_AGO, **overrides: Any) -> Bulletin:
    """A published bulletin, read and acknowledged by Mall Co, then withdrawn or expired."""
    b = _published(w, **overrides)
    services.acknowledge(b, actor=w.users["mall_admin"])
    police = w.users["police_n"]
    if status == "withdrawn":
        services.withdraw_bulletin(b, reason="Secret reason", actor=police)
        Bulletin.objects.filter(pk=b.pk).update(withdrawn_at=timezone.now() - age)
    else:
        Bulletin.objects.filter(pk=b.pk).update(valid_until=timezone.now() - age)
        lifecycle.expire_due()
    b.refresh_from_db()
    assert b.status == status
    return b


def _outbox(b: Bulletin, status: str) -> Any:
    from placeguard.web.notifications.models import OutboxMessage

    now = timezone.now()
    return OutboxMessage.objects.create(
        idempotency_key=f"test:{b.pk}:{status}", channel="email", event="bulletin.published",
        item_kind="bulletin", item_id=b.pk, tlp=b.tlp, to_address="x@example.org",
        subject=b.title, body=b.title, status=status, next_attempt_at=now, created=now,
    )  # fmt: skip


def _surfaces(w: World, name: str, b: Bulletin) -> dict[str, bool]:
    """Whether ``b`` appears on each read surface for user ``name`` (API, page, exports)."""
    from placeguard.core.vocab import TLP
    from placeguard.web.interchange.services import export_for

    user = w.users[name]
    api = token_client(user)
    page = Client()
    page.force_login(user)
    api_list = {r["id"] for r in api.get("/api/v1/bulletins/").json()["results"]}
    counts = api.get("/api/v1/bulletins/counts/").json()
    csv = b"".join(api.get("/api/v1/bulletins/export/").streaming_content).decode()
    stix = str(export_for(user, max_tlp=TLP.RED, fmt="stix").document)
    misp = str(export_for(user, max_tlp=TLP.RED, fmt="misp").document)
    needle = f"{b.title[:20]}"
    return {
        "api list": b.pk in api_list,
        "api detail": api.get(f"/api/v1/bulletins/{b.pk}/").status_code == 200,
        "page list": needle in page.get("/sharing/bulletins/").content.decode(),
        "page detail": page.get(f"/sharing/bulletins/{b.pk}/").status_code == 200,
        "counts": counts["total"] > 0,
        "csv": f"\r\n{b.pk}," in csv,
        "stix": needle in stix,
        "misp": needle in misp,
    }


def test_purge_removes_ended_bulletins_past_retention_from_every_surface(sworld: World) -> None:
    from placeguard.web.notifications.models import Notification, OutboxMessage

    gone = _ended(sworld, "expired", title="Expired long ago", tlp="green")
    pending, delivered = _outbox(gone, "pending"), _outbox(gone, "delivered")
    before = {n: _surfaces(sworld, n, gone) for n in ("police_n", "mall_admin")}
    assert all(before["police_n"].values()), before  # the author saw it everywhere …
    assert before["mall_admin"]["api detail"] and before["mall_admin"]["csv"]  # … and Mall Co
    assert Notification.objects.filter(item_kind="bulletin", item_id=gone.pk).exists()

    summary = lifecycle.purge_bulletins()

    assert summary.bulletins == [gone.pk] and summary.acknowledgements >= 1
    for name in ("police_n", "mall_admin"):  # the author included
        assert not any(_surfaces(sworld, name, gone).values()), name
    row = Bulletin.objects.get(pk=gone.pk)
    assert (row.status, row.title, row.body) == ("purged", "[purged]", "")
    assert not Acknowledgement.objects.filter(bulletin=gone).exists()
    assert not Notification.objects.filter(item_kind="bulletin", item_id=gone.pk).exists()
    assert not OutboxMessage.objects.filter(pk=pending.pk).exists()  # never sent now
    delivered.refresh_from_db()  # kept as the dissemination record, without the text
    assert (delivered.status, delivered.subject, delivered.body) == ("delivered", "", "")


def test_purge_keeps_live_recent_and_draft_bulletins_and_writes_one_certificate(
    sworld: World,
) -> None:
    withdrawn = _ended(sworld, "withdrawn", title="Withdrawn long ago")
    expired = _ended(sworld, "expired", title="Expired long ago")
    recent = _ended(sworld, "withdrawn", age=timedelta(days=10), title="Withdrawn lately")
    live = _published(sworld, title="Still live")
    Bulletin.objects.filter(pk=live.pk).update(created=timezone.now() - LONG_AGO)
    draft = services.create_bulletin(
        bulletin_raw(title="Old draft"), actor=sworld.users["police_n"]
    )
    Bulletin.objects.filter(pk=draft.pk).update(updated=timezone.now() - LONG_AGO)

    dry = lifecycle.purge_bulletins(dry_run=True)
    assert dry.dry_run and dry.bulletins == sorted([withdrawn.pk, expired.pk])
    assert not Bulletin.objects.filter(status="purged").exists()  # a dry run changes nothing
    assert not AuditEvent.objects.filter(action="bulletin.purge_certificate").exists()

    summary = lifecycle.purge_bulletins()
    status = dict(Bulletin.objects.values_list("pk", "status"))
    assert status[withdrawn.pk] == status[expired.pk] == "purged"
    assert (status[recent.pk], status[live.pk], status[draft.pk]) == (
        "withdrawn", "published", "draft"
    )  # fmt: skip
    assert Bulletin.objects.get(pk=withdrawn.pk).withdrawal_reason == ""
    certificate = AuditEvent.objects.get(action="bulletin.purge_certificate")
    assert certificate.diff["bulletins"] == sorted([withdrawn.pk, expired.pk])
    assert certificate.diff["count"] == 2
    assert certificate.diff["acknowledgements"] == summary.acknowledgements > 0
    assert certificate.actor_label == "system"
    assert "long ago" not in certificate.object_repr  # the label does not repeat a title
    # A shorter period reaches the recent one; a second run finds nothing and writes nothing.
    assert lifecycle.purge_bulletins(older_than_days=5).bulletins == [recent.pk]
    assert lifecycle.purge_bulletins(older_than_days=5).bulletins == []
    assert AuditEvent.objects.filter(action="bulletin.purge_certificate").count() == 2


def test_purge_retention_setting_and_now(sworld: World, settings: Any) -> None:
    b = _ended(sworld, "withdrawn", age=timedelta(days=40))
    settings.PLACEGUARD_BULLETIN_RETENTION_DAYS = 60
    assert lifecycle.retention_days() == 60
    assert lifecycle.purge_bulletins().bulletins == []
    later = timezone.now() + timedelta(days=30)
    assert lifecycle.purge_bulletins(now=later).bulletins == [b.pk]
    with pytest.raises(services.InvariantError):
        lifecycle.purge_bulletins(older_than_days=0)


def test_purge_cli(sworld: World) -> None:
    b = _ended(sworld, "withdrawn")
    dry = CliRunner().invoke(app, ["sharing", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Would purge 1 bulletin(s): {b.pk}" in dry.output
    assert Bulletin.objects.get(pk=b.pk).status == "withdrawn"
    done = CliRunner().invoke(app, ["sharing", "purge"])
    assert done.exit_code == 0, done.output
    assert f"Purged 1 bulletin(s): {b.pk}" in done.output
    assert Bulletin.objects.get(pk=b.pk).status == "purged"
    assert CliRunner().invoke(app, ["sharing", "purge", "--older-than-days", "0"]).exit_code != 0


# --------------------------------------------------------------------------- group rules


def _by_rule(group: Any) -> set[str]:
    rows = group.memberships.filter(via_rule=True)
    return set(rows.values_list("organisation__slug", flat=True))


def test_recompute_adds_and_removes_after_sector_and_region_changes(sworld: World) -> None:
    from placeguard.web.sites.models import Site

    police = sworld.users["police_n"]
    retail = services.create_group({"name": "Retail", "rule_site_types": ["retail"]}, actor=police)
    south = services.create_group(
        {"name": "South", "rule_regions": [sworld.regions["south-a"].pk]}, actor=police
    )
    services.set_group_members(retail, {sworld.orgs["faith-council"].pk: False}, actor=police)
    assert _by_rule(retail) == {"mall-co"}
    assert _by_rule(south) == {"mall-co", "hotel-co", "police-south"}
    assert lifecycle.recompute_group_rules() == []  # nothing changed yet: no writes, no events

    # Sector change: the hotels become retail and the malls hospitality (sites app, no hook).
    Site.objects.filter(operator=sworld.orgs["hotel-co"]).update(site_type="retail")
    Site.objects.filter(operator=sworld.orgs["mall-co"]).update(site_type="hospitality")
    # Region change: Mall Co's southern site moves north.
    Site.objects.filter(pk=sworld.sites["mall_south"].pk).update(region=sworld.regions["north-a"])

    changes = {c.group: c for c in lifecycle.recompute_group_rules()}
    hotel, mall = sworld.orgs["hotel-co"].pk, sworld.orgs["mall-co"].pk
    assert (changes[retail.pk].added, changes[retail.pk].removed) == ([hotel], [mall])
    assert (changes[south.pk].added, changes[south.pk].removed) == ([], [mall])
    assert _by_rule(retail) == {"hotel-co"} and _by_rule(south) == {"hotel-co", "police-south"}
    explicit = retail.memberships.filter(via_rule=False).values_list(
        "organisation__slug", flat=True
    )
    assert set(explicit) == {"police-north", "faith-council"}  # explicit members untouched
    events = AuditEvent.objects.filter(action="sharing_group.rule_recompute")
    diffs = {int(e.object_id): e.diff for e in events}
    assert diffs == {retail.pk: {"added": [hotel], "removed": [mall]},
                     south.pk: {"added": [], "removed": [mall]}}  # fmt: skip
    # The job selects what the group's own save would (services._apply_rule).
    for group in (retail, south):
        after_job = set(group.memberships.values_list("organisation_id", "via_rule"))
        services.update_group(group, {}, actor=police)
        assert set(group.memberships.values_list("organisation_id", "via_rule")) == after_job


def test_recompute_leaves_explicit_members_and_inactive_groups_alone(sworld: World) -> None:
    police = sworld.users["police_n"]
    group = services.create_group({"name": "Ops", "rule_org_kinds": ["OPERATOR"]}, actor=police)
    services.set_group_members(group, {sworld.orgs["mall-co"].pk: False}, actor=police)  # explicit
    asleep = services.create_group({"name": "Asleep", "rule_org_kinds": ["OPERATOR"]}, actor=police)
    services.update_group(asleep, {"active": False}, actor=police)
    from placeguard.web.orgs.models import Organisation

    Organisation.objects.filter(slug__in=["mall-co", "hotel-co"]).update(kind="COMMUNITY")
    changes = lifecycle.recompute_group_rules()
    assert [(c.group, c.added, c.removed) for c in changes] == [
        (group.pk, [], [sworld.orgs["hotel-co"].pk])
    ]
    assert group.memberships.filter(organisation__slug="mall-co", via_rule=False).exists()
    assert _by_rule(asleep) == {"mall-co", "hotel-co"}  # inactive: not recomputed


def test_recompute_groups_cli(sworld: World) -> None:
    from placeguard.web.orgs.models import Organisation

    police = sworld.users["police_n"]
    group = services.create_group({"name": "Ops", "rule_org_kinds": ["OPERATOR"]}, actor=police)
    Organisation.objects.filter(slug="hotel-co").update(kind="COMMUNITY")
    outcome = CliRunner().invoke(app, ["sharing", "recompute-groups"])
    assert outcome.exit_code == 0, outcome.output
    assert f"Group {group.pk}: added -, removed [{sworld.orgs['hotel-co'].pk}]" in outcome.output
    assert "1 group(s) changed." in outcome.output
    assert _by_rule(group) == {"mall-co"}
