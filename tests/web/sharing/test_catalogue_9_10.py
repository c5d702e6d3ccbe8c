"""Catalogue 9.10 (reliability and operations) for the sharing hub.

Outbox, fan-out and evidence-hash entries belong to web/notifications and web/incidents;
concurrent-edit protection and a retention job are not built (docs/sharing-tests.md).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.services import verify_chain
from placeguard.web.sharing import lifecycle, services
from placeguard.web.sharing.models import Bulletin
from tests.conftest import World
from tests.web.sharing.conftest import bulletin_raw


def test_audit_log_tamper_evident(sworld: World) -> None:
    """Sharing events (create, publish, forward, acknowledge, expire) join the hash chain;
    editing one in the database is detected by the verification job."""
    police = sworld.users["police_n"]
    raw = bulletin_raw(orgs=[sworld.orgs["mall-co"].pk], need_to_know=["ORG_ADMIN", "READER"])
    b = services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)
    services.acknowledge(b, actor=sworld.users["mall_admin"])
    Bulletin.objects.filter(pk=b.pk).update(valid_until=timezone.now() - timedelta(hours=1))
    assert lifecycle.expire_due() == 1
    assert verify_chain().ok
    event = AuditEvent.objects.get(action="bulletin.expire")
    with connection.cursor() as cursor:  # hide that it expired: change the diff in place
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET diff = %s WHERE id = %s",  # noqa: S608
            ['{"status": ["published", "published"]}', event.pk],
        )
    report = verify_chain()
    assert not report.ok and report.problems
