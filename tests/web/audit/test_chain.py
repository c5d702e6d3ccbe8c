"""The audit hash chain: written with every change, and any edit or deletion is detected."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction
from typer.testing import CliRunner

from placeguard.cli.main import app
from placeguard.web.audit.models import AuditChainHead, AuditEvent
from placeguard.web.audit.services import record, verify_chain
from placeguard.web.sites.services import create_site, update_site
from tests.conftest import World, build_world, site_raw


def test_intact_chain_verifies(world: World) -> None:
    report = verify_chain()
    assert report.ok, report.problems
    assert report.checked == AuditEvent.objects.count() > 0


def test_every_event_links_to_the_previous_one(world: World) -> None:
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert AuditChainHead.objects.get().last_hash == events[-1].hash


def test_editing_a_row_directly_in_the_database_is_detected(world: World) -> None:
    event = AuditEvent.objects.filter(action="site.create").first()
    assert event is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET object_repr = %s WHERE id = %s",
            ["Someone Else's Mall", event.id],
        )
    report = verify_chain()
    assert not report.ok
    assert any(f"event {event.id}: content" in p for p in report.problems)


def test_editing_the_diff_is_detected(world: World) -> None:
    event = AuditEvent.objects.filter(action="site.create").first()
    assert event is not None
    AuditEvent.objects.filter(pk=event.pk).update(diff={"capacity": [None, 1]})
    assert not verify_chain().ok


def test_deleting_a_middle_row_is_detected(world: World) -> None:
    middle = AuditEvent.objects.order_by("id")[3]
    AuditEvent.objects.filter(pk=middle.pk).delete()
    report = verify_chain()
    assert any("link broken" in p for p in report.problems)


def test_deleting_the_last_row_is_detected(world: World) -> None:
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("-id").first().pk).delete()  # type: ignore[union-attr]
    report = verify_chain()
    assert not report.ok
    assert any("head" in p for p in report.problems)


def test_rehashing_an_edited_row_still_breaks_the_next_link(world: World) -> None:
    from placeguard.web.audit.services import compute_hash

    event = AuditEvent.objects.order_by("id")[2]
    event.object_repr = "forged"
    event.hash = compute_hash(event)
    AuditEvent.objects.filter(pk=event.pk).update(object_repr="forged", hash=event.hash)
    assert any("link broken" in p for p in verify_chain().problems)


def test_audit_verify_command_fails_after_a_direct_edit(world: World) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = 'nobody' WHERE id = (SELECT MIN(id) FROM audit_auditevent)"
        )
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken" in broken.output


def test_record_refuses_to_run_outside_a_transaction(transactional_db: None) -> None:
    site = build_world().sites["mall_north"]
    with pytest.raises(RuntimeError, match="transaction"):
        record(actor=None, action="x", obj=site)


def test_a_failed_write_leaves_no_event(world: World) -> None:
    before = AuditEvent.objects.count()

    def doomed() -> None:
        with transaction.atomic():
            create_site(site_raw(name="Doomed"), actor=None)
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        doomed()
    assert AuditEvent.objects.count() == before
    assert verify_chain().ok


def test_update_without_changes_writes_no_event(world: World) -> None:
    before = AuditEvent.objects.count()
    update_site(world.sites["mall_north"], {}, actor=None)
    assert AuditEvent.objects.count() == before


def test_float_fields_hash_stably_through_the_database(world: World) -> None:
    update_site(
        world.sites["mall_north"], {"latitude": 43.123456789, "longitude": -29.1}, actor=None
    )
    assert verify_chain().ok
