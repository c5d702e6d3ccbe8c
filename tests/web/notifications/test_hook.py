"""The queuing hook: notifications follow the sharing policy exactly and respect TLP."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q

from placeguard.core.vocab import TLP
from placeguard.web.notifications import services
from placeguard.web.notifications.choices import Channel
from placeguard.web.notifications.models import Notification, OutboxMessage, WebhookEndpoint
from placeguard.web.orgs import services as orgs
from placeguard.web.sharing import services as sharing
from placeguard.web.sharing.models import Bulletin
from placeguard.web.sharing.queries import bulletins_visible_to
from tests.conftest import World
from tests.web.notifications.conftest import NO_EMAIL, public_resolver
from tests.web.sharing.conftest import bulletin_raw
from tests.web.sharing.test_oracle import PERSONAS

EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _publish(w: World, author: str = "police_n", **raw: Any) -> Bulletin:
    user = w.users[author]
    bulletin = sharing.create_bulletin(bulletin_raw(**raw), actor=user)
    return sharing.publish_bulletin(bulletin, actor=user)


CASES: dict[str, Any] = {
    "amber to Mall Co, everyone needs to know": lambda w: {
        "orgs": [w.orgs["mall-co"].pk], "need_to_know": EVERYONE,
    },
    "amber to Mall Co, R8 default (no readers)": lambda w: {"orgs": [w.orgs["mall-co"].pk]},
    "amber+strict to the north group": lambda w: {
        "tlp": "amber+strict", "groups": [w.groups["north"].pk], "need_to_know": EVERYONE,
    },
    "green to the community": lambda w: {"tlp": "green", "audience_community": True},
    "red to two named people": lambda w: {
        "tlp": "red", "users": [w.users["mall_reader"].pk, w.users["hotel_admin"].pk],
    },
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_exactly_the_readers_outside_the_originator_are_notified(nworld: World, case: str) -> None:
    w = nworld
    raw = CASES[case](w)
    if raw.get("audience_community"):  # a broadcast needs a second publisher (W2)
        draft = sharing.create_bulletin(bulletin_raw(**raw), actor=w.users["police_n"])
        sharing.publish_bulletin(draft, actor=w.users["police_n"])
        second = orgs.create_user(actor=None, username="police_n2", organisation=w.orgs[
            "police-north"], roles=["PUBLISHER"])  # fmt: skip
        bulletin = sharing.publish_bulletin(draft, actor=second)
    else:
        bulletin = _publish(w, **raw)
    assert bulletin.status == "published"
    notified = set(
        Notification.objects.filter(item_kind="bulletin", item_id=bulletin.pk).values_list(
            "user__username", flat=True
        )
    )
    mailed = set(
        OutboxMessage.objects.filter(
            channel=Channel.EMAIL, item_kind="bulletin", item_id=bulletin.pk
        ).values_list("user__username", flat=True)
    )
    expected = {
        name
        for name in PERSONAS
        if w.users[name].organisation_id != bulletin.org_id
        and bulletins_visible_to(w.users[name]).filter(Q(is_stub=False), pk=bulletin.pk).exists()
    }
    assert notified == expected
    assert mailed == expected - {NO_EMAIL}
    assert expected, "every case reaches somebody"
    assert set(PERSONAS) - expected, "and leaves somebody out"
    # exactly one row per recipient and channel
    assert Notification.objects.filter(item_id=bulletin.pk).count() == len(expected)


def test_red_is_a_content_free_ping(nworld: World) -> None:
    w = nworld
    services.create_endpoint({"url": "https://hooks.example.org/pg"},
                             actor=w.users["mall_admin"], resolve=public_resolver)  # fmt: skip
    bulletin = _publish(
        w, tlp="red", title="Named suspect Jane Doe", body="Secret body",
        users=[w.users["mall_reader"].pk],
    )  # fmt: skip
    note = Notification.objects.get(item_id=bulletin.pk)
    assert note.user == w.users["mall_reader"]
    assert note.title == ""
    assert note.body == "You have a new TLP:RED item, sign in to read it."
    mail = OutboxMessage.objects.get(channel=Channel.EMAIL, item_id=bulletin.pk)
    assert mail.subject.startswith("[TLP:RED]")
    for text in (mail.subject, mail.body, note.body):
        assert "Jane" not in text and "Secret" not in text
    assert f"/{bulletin.pk}/" not in mail.body  # no link to the item in a RED e-mail
    # never a webhook for RED, although Mall Co has an endpoint and a recipient
    assert not OutboxMessage.objects.filter(channel=Channel.WEBHOOK).exists()


def test_subject_carries_the_tlp_and_the_title_for_amber(nworld: World) -> None:
    w = nworld
    bulletin = _publish(w, orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE)
    mail = OutboxMessage.objects.filter(channel=Channel.EMAIL, item_id=bulletin.pk).first()
    assert mail is not None
    assert mail.subject == "[TLP:AMBER] New TLP:AMBER bulletin: Hostile reconnaissance near malls"
    note = Notification.objects.filter(item_id=bulletin.pk).first()
    assert note is not None and note.title == "Hostile reconnaissance near malls"
    assert note.url == f"/sharing/bulletins/{bulletin.pk}/"


def test_queuing_twice_adds_nothing(nworld: World) -> None:
    w = nworld
    bulletin = _publish(w, orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE)
    before = (Notification.objects.count(), OutboxMessage.objects.count())
    assert before[0] > 0
    services.queue_for_bulletin(bulletin, event="bulletin.published")
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == before


def test_withdrawal_tells_the_readers_without_the_title(nworld: World) -> None:
    w = nworld
    bulletin = _publish(w, orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE)
    readers = set(Notification.objects.filter(item_id=bulletin.pk).values_list("user", flat=True))
    sharing.withdraw_bulletin(bulletin, reason="Superseded.", actor=w.users["police_n"])
    notes = Notification.objects.filter(item_id=bulletin.pk, event="bulletin.withdrawn")
    assert set(notes.values_list("user", flat=True)) == readers
    assert all(n.title == "" and "Hostile" not in n.body for n in notes)


def test_webhooks_go_to_recipient_organisations_up_to_amber(nworld: World) -> None:
    w = nworld
    endpoints = {
        admin: services.create_endpoint(
            {"url": f"https://{admin}.example.org/hook"}, actor=w.users[admin],
            resolve=public_resolver,
        )
        for admin in ("mall_admin", "hotel_admin")
    }  # fmt: skip
    amber = _publish(w, orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE)
    hooks = OutboxMessage.objects.filter(channel=Channel.WEBHOOK, item_id=amber.pk)
    assert [h.endpoint_id for h in hooks] == [endpoints["mall_admin"].pk]  # not Hotel Co
    payload = hooks[0].payload
    assert payload["event"] == "bulletin.published"
    assert payload["item"] == {"kind": "bulletin", "id": amber.pk, "tlp": "amber",
                               "title": "Hostile reconnaissance near malls"}  # fmt: skip
    strict = _publish(w, tlp="amber+strict", orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE)
    assert Notification.objects.filter(item_id=strict.pk).exists()
    assert not OutboxMessage.objects.filter(channel=Channel.WEBHOOK, item_id=strict.pk).exists()
    WebhookEndpoint.objects.filter(pk=endpoints["mall_admin"].pk).update(active=False)
    again = _publish(w, orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE)
    assert not OutboxMessage.objects.filter(channel=Channel.WEBHOOK, item_id=again.pk).exists()


def test_the_generic_hook_narrows_webhooks_to_recipient_organisations(nworld: World) -> None:
    w = nworld
    hotel = services.create_endpoint({"url": "https://hotel.example.org/hook"},
                                     actor=w.users["hotel_admin"], resolve=public_resolver)  # fmt: skip
    mall = services.create_endpoint({"url": "https://mall.example.org/hook"},
                                    actor=w.users["mall_admin"], resolve=public_resolver)  # fmt: skip
    item = services.ItemRef(kind="incident", pk=7, tlp=TLP.GREEN, title="Fire drill")
    queued = services.queue(
        item,
        event="incident.published",
        user_ids=[w.users["mall_reader"].pk],
        org_ids=[w.orgs["hotel-co"].pk, w.orgs["mall-co"].pk],  # Hotel Co has no recipient
    )
    assert queued == services.Queued(in_app=1, email=1, webhook=1)
    hook = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    assert hook.endpoint_id == mall.pk != hotel.pk
    assert hook.idempotency_key == f"incident.published:incident:7:webhook:{mall.pk}"
