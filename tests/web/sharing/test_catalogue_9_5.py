"""Catalogue 9.5 (SAR-specific): SARs live in web/sars, whose helper covers 39-46.

The sharing hub's part is entry 46 for bulletins: every release outside the originating
organisation (publishing, forwarding, expiry) leaves an audit event saying who, to whom, why and
when. docs/sharing-tests.md maps every entry.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sharing import lifecycle, services
from placeguard.web.sharing.models import Bulletin
from tests.conftest import World
from tests.web.sharing.conftest import bulletin_raw


def test_dissemination_log_written_for_every_outside_release(sworld: World) -> None:
    police = sworld.users["police_n"]
    services.link_provider(provider=sworld.orgs["guard-co"], client=sworld.orgs["hotel-co"],
                           actor=None)  # fmt: skip
    b = services.create_bulletin(
        bulletin_raw(orgs=[sworld.orgs["mall-co"].pk], target_site_types=["hospitality"]),
        actor=police,
    )
    assert not AuditEvent.objects.filter(action="bulletin.publish").exists()  # drafts stay in
    services.publish_bulletin(b, actor=police)
    published = AuditEvent.objects.get(action="bulletin.publish", object_id=str(b.pk))
    assert published.actor_label == "police_n" and published.at is not None
    assert published.diff["rule_orgs"] == [sworld.orgs["hotel-co"].pk]  # resolved at publish
    lifecycle.forward_bulletin(b, to_orgs=[sworld.orgs["hotel-co"].pk],
                               actor=sworld.users["guard_pub"], reason="Client site.")  # fmt: skip
    forwarded = AuditEvent.objects.get(action="bulletin.forward", object_id=str(b.pk))
    assert forwarded.actor_label == "guard_pub"
    assert forwarded.organisation_id == sworld.orgs["guard-co"].pk
    assert forwarded.diff["already_recipients"] == [sworld.orgs["hotel-co"].pk]
    assert forwarded.diff["reason"] == "Client site."
    Bulletin.objects.filter(pk=b.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    lifecycle.expire_due()
    assert AuditEvent.objects.filter(action="bulletin.expire", object_id=str(b.pk)).count() == 1
