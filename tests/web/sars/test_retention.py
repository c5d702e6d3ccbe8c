"""Retention: unfounded reports are purged after the configured days (content and identity
deleted, tombstone and purge certificate kept); referred ones get a capped review date."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from typer.testing import CliRunner

from placeguard.cli.main import app
from placeguard.core.errors import ConflictError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.services import verify_chain
from placeguard.web.sars import queries, retention, services
from placeguard.web.sars.models import (
    Attachment,
    AttachmentContent,
    Dissemination,
    ReporterIdentity,
    SuspiciousActivityReport,
    VettingNote,
)
from tests.conftest import World
from tests.web.sars.conftest import PDF, sar_raw

pytestmark = pytest.mark.django_db


def _closed(w: World) -> SuspiciousActivityReport:
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                            files=[("a.pdf", PDF)])  # fmt: skip
    police = w.users["police_n"]
    services.vet_sar(sar, {"status": "under_review", "note": "Looking."}, actor=police)
    services.vet_sar(sar, {"status": "no_further_action", "note": "A lost courier."},
                     actor=police)  # fmt: skip
    sar.refresh_from_db()
    return sar


@override_settings(PLACEGUARD_SAR_RETENTION_DAYS=30)
def test_unfounded_report_purged_after_retention(sarworld: World) -> None:
    w = sarworld
    sar = _closed(w)
    today = timezone.localdate()
    assert sar.purge_due == today + timedelta(days=30)
    assert retention.run_purge(today=today + timedelta(days=29)).purged == ()  # not yet
    with pytest.raises(ConflictError):
        services.purge_sar(sar, today=today)
    report = retention.run_purge(today=today + timedelta(days=30))
    assert report.purged == (sar.pk,)
    sar.refresh_from_db()
    assert sar.status == "purged" and sar.purged_at and sar.author is None
    assert sar.narrative == "" and sar.observed_from is None
    assert not ReporterIdentity.objects.filter(sar=sar).exists()
    assert not VettingNote.objects.filter(sar=sar).exists()
    assert not Attachment.objects.exists() and not AttachmentContent.objects.exists()
    assert not sar.behaviours.exists()
    # Tombstone, certificate and the record of who received the data remain.
    event = AuditEvent.objects.get(action="sar.purge", object_id=str(sar.pk))
    assert sar.purge_certificate["audit_event"] == event.pk
    assert sar.purge_certificate["deleted"]["reporter_identity"] is True
    assert len(sar.purge_certificate["deleted"]["attachments_sha256"]) == 1
    assert Dissemination.objects.filter(sar=sar).count() == 1
    assert verify_chain().ok
    # Nobody reads a tombstone (R2), not even its former readers.
    for name in ["mall_reporter", "mall_admin", "police_n"]:
        assert not queries.sars_visible_to(w.users[name]).filter(pk=sar.pk).exists()


def test_open_and_referred_reports_are_not_purged(sarworld: World) -> None:
    w = sarworld
    fresh = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    referred = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    police = w.users["police_n"]
    services.vet_sar(referred, {"status": "under_review"}, actor=police)
    services.vet_sar(referred, {"status": "referred", "note": "n"}, actor=police)
    far = timezone.localdate() + timedelta(days=4000)
    report = retention.run_purge(today=far)
    assert report.purged == ()
    assert report.overdue_reviews == (referred.pk,)
    assert SuspiciousActivityReport.objects.filter(purged_at__isnull=True).count() == 2
    assert fresh.pk


@override_settings(PLACEGUARD_SAR_REVIEW_DAYS=100_000)
def test_review_date_never_beyond_the_policy_maximum(sarworld: World) -> None:
    w = sarworld
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    police = w.users["police_n"]
    services.vet_sar(sar, {"status": "under_review"}, actor=police)
    services.vet_sar(sar, {"status": "referred", "note": "n"}, actor=police)
    sar.refresh_from_db()
    assert sar.review_due == timezone.localdate() + timedelta(days=retention.MAX_REVIEW_DAYS)
    with override_settings(PLACEGUARD_SAR_REVIEW_DAYS=90):
        assert retention.review_days() == 90


@override_settings(PLACEGUARD_SAR_RETENTION_DAYS=1)
def test_cli_purge_dry_run_then_real(sarworld: World) -> None:
    w = sarworld
    sar = _closed(w)
    SuspiciousActivityReport.objects.filter(pk=sar.pk).update(
        purge_due=timezone.localdate() - timedelta(days=1)
    )
    runner = CliRunner()
    dry = runner.invoke(app, ["sars", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["would_purge"] == [sar.pk]
    assert SuspiciousActivityReport.objects.get(pk=sar.pk).purged_at is None
    real = runner.invoke(app, ["sars", "purge"])
    assert json.loads(real.output)["purged"] == [sar.pk]
    assert SuspiciousActivityReport.objects.get(pk=sar.pk).purged_at is not None
