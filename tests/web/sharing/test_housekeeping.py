"""The built-in housekeeping schedule: every job does its work and writes its audit events, a
failing job does not stop the others, the task re-enqueues itself on the database backend (and
not on the immediate one), ``ensure_scheduled`` never doubles a waiting run, and the CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from typer.testing import CliRunner

from placeguard.cli import housekeeping as housekeeping_cli
from placeguard.cli import main
from placeguard.cli.main import app
from placeguard.web.audit.models import AuditEvent
from placeguard.web.notifications.choices import Channel, DeliveryStatus
from placeguard.web.notifications.models import OutboxMessage
from placeguard.web.sars import services as sar_services
from placeguard.web.sars.models import SuspiciousActivityReport
from placeguard.web.sharing import housekeeping, lifecycle, services
from placeguard.web.sharing.models import Bulletin, SharingGroup
from tests.conftest import World
from tests.web.sars.conftest import build_sar_world, sar_raw
from tests.web.sharing.conftest import bulletin_raw

EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOB_NAMES = ["expire_bulletins", "purge_bulletins", "purge_sars", "recompute_groups",
             "deliver_notifications"]  # fmt: skip


@pytest.fixture
def hworld(db: None) -> World:
    """The SAR world (sharing world plus a Mall Co reporter)."""
    return build_sar_world()


@pytest.fixture
def on_database() -> Iterator[None]:
    """The django-tasks database backend, as in production (tests default to immediate)."""
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def _published(w: World, **overrides: Any) -> Bulletin:
    police = w.users["police_n"]
    raw = bulletin_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=EVERYONE, **overrides)
    return services.publish_bulletin(services.create_bulletin(raw, actor=police), actor=police)


def _overdue(w: World) -> Bulletin:
    """A published bulletin whose validity ended an hour ago: due to expire."""
    b = _published(w, title="Overdue")
    Bulletin.objects.filter(pk=b.pk).update(valid_until=timezone.now() - timedelta(hours=1))
    return b


def _withdrawn_long_ago(w: World) -> Bulletin:
    """A bulletin withdrawn beyond the retention period: due for purging."""
    b = _published(w, title="Withdrawn long ago")
    services.withdraw_bulletin(b, reason="Superseded.", actor=w.users["police_n"])
    ago = timedelta(days=lifecycle.retention_days() + 10)
    Bulletin.objects.filter(pk=b.pk).update(withdrawn_at=timezone.now() - ago)
    return b


def _sar_due(w: World) -> SuspiciousActivityReport:
    """A report closed with no further action whose purge date was yesterday."""
    police = w.users["police_n"]
    sar = sar_services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    sar_services.vet_sar(sar, {"status": "under_review", "note": "Looking."}, actor=police)
    sar_services.vet_sar(sar, {"status": "no_further_action", "note": "A courier."}, actor=police)
    SuspiciousActivityReport.objects.filter(pk=sar.pk).update(
        purge_due=timezone.localdate() - timedelta(days=1)
    )
    return sar


def _rule_group(w: World) -> SharingGroup:
    """An operator group whose rule will drop Hotel Co once Hotel Co is no longer an operator."""
    police = w.users["police_n"]
    group = services.create_group({"name": "Ops", "rule_org_kinds": ["OPERATOR"]}, actor=police)
    from placeguard.web.orgs.models import Organisation

    Organisation.objects.filter(slug="hotel-co").update(kind="COMMUNITY")
    return group


def _everything_due(w: World) -> dict[str, Any]:
    return {
        "overdue": _overdue(w),
        "withdrawn": _withdrawn_long_ago(w),
        "sar": _sar_due(w),
        "group": _rule_group(w),
    }


def _by_rule(group: SharingGroup) -> set[str]:
    rows = group.memberships.filter(via_rule=True)
    return set(rows.values_list("organisation__slug", flat=True))


# --------------------------------------------------------------------------- the jobs


def test_every_job_does_its_work_and_audits_it(hworld: World) -> None:
    due = _everything_due(hworld)
    assert _by_rule(due["group"]) == {"mall-co", "hotel-co"}

    # A notification left in the outbox (its delivery task lost): the tick delivers it.
    stranded = OutboxMessage.objects.create(
        channel=Channel.EMAIL, user=hworld.users["mall_admin"], to_address="ops@example.org",
        subject="[TLP:GREEN] New bulletin", body="Sign in.", item_kind="bulletin",
        item_id=due["overdue"].pk, tlp="green", event="bulletin.published",
        idempotency_key="stranded-1", next_attempt_at=timezone.now(), created=timezone.now(),
    )  # fmt: skip
    pending = OutboxMessage.objects.filter(status=DeliveryStatus.PENDING).count()

    report = housekeeping.run_housekeeping()

    assert report.ok and report.failed == []
    counts = {o.name: o.count for o in report.outcomes}
    assert counts == {**dict.fromkeys(JOB_NAMES, 1), "deliver_notifications": pending}
    stranded.refresh_from_db()
    assert stranded.status == DeliveryStatus.DELIVERED
    status = dict(Bulletin.objects.values_list("pk", "status"))
    assert status[due["overdue"].pk] == "expired"  # expired now: far from purge age
    assert status[due["withdrawn"].pk] == "purged"
    sar = SuspiciousActivityReport.objects.get(pk=due["sar"].pk)
    assert sar.status == "purged" and sar.purged_at is not None and sar.narrative == ""
    assert _by_rule(due["group"]) == {"mall-co"}
    audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"bulletin.expire", "bulletin.purge_certificate", "sar.purge",
            "sharing_group.rule_recompute"} <= audited  # fmt: skip
    expire = AuditEvent.objects.get(action="bulletin.expire")
    assert (expire.object_id, expire.actor_label) == (str(due["overdue"].pk), "system")

    again = housekeeping.run_housekeeping()  # nothing left to do: zero everywhere, no new events
    assert {o.name: o.count for o in again.outcomes} == dict.fromkeys(JOB_NAMES, 0)
    assert AuditEvent.objects.filter(action="bulletin.expire").count() == 1


def test_jobs_compare_dates_with_the_given_now(hworld: World) -> None:
    b = _published(hworld, valid_until=timezone.now() + timedelta(hours=2))
    assert housekeeping.run_housekeeping().outcomes[0].count == 0
    later = housekeeping.run_housekeeping(timezone.now() + timedelta(hours=3))
    assert later.outcomes[0].count == 1
    assert Bulletin.objects.get(pk=b.pk).status == "expired"


def test_a_failing_job_is_logged_and_reported_and_the_others_still_run(
    hworld: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    due = _everything_due(hworld)

    def broken(**kwargs: Any) -> Any:
        msg = "disk on fire"
        raise RuntimeError(msg)

    monkeypatch.setattr(lifecycle, "purge_bulletins", broken)
    with caplog.at_level(logging.ERROR, logger="placeguard.web.sharing.housekeeping"):
        report = housekeeping.run_housekeeping()

    assert not report.ok and report.failed == ["purge_bulletins"]
    outcome = {o.name: o for o in report.outcomes}
    assert outcome["purge_bulletins"].error == "RuntimeError: disk on fire"
    assert outcome["purge_bulletins"].count is None
    assert [outcome[n].count for n in ("expire_bulletins", "purge_sars", "recompute_groups")] == [
        1,
        1,
        1,
    ]  # the jobs before and after the broken one ran
    assert Bulletin.objects.get(pk=due["withdrawn"].pk).status == "withdrawn"
    assert SuspiciousActivityReport.objects.get(pk=due["sar"].pk).status == "purged"
    assert _by_rule(due["group"]) == {"mall-co"}
    logged = [r for r in caplog.records if "purge_bulletins" in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # with its traceback
    assert report.as_dict()["jobs"]["purge_bulletins"] == {"error": "RuntimeError: disk on fire"}


# --------------------------------------------------------------------------- the schedule


def test_immediate_backend_runs_once_inline_and_does_not_reschedule(hworld: World) -> None:
    b = _overdue(hworld)
    assert housekeeping.ensure_scheduled() is True  # tests: the immediate backend runs it now
    assert Bulletin.objects.get(pk=b.pk).status == "expired"
    assert not DBTaskResult.objects.exists()  # and it queued no next run (nor recursed)
    result = housekeeping.housekeeping.enqueue()
    assert result.return_value["ok"] is True
    assert result.return_value["jobs"]["expire_bulletins"] == 0


@pytest.mark.usefixtures("on_database")
def test_ensure_scheduled_enqueues_once_and_not_again_while_one_waits(hworld: World) -> None:
    assert housekeeping.ensure_scheduled() is True
    rows = DBTaskResult.objects.filter(task_path=housekeeping.housekeeping.module_path)
    assert rows.count() == 1
    row = rows.get()
    assert row.status == "READY" and row.backend_name == "default"
    assert housekeeping.ensure_scheduled() is False  # a restart does not start a second chain
    assert rows.count() == 1

    rows.update(status="RUNNING", started_at=timezone.now())  # the worker is on it
    assert housekeeping.ensure_scheduled() is False
    assert rows.count() == 1

    rows.update(started_at=timezone.now() - housekeeping.STALE_RUN - timedelta(minutes=1))
    assert housekeeping.ensure_scheduled() is True  # a run stuck that long is dead: schedule anew
    assert rows.count() == 2

    rows.update(status="SUCCESSFUL")
    assert housekeeping.ensure_scheduled() is True  # finished runs do not count
    assert rows.filter(status="READY").count() == 1

    # A run left waiting from a longer interval (a day, now an hour) does not hold back the new
    # schedule; one due within the interval does.
    rows.filter(status="READY").update(run_after=timezone.now() + timedelta(days=1))
    assert housekeeping.ensure_scheduled() is True
    rows.filter(status="READY").update(run_after=timezone.now() + timedelta(minutes=30))
    assert housekeeping.ensure_scheduled() is False


@pytest.mark.usefixtures("on_database")
def test_other_task_rows_do_not_count_as_housekeeping(hworld: World) -> None:
    lifecycle.expire_bulletins.enqueue()
    assert DBTaskResult.objects.count() == 1
    assert not housekeeping.pending_runs().exists()
    assert housekeeping.ensure_scheduled() is True


@pytest.mark.usefixtures("on_database")
def test_the_task_runs_the_jobs_and_enqueues_the_next_run_one_interval_later(
    hworld: World, settings: Any
) -> None:
    settings.PLACEGUARD_HOUSEKEEPING_MINUTES = 15
    b = _overdue(hworld)
    before = timezone.now()
    outcome = housekeeping.housekeeping.call()  # what the worker does with a queued row
    after = timezone.now()
    assert outcome["jobs"]["expire_bulletins"] == 1
    assert Bulletin.objects.get(pk=b.pk).status == "expired"
    row = DBTaskResult.objects.get(task_path=housekeeping.housekeeping.module_path)
    assert row.status == "READY"
    assert before + timedelta(minutes=15) <= row.run_after <= after + timedelta(minutes=15)
    housekeeping.housekeeping.call()  # a second chain would double the schedule: it does not
    assert DBTaskResult.objects.filter(task_path=row.task_path).count() == 1


@pytest.mark.usefixtures("on_database")
def test_the_task_reschedules_even_when_the_run_crashes(
    hworld: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(now: Any = None) -> Any:
        msg = "unexpected"
        raise RuntimeError(msg)

    monkeypatch.setattr(housekeeping, "run_housekeeping", crash)
    with pytest.raises(RuntimeError):
        housekeeping.housekeeping.call()
    assert housekeeping.pending_runs().filter(status="READY").count() == 1


@pytest.mark.usefixtures("on_database")
def test_interval_zero_disables_the_schedule(hworld: World, settings: Any) -> None:
    settings.PLACEGUARD_HOUSEKEEPING_MINUTES = 0
    b = _overdue(hworld)
    assert housekeeping.interval() is None
    assert housekeeping.ensure_scheduled() is False
    assert not DBTaskResult.objects.exists()
    housekeeping.housekeeping.call()  # a run still queued from before does its work …
    assert Bulletin.objects.get(pk=b.pk).status == "expired"
    assert not DBTaskResult.objects.exists()  # … but queues no next one
    settings.PLACEGUARD_HOUSEKEEPING_MINUTES = 60
    assert housekeeping.interval() == timedelta(hours=1)
    assert housekeeping.ensure_scheduled() is True


def test_interval_zero_runs_nothing_with_the_immediate_backend(
    hworld: World, settings: Any
) -> None:
    settings.PLACEGUARD_HOUSEKEEPING_MINUTES = 0
    b = _overdue(hworld)
    assert housekeeping.ensure_scheduled() is False
    assert Bulletin.objects.get(pk=b.pk).status == "published"


# --------------------------------------------------------------------------- CLI and serve


def test_cli_run_prints_a_table_and_json(hworld: World) -> None:
    _overdue(hworld)
    table = CliRunner().invoke(app, ["housekeeping", "run"])
    assert table.exit_code == 0, table.output
    assert all(name in table.output for name in JOB_NAMES)
    _overdue(hworld)
    as_json = CliRunner().invoke(app, ["housekeeping", "run", "--json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    assert doc["ok"] is True
    assert doc["jobs"] == {"expire_bulletins": 1, "purge_bulletins": 0, "purge_sars": 0,
                           "recompute_groups": 0, "deliver_notifications": 0}  # fmt: skip


def test_cli_run_exits_1_when_a_job_failed(hworld: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Any:
        msg = "[bold]no groups[/bold]"  # error text is shown as text, not Rich markup
        raise RuntimeError(msg)

    monkeypatch.setattr(lifecycle, "recompute_group_rules", broken)
    b = _overdue(hworld)
    outcome = CliRunner().invoke(app, ["housekeeping", "run", "--json"])
    assert outcome.exit_code == 1
    doc = json.loads(outcome.stdout)
    assert doc["ok"] is False
    assert doc["jobs"]["recompute_groups"] == {"error": "RuntimeError: [bold]no groups[/bold]"}
    assert Bulletin.objects.get(pk=b.pk).status == "expired"
    table = CliRunner().invoke(app, ["housekeeping", "run"])
    assert table.exit_code == 1
    assert "[bold]no groups[/bold]" in table.output


def _fake_servers(monkeypatch: pytest.MonkeyPatch) -> tuple[list[bool], list[str]]:
    """Stub the web servers and record scheduling calls (production flag) and server starts."""
    import subprocess

    import django.core.management

    scheduled: list[bool] = []
    started: list[str] = []
    monkeypatch.setattr(
        main, "schedule_beside_server", lambda production=False: scheduled.append(production)
    )
    monkeypatch.setattr(
        django.core.management, "call_command", lambda *a, **k: started.append(a[0])
    )
    monkeypatch.setattr(subprocess, "call", lambda cmd: started.append(cmd[2]) or 0)
    return scheduled, started


def test_serve_schedules_housekeeping_when_the_worker_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    scheduled, started = _fake_servers(monkeypatch)
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert (scheduled, started) == ([False], ["runserver"])
    assert CliRunner().invoke(app, ["serve", "--production"]).exit_code == 0
    assert (scheduled, started) == ([False, True], ["runserver", "gunicorn"])
    assert CliRunner().invoke(app, ["serve", "--no-worker"]).exit_code == 0
    assert CliRunner().invoke(app, ["serve", "--production", "--no-worker"]).exit_code == 0
    assert scheduled == [False, True]  # no worker, nothing would run it: not scheduled
    assert started == ["runserver", "gunicorn", "runserver", "gunicorn"]


def test_scheduling_failure_is_logged_and_does_not_stop_the_server(
    hworld: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(now: Any = None) -> bool:
        msg = "no such table: django_tasks_database_dbtaskresult"
        raise RuntimeError(msg)

    monkeypatch.setattr(housekeeping, "ensure_scheduled", broken)
    # Django is set up already; setting it up again would reset logging and unhook caplog.
    monkeypatch.setattr(housekeeping_cli._django, "setup", lambda: None)
    with caplog.at_level(logging.ERROR, logger="placeguard.cli.housekeeping"):
        housekeeping_cli.schedule_beside_server()  # no exception
    assert any("could not schedule housekeeping" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    b = _overdue(hworld)
    housekeeping_cli.schedule_beside_server()  # the real one: immediate backend, runs inline
    assert Bulletin.objects.get(pk=b.pk).status == "expired"


@pytest.mark.usefixtures("on_database")
def test_cli_schedule_queues_once(hworld: World, settings: Any) -> None:
    first = CliRunner().invoke(app, ["housekeeping", "schedule"])
    assert first.exit_code == 0, first.output
    assert "Housekeeping queued" in first.output
    second = CliRunner().invoke(app, ["housekeeping", "schedule"])
    assert "already queued" in second.output
    assert housekeeping.pending_runs().count() == 1
    settings.PLACEGUARD_HOUSEKEEPING_MINUTES = 0
    off = CliRunner().invoke(app, ["housekeeping", "schedule"])
    assert "Housekeeping is off" in off.output
