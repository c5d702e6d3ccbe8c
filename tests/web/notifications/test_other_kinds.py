"""Incidents, practices and suspicious-activity reports notify exactly those who can read them."""

from __future__ import annotations

from typing import Any

from placeguard.web.incidents import services as incidents
from placeguard.web.incidents.queries import incidents_visible_to
from placeguard.web.notifications.models import Notification
from placeguard.web.orgs import services as orgs
from placeguard.web.orgs.models import User
from placeguard.web.practices import services as practices
from placeguard.web.practices.queries import practices_visible_to
from placeguard.web.sars import services as sars
from tests.conftest import PASSWORD
from tests.web.incidents.conftest import incident_raw
from tests.web.practices.conftest import practice_raw
from tests.web.sars.conftest import build_sar_world, sar_raw


def _told(kind: str, pk: int, event: str) -> set[int]:
    rows = Notification.objects.filter(item_kind=kind, item_id=pk, event=event)
    return set(rows.values_list("user_id", flat=True))


def _readers(visible: Any, record: Any) -> set[int]:
    """Users outside the originator who see ``record`` with content (the oracle)."""
    out = set()
    for user in User.objects.exclude(organisation_id=record.org_id).exclude(organisation=None):
        if visible(user).filter(pk=record.pk, is_stub=False).exists():
            out.add(user.pk)
    return out


def test_published_incident_tells_its_readers_only(db: None) -> None:
    w = build_sar_world()
    police = w.users["police_n"]
    incident = incidents.create_incident(
        incident_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=["READER", "ANALYST", "ORG_ADMIN"]),
        actor=police,
    )
    assert not _told("incident", incident.pk, "incident.published")  # drafts tell nobody
    incidents.publish_incident(incident, actor=police)
    expected = _readers(incidents_visible_to, incident)
    assert expected  # the mall's users read it
    assert _told("incident", incident.pk, "incident.published") == expected
    assert w.users["hotel_reader"].pk not in expected

    incidents.withdraw_incident(incident, reason="Closed.", actor=police)
    withdrawn = Notification.objects.filter(item_id=incident.pk, event="incident.withdrawn")
    assert set(withdrawn.values_list("user_id", flat=True)) == expected
    assert all(n.title == "" for n in withdrawn)  # a stub: no title


def test_red_incident_notice_is_content_free(db: None) -> None:
    w = build_sar_world()
    police = w.users["police_n"]
    incident = incidents.create_incident(
        incident_raw(tlp="red", users=[w.users["mall_admin"].pk]), actor=police
    )
    incidents.publish_incident(incident, actor=police)
    rows = list(Notification.objects.filter(item_kind="incident", item_id=incident.pk))
    assert [r.user_id for r in rows] == [w.users["mall_admin"].pk]
    assert incident.title not in rows[0].title + rows[0].body


def test_published_practice_tells_its_readers_only(db: None) -> None:
    w = build_sar_world()
    police = w.users["police_n"]
    practice = practices.create_practice(
        practice_raw(tlp="green", audience_community=True), actor=police
    )
    second = orgs.create_user(actor=None, username="police_n2", organisation=w.orgs["police-north"],
                              roles=["PUBLISHER"], password=PASSWORD)  # fmt: skip
    practices.publish_practice(practice, actor=police)
    practices.publish_practice(practice, actor=second)  # a broadcast needs a second publisher
    practice.refresh_from_db()
    assert practice.status == "published"
    expected = _readers(practices_visible_to, practice)
    assert w.users["hotel_reader"].pk in expected
    assert _told("practice", practice.pk, "practice.published") == expected


def test_sar_notices_reach_the_police_then_the_reporting_organisation(db: None) -> None:
    w = build_sar_world()
    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    filed = _told("sar", sar.pk, "sar.filed")
    police_north = {u.pk for u in User.objects.filter(organisation=w.orgs["police-north"])}
    assert filed and filed <= police_north  # vetted responsible force only
    assert w.users["police_s"].pk not in filed and w.users["hotel_reader"].pk not in filed

    sars.vet_sar(sar, {"status": "under_review"}, actor=w.users["police_n"])
    told = _told("sar", sar.pk, "sar.status.under_review")
    assert w.users["mall_reporter"].pk in told  # the author sees the status
    assert told <= {u.pk for u in User.objects.filter(organisation=w.orgs["mall-co"])}
    note = Notification.objects.get(user=w.users["mall_reporter"], event="sar.status.under_review")
    assert sar.narrative not in note.title + note.body
