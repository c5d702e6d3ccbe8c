"""Incident writes: invariants (422, nothing half-saved), immutable fields, references, audit."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.audit.models import AuditEvent
from placeguard.web.incidents import services
from placeguard.web.incidents.models import Incident, Task, TimelineEntry
from tests.conftest import World
from tests.web.incidents.conftest import incident_raw, shared_incident

pytestmark = pytest.mark.django_db


def _codes(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_create_records_a_draft_with_audit(iworld: World) -> None:
    w: Any = iworld
    incident = services.create_incident(
        incident_raw(orgs=[w.orgs["mall-co"].pk], sites=[w.sites["mall_north"].pk], deaths=0,
                     lead_investigator=w.users["police_n"].pk),
        actor=w.users["police_n"],
    )  # fmt: skip
    assert incident.status == "draft"
    assert incident.org == w.orgs["police-north"]
    assert list(incident.sites.all()) == [w.sites["mall_north"]]
    assert incident.deaths == 0 and incident.injured is None  # None = unknown
    assert AuditEvent.objects.filter(action="incident.create", object_id=str(incident.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tlp": "red"}, "users"),  # RED needs named people (I1)
        ({"tlp": "amber", "audience_public": True}, "audience_public"),  # public only CLEAR
        ({"tlp": "amber", "audience_community": True}, "audience_community"),
    ],
)
def test_tlp_audience_mismatch_is_refused_and_nothing_is_saved(
    iworld: World, overrides: dict[str, object], field: str
) -> None:
    w: Any = iworld
    with pytest.raises(services.InvariantError) as exc:
        services.create_incident(incident_raw(**overrides), actor=w.users["police_n"])
    assert any(e.code == "I1" and e.field == "audience" for e in exc.value.errors)
    assert not Incident.objects.exists()
    # Allowed: the same audience at a level that permits it.
    ok: dict[str, Any] = {"tlp": "red", "users": [w.users["mall_reader"].pk]} if field == "users" else {
        field: True, "tlp": "clear" if field == "audience_public" else "green"}  # fmt: skip
    assert services.create_incident(incident_raw(**ok), actor=w.users["police_n"]).pk


def test_stale_group_reference_is_refused(iworld: World) -> None:
    w: Any = iworld
    with pytest.raises(services.InvariantError) as exc:
        services.create_incident(
            incident_raw(groups=[w.groups["dormant"].pk]), actor=w.users["police_n"]
        )
    assert {e.code for e in exc.value.errors} == {"I6"}, exc.value.errors
    with pytest.raises(services.InvariantError):
        services.create_incident(incident_raw(groups=[999_999]), actor=w.users["police_n"])
    assert not Incident.objects.exists()
    ok = services.create_incident(
        incident_raw(groups=[w.groups["north"].pk]), actor=w.users["police_n"]
    )
    assert [r.group_id for r in ok.group_rows.all()] == [w.groups["north"].pk]


def test_unknown_and_immutable_fields(iworld: World) -> None:
    w: Any = iworld
    with pytest.raises(ValidationError) as exc:
        services.create_incident(incident_raw(colour="red"), actor=w.users["police_n"])
    assert exc.value.errors[0].code == "unknown_field"
    incident = services.create_incident(incident_raw(), actor=w.users["police_n"])
    for key, value in [("org", w.orgs["mall-co"].pk), ("author", w.users["police_s"].pk),
                       ("id", incident.pk + 1)]:  # fmt: skip
        with pytest.raises(services.InvariantError) as inv:
            services.update_incident(
                incident, {key: value, "title": "X"}, actor=w.users["police_n"]
            )
        assert inv.value.errors[0].code == "I7"
    incident.refresh_from_db()
    assert incident.title != "X"  # nothing half-saved
    # Sending the unchanged value is fine.
    services.update_incident(
        incident, {"org": w.orgs["police-north"].pk, "title": "X"}, actor=w.users["police_n"]
    )
    incident.refresh_from_db()
    assert incident.title == "X"


def test_only_visible_sites_can_be_linked(iworld: World) -> None:
    w: Any = iworld
    # Police North's jurisdiction is north-a/north-b: the south mall is not visible to it.
    with pytest.raises(services.InvariantError) as exc:
        services.create_incident(
            incident_raw(sites=[w.sites["mall_south"].pk]), actor=w.users["police_n"]
        )
    assert "sites" in _codes(exc)
    ok = services.create_incident(
        incident_raw(sites=[w.sites["mall_north"].pk]), actor=w.users["police_n"]
    )
    assert ok.sites.count() == 1


def test_lead_investigator_must_belong_to_the_org(iworld: World) -> None:
    w: Any = iworld
    with pytest.raises(services.InvariantError):
        services.create_incident(
            incident_raw(lead_investigator=w.users["mall_admin"].pk), actor=w.users["police_n"]
        )
    ok = services.create_incident(
        incident_raw(lead_investigator=w.users["police_n_reader"].pk), actor=w.users["police_n"]
    )
    assert ok.lead_investigator == w.users["police_n_reader"]


def test_readers_cannot_create(iworld: World) -> None:
    w: Any = iworld
    with pytest.raises(PermissionDeniedError):
        services.create_incident(incident_raw(), actor=w.users["police_n_reader"])
    assert services.create_incident(incident_raw(), actor=w.users["police_n"]).pk


def test_widening_is_audited_and_only_by_the_originators_publishers(iworld: World) -> None:
    w: Any = iworld
    incident = shared_incident(w)
    # Mall Co's admin sees it but is not the originator: 403 (I5/W1).
    with pytest.raises(PermissionDeniedError):
        services.update_incident(
            incident, {"orgs": [w.orgs["mall-co"].pk, w.orgs["hotel-co"].pk]},
            actor=w.users["mall_admin"],
        )  # fmt: skip
    # Outsiders cannot even see it: 404.
    with pytest.raises(NotFoundError):
        services.update_incident(incident, {"title": "x"}, actor=w.users["hotel_admin"])
    services.update_incident(
        incident, {"orgs": [w.orgs["mall-co"].pk, w.orgs["hotel-co"].pk]},
        actor=w.users["police_n"],
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="incident.widen", object_id=str(incident.pk)).exists()
    # Narrowing is not a widening.
    before = AuditEvent.objects.filter(action="incident.widen").count()
    services.update_incident(incident, {"orgs": [w.orgs["mall-co"].pk]}, actor=w.users["police_n"])
    assert AuditEvent.objects.filter(action="incident.widen").count() == before


def test_children_writers_are_the_originators_editors(iworld: World) -> None:
    w: Any = iworld
    incident = shared_incident(w)
    entry = {"occurred_at": "2026-05-01T10:16:00+00:00", "text": "First call received."}
    # A recipient (Mall Co) reads but does not write children; an outsider gets 404.
    with pytest.raises(PermissionDeniedError):
        services.add_timeline_entry(incident, entry, actor=w.users["mall_admin"])
    with pytest.raises(NotFoundError):
        services.add_timeline_entry(incident, entry, actor=w.users["hotel_admin"])
    with pytest.raises(PermissionDeniedError):  # a reader of the originator is no editor
        services.add_task(incident, {"title": "Collect CCTV"}, actor=w.users["police_n_reader"])
    assert not TimelineEntry.objects.exists() and not Task.objects.exists()
    services.add_timeline_entry(incident, entry, actor=w.users["police_n"])
    task = services.add_task(
        incident, {"title": "Collect CCTV", "assignee": w.users["police_n_reader"].pk},
        actor=w.users["police_n"],
    )  # fmt: skip
    services.update_task(task, {"status": "done"}, actor=w.users["police_n"])
    task.refresh_from_db()
    assert task.status == "done"
    with pytest.raises(services.InvariantError):
        services.update_task(task, {"incident": incident.pk + 1}, actor=w.users["police_n"])
    with pytest.raises(ValidationError):  # assignee from another organisation
        services.add_task(incident, {"title": "x", "assignee": w.users["mall_admin"].pk},
                          actor=w.users["police_n"])  # fmt: skip


def test_timeline_entry_validation(iworld: World) -> None:
    w: Any = iworld
    incident = shared_incident(w)
    with pytest.raises(ValidationError) as exc:
        services.add_timeline_entry(incident, {"text": "", "extra": 1}, actor=w.users["police_n"])
    assert {e.field for e in exc.value.errors} == {"text", "extra", "occurred_at"}
    assert services.add_timeline_entry(
        incident, {"occurred_at": "2026-05-01T10:00:00Z", "text": "ok"}, actor=w.users["police_n"]
    ).pk


def test_publish_and_withdraw_leave_a_stub_for_recipients(iworld: World) -> None:
    from placeguard.web.incidents import queries

    w: Any = iworld
    incident = shared_incident(w)
    services.add_timeline_entry(
        incident, {"occurred_at": "2026-05-01T10:00:00Z", "text": "x"}, actor=w.users["police_n"]
    )
    mall = w.users["mall_admin"]
    assert queries.timeline_visible_to(mall).count() == 1
    with pytest.raises(PermissionDeniedError):
        services.withdraw_incident(incident, reason="wrong", actor=mall)
    services.withdraw_incident(incident, reason="Duplicate report.", actor=w.users["police_n"])
    row: Any = queries.incidents_visible_to(mall).get(pk=incident.pk)
    assert row.is_stub
    assert queries.timeline_visible_to(mall).count() == 0  # children never under a stub
    assert queries.timeline_visible_to(w.users["police_n"]).count() == 1
    with pytest.raises(NotFoundError):
        services.get_incident_for(mall, incident.pk)
    assert services.get_incident_for(mall, incident.pk, content=False).pk == incident.pk


def test_lesson_published_as_a_draft_practice_no_wider_than_the_incident(iworld: World) -> None:
    from placeguard.web.practices.models import Practice
    from placeguard.web.practices.tags import vocabulary

    w: Any = iworld
    incident = shared_incident(w, tlp="amber+strict")
    measure = next(iter(vocabulary("measure")))
    lesson = services.add_lesson(
        incident,
        {"text": "Staff did not know whom to call.", "recommendation": "Badge numbers.",
         "tags": [measure, "staff"]},
        actor=w.users["police_n"],
    )  # fmt: skip
    raw = services.lesson_to_practice_raw(lesson)
    assert raw["source"] == f"incident:{incident.pk}" and raw["tlp"] == "amber+strict"
    assert raw["measures"] == [measure] and "staff" in raw["body"]
    assert raw["scenarios"] == ["vehicle_ramming"] and raw["site_types"] == ["retail"]
    assert not {"orgs", "groups", "audience_public", "audience_community"} & set(raw)
    # A recipient cannot turn the originator's lesson into a practice.
    with pytest.raises(PermissionDeniedError):
        services.publish_lesson_as_practice(lesson, actor=w.users["mall_admin"])
    practice = services.publish_lesson_as_practice(lesson, actor=w.users["police_n"])
    assert isinstance(practice, Practice)
    assert (practice.status, practice.tlp, practice.org_id) == (
        "draft", "amber+strict", w.orgs["police-north"].pk)  # fmt: skip
    lesson.refresh_from_db()
    assert lesson.practice_id == practice.pk
    with pytest.raises(ConflictError):  # once per lesson
        services.publish_lesson_as_practice(lesson, actor=w.users["police_n"])
