"""Practice writes: every refusal is a 422 listing all problems, nothing is written, and the
allowed case beside each refusal goes through (with its audit event)."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.practices import services
from placeguard.web.practices.models import Practice
from tests.conftest import World
from tests.web.practices.conftest import practice_raw


def _codes(exc: Any) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


def test_create_stores_tags_and_index_and_audits(pworld: World) -> None:
    police = pworld.users["police_n"]
    p = services.create_practice(
        practice_raw(site_types=["venue", "retail", "retail"], orgs=[pworld.orgs["mall-co"].pk]),
        actor=police,
    )
    assert p.status == "draft" and p.kind == "practice" and p.source == "exercise:3"
    assert p.site_types == ["retail", "venue"]  # catalogue order, duplicates dropped
    assert "|site_type:retail|" in p.tag_index and "|measure:QUEUE_PROTECTION|" in p.tag_index
    assert [r.org_id for r in p.org_rows.all()] == [pworld.orgs["mall-co"].pk]
    assert AuditEvent.objects.filter(action="practice.create", object_id=str(p.pk)).exists()


def test_tlp_audience_mismatch_is_422_and_nothing_is_written(pworld: World) -> None:
    police = pworld.users["police_n"]
    before = Practice.objects.count()
    with pytest.raises(services.InvariantError) as exc:  # RED needs named people, no orgs
        services.create_practice(practice_raw(tlp="red", orgs=[pworld.orgs["mall-co"].pk]),
                                 actor=police)  # fmt: skip
    assert {e.code for e in exc.value.errors} & {"I1"}
    with pytest.raises(services.InvariantError):  # public needs CLEAR
        services.create_practice(practice_raw(tlp="amber", audience_public=True), actor=police)
    assert Practice.objects.count() == before
    # Allowed: RED to a named person; CLEAR public.
    services.create_practice(practice_raw(tlp="red", users=[pworld.users["mall_admin"].pk]),
                             actor=police)  # fmt: skip
    services.create_practice(practice_raw(tlp="clear", audience_public=True), actor=police)
    assert Practice.objects.count() == before + 2


def test_unknown_tags_and_unknown_fields_are_all_reported(pworld: World) -> None:
    police = pworld.users["police_n"]
    raw = practice_raw(site_types=["retail", "moon_base"], scenarios=["alien"],
                       measures=["CCTV_COVERAGE", "LASERS"], kind="rumour", colour="red")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.create_practice(raw, actor=police)
    assert _codes(exc) == {"site_types": "unknown_value", "scenarios": "unknown_value",
                           "measures": "unknown_value", "kind": "invalid",
                           "colour": "unknown_field"}  # fmt: skip
    assert "moon_base" in str([e.message for e in exc.value.errors])
    assert not Practice.objects.exists()
    ok = services.create_practice(practice_raw(measures=["CCTV_COVERAGE"], kind="lesson"),
                                  actor=police)  # fmt: skip
    assert ok.measures == ["CCTV_COVERAGE"] and ok.kind == "lesson"


def test_immutable_fields_are_refused_on_create_and_update(pworld: World) -> None:
    police = pworld.users["police_n"]
    with pytest.raises(services.InvariantError) as exc:
        services.create_practice(practice_raw(curated=True, org=pworld.orgs["mall-co"].pk),
                                 actor=police)  # fmt: skip
    assert set(_codes(exc)) == {"curated", "org"}
    with pytest.raises(services.InvariantError) as exc:  # with input problems: all at once
        services.create_practice(practice_raw(curated=True, measures=["LASERS"], colour=1),
                                 actor=police)  # fmt: skip
    assert _codes(exc) == {"curated": "I7", "measures": "unknown_value",
                           "colour": "unknown_field"}  # fmt: skip
    p = services.create_practice(practice_raw(org=pworld.orgs["police-north"].pk), actor=police)
    with pytest.raises(services.InvariantError) as exc:
        services.update_practice(p, {"author": pworld.users["mall_admin"].pk}, actor=police)
    assert set(_codes(exc)) == {"author"}
    # Unchanged values are accepted; the edit goes through and is audited.
    services.update_practice(p, {"author": police.pk, "id": p.pk, "title": "New"}, actor=police)
    p.refresh_from_db()
    assert p.title == "New"
    assert AuditEvent.objects.filter(action="practice.update", object_id=str(p.pk)).exists()


def test_update_retags_and_widening_is_audited(pworld: World) -> None:
    police = pworld.users["police_n"]
    p = services.create_practice(practice_raw(orgs=[pworld.orgs["mall-co"].pk]), actor=police)
    services.update_practice(p, {"scenarios": ["arson"], "orgs": [pworld.orgs["mall-co"].pk,
                             pworld.orgs["hotel-co"].pk]}, actor=police)  # fmt: skip
    p.refresh_from_db()
    assert p.scenarios == ["arson"] and "|scenario:arson|" in p.tag_index
    assert "vehicle_ramming" not in p.tag_index
    assert AuditEvent.objects.filter(action="practice.widen", object_id=str(p.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        services.update_practice(p, {"scenarios": ["nope"]}, actor=police)
    assert _codes(exc) == {"scenarios": "unknown_value"}


def test_only_the_originator_edits_and_outsiders_get_404(pworld: World) -> None:
    police = pworld.users["police_n"]
    p = services.create_practice(practice_raw(orgs=[pworld.orgs["mall-co"].pk]), actor=police)
    services.publish_practice(p, actor=police)
    with pytest.raises(PermissionDeniedError):  # a recipient reads but does not edit
        services.update_practice(p, {"title": "Mine"}, actor=pworld.users["mall_admin"])
    with pytest.raises(NotFoundError):  # an outsider does not learn it exists
        services.update_practice(p, {"title": "Mine"}, actor=pworld.users["hotel_admin"])
    services.update_practice(p, {"title": "Edited"}, actor=police)
    with pytest.raises(PermissionDeniedError):  # readers do not write
        services.create_practice(practice_raw(), actor=pworld.users["mall_reader"])


def test_publish_withdraw_and_broadcast_approval(pworld: World) -> None:
    police = pworld.users["police_n"]
    p = services.create_practice(practice_raw(orgs=[pworld.orgs["mall-co"].pk]), actor=police)
    services.publish_practice(p, actor=police)
    assert p.status == "published"
    with pytest.raises(ValidationError):
        services.withdraw_practice(p, reason=" ", actor=police)
    services.withdraw_practice(p, reason="Superseded.", actor=police)
    assert p.status == "withdrawn"
    g = services.create_practice(practice_raw(tlp="green", audience_community=True),
                                 actor=police)  # fmt: skip
    services.publish_practice(g, actor=police)
    assert g.status == "draft" and g.approval_requested_by_id == police.pk
    with pytest.raises(NotFoundError):  # another force's publisher: the draft is not theirs
        services.publish_practice(g, actor=pworld.users["police_s"])
    from placeguard.web.orgs import services as orgs

    approver = orgs.create_user(actor=None, username="police_n_pub",
                                organisation=pworld.orgs["police-north"], roles=["PUBLISHER"])  # fmt: skip
    services.publish_practice(g, actor=approver)
    assert g.status == "published"


def test_curate_only_by_programme_publishers(pworld: World) -> None:
    police = pworld.users["police_n"]
    p = services.create_practice(practice_raw(tlp="clear", audience_public=True), actor=police)
    services.publish_practice(p, actor=police)
    # a public broadcast waits for a second publisher of Police North: give them one
    from placeguard.web.orgs import services as orgs

    approver = orgs.create_user(actor=None, username="police_n_pub",
                                organisation=pworld.orgs["police-north"], roles=["PUBLISHER"])  # fmt: skip
    services.publish_practice(p, actor=approver)
    assert p.status == "published"
    for name in ("programme", "police_n", "mall_admin"):  # analyst of the programme; others
        with pytest.raises(PermissionDeniedError):
            services.curate_practice(p, curated=True, actor=pworld.users[name])
    p.refresh_from_db()
    assert not p.curated
    services.curate_practice(p, curated=True, actor=pworld.users["prog_pub"])
    p.refresh_from_db()
    assert p.curated and p.curated_by_id == pworld.users["prog_pub"].pk
    assert AuditEvent.objects.filter(action="practice.curate", object_id=str(p.pk)).exists()
    services.curate_practice(p, curated=False, actor=pworld.users["prog_pub"])
    p.refresh_from_db()
    assert not p.curated and p.curated_by_id is None


def test_curate_needs_a_visible_published_practice(pworld: World) -> None:
    police, prog = pworld.users["police_n"], pworld.users["prog_pub"]
    hidden = services.create_practice(practice_raw(orgs=[pworld.orgs["mall-co"].pk]),
                                      actor=police)  # fmt: skip
    services.publish_practice(hidden, actor=police)
    with pytest.raises(NotFoundError):  # AMBER to Mall Co: the programme cannot read it
        services.curate_practice(hidden, curated=True, actor=prog)
    shared = services.create_practice(practice_raw(orgs=[pworld.orgs["programme"].pk]),
                                      actor=police)  # fmt: skip
    with pytest.raises((NotFoundError, PermissionDeniedError)):  # still a draft
        services.curate_practice(shared, curated=True, actor=prog)
    services.publish_practice(shared, actor=police)
    services.curate_practice(shared, curated=True, actor=prog)
    assert shared.curated


def test_create_practice_is_the_incident_interface(pworld: World) -> None:
    """Incidents publish lessons with exactly these keys; keep them working."""
    raw = {"title": "Lesson from incident 12", "body": "Text", "kind": "lesson",
           "site_types": ["retail"], "scenarios": ["arson"], "measures": ["FIRE_DETECTION"],
           "source": "incident:12", "tlp": "amber", "orgs": [pworld.orgs["mall-co"].pk],
           "le_only": False, "pii": False, "source_protected": False, "need_to_know": None,
           "audience_public": False, "audience_community": False, "groups": [], "users": []}  # fmt: skip
    p = services.create_practice(raw, actor=pworld.users["police_n"])
    assert (p.kind, p.source, p.scenarios) == ("lesson", "incident:12", ["arson"])
