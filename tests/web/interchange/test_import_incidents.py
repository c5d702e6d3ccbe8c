"""STIX import of incidents: organisation-only drafts at least as strict as the file, linked only
to the importer's own visible sites (a hidden site reads exactly like an unknown location), all
or nothing together with the bulletins."""

from __future__ import annotations

import json
from typing import Any

import pytest

from placeguard.core.interchange import stix, tlp2
from placeguard.core.vocab import TLP
from placeguard.web.incidents.models import Incident
from placeguard.web.incidents.queries import incidents_visible_to
from placeguard.web.interchange import services
from placeguard.web.sharing.models import Bulletin
from placeguard.web.sites.access import visible_to as sites_visible_to
from tests.conftest import World
from tests.web.helpers import assert_problem
from tests.web.incidents.conftest import shared_incident
from tests.web.interchange.test_import import bundle, post, report

UNKNOWN_LOCATION = "location--99999999-9999-4999-8999-999999999999"


def incident(n: int, level: TLP | None, **overrides: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "incident", "spec_version": "2.1",
        "id": f"incident--{n:08d}-5555-4555-8555-555555555555",
        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-02T00:00:00Z",
        "name": f"Incident {n}", "description": "A van drove into the crowd.",
    }  # fmt: skip
    if level is not None:
        obj["object_marking_refs"] = [tlp2.marking_id(level)]
    obj.update(overrides)
    return {k: v for k, v in obj.items() if v is not None}


def assert_org_only_draft(inc: Incident, importer: Any) -> None:
    assert (inc.status, inc.org_id, inc.author_id) == ("draft", importer.organisation_id,
                                                       importer.pk)  # fmt: skip
    assert not (inc.audience_public or inc.audience_community)
    assert not (inc.le_only or inc.pii or inc.source_protected)
    assert not (inc.org_rows.exists() or inc.group_rows.exists())
    named = set(inc.user_rows.values_list("user_id", flat=True))
    assert named == ({importer.pk} if inc.tlp == TLP.RED.value else set())


def police_export(w: World) -> tuple[Incident, dict[str, Any], str]:
    """A published AMBER incident at North Mall, exported by Police North with its sites."""
    original = shared_incident(w)
    document = services.export_for(
        w.users["police_n"], max_tlp=TLP.AMBER_STRICT, kinds=["incident", "location"], fmt="stix"
    ).document
    site_id = stix.stix_id(services.instance_namespace(), "site", w.sites["mall_north"].pk)
    assert site_id in {o["id"] for o in document["objects"]}
    return original, document, site_id


def test_round_trip_links_the_same_site(iworld: World) -> None:
    police = iworld.users["police_n"]
    original, document, _site_id = police_export(iworld)
    result = services.import_bundle(json.dumps(document), actor=police)
    (pk,) = result.created_incidents
    inc = Incident.objects.get(pk=pk)
    assert pk != original.pk
    assert inc.title == original.title
    assert_org_only_draft(inc, police)
    # Never looser than the file: the located-at relationship and the site are AMBER+STRICT.
    assert TLP(inc.tlp).rank >= TLP(original.tlp).rank
    assert inc.tlp == TLP.AMBER_STRICT.value
    assert set(inc.sites.values_list("pk", flat=True)) == {iworld.sites["mall_north"].pk}
    assert "Location:" not in inc.summary
    assert inc.summary.startswith(original.summary)
    assert stix.stix_id(services.instance_namespace(), "incident", original.pk) in inc.summary
    # The original's audience (Mall Co) does not see the imported draft.
    assert incidents_visible_to(police).filter(pk=pk).exists()
    assert not incidents_visible_to(iworld.users["mall_admin"]).filter(pk=pk).exists()
    assert result.created == ()  # no report in this export


def _import_as_hotel(w: World, document: dict[str, Any]) -> tuple[Incident, list[tuple[str, ...]]]:
    result = services.import_bundle(json.dumps(document), actor=w.users["hotel_admin"])
    (pk,) = result.created_incidents
    notes = [(n.stix_id, n.field, n.message) for n in result.notes]
    return Incident.objects.get(pk=pk), notes


def test_hidden_site_reads_exactly_like_an_unknown_location(iworld: World) -> None:
    hotel = iworld.users["hotel_admin"]
    _original, document, site_id = police_export(iworld)
    mall_north = iworld.sites["mall_north"]
    assert not sites_visible_to(hotel).filter(pk=mall_north.pk).exists()

    hidden, hidden_notes = _import_as_hotel(iworld, document)
    unknown_doc = json.loads(json.dumps(document).replace(site_id, UNKNOWN_LOCATION))
    unknown, unknown_notes = _import_as_hotel(iworld, unknown_doc)

    for inc in (hidden, unknown):
        assert_org_only_draft(inc, hotel)
        assert not inc.sites.exists()
        assert "Location: North Mall, 43.0, -29.0" in inc.summary
    assert hidden.summary == unknown.summary
    assert hidden.tlp == unknown.tlp
    # Same notes, word for word, once the location id is swapped (and the new pk left aside).
    anonymised = [tuple(x.replace(site_id, UNKNOWN_LOCATION) for x in n) for n in hidden_notes]
    assert [n for n in anonymised if "Created as draft" not in n[2]] == [
        n for n in unknown_notes if "Created as draft" not in n[2]
    ]
    kept = [n for n in hidden_notes if n[0] == site_id and n[1] == "located-at"]
    assert kept and "Kept as text" in kept[0][2]
    # The allowed case: the same file links the site for someone who sees it.
    linked = services.import_bundle(json.dumps(document), actor=iworld.users["police_n"])
    assert any(n.stix_id == site_id and "linked" in n.message for n in linked.notes)


def test_clear_incident_lands_as_clear_org_only_draft(iworld: World) -> None:
    mall = iworld.users["mall_admin"]
    response = post(mall, bundle(incident(1, TLP.CLEAR)))
    assert response.status_code == 201, response.content
    (inc,) = Incident.objects.filter(title="Incident 1")
    assert inc.tlp == TLP.CLEAR.value
    assert_org_only_draft(inc, mall)
    assert inc.summary.startswith("A van drove into the crowd.")
    assert "incident--00000001" in inc.summary  # provenance
    assert incidents_visible_to(mall).filter(pk=inc.pk).exists()
    for outsider in ["police_n", "hotel_admin", "guard_pub", "mall_reader", "faith_reader"]:
        assert not incidents_visible_to(iworld.users[outsider]).filter(pk=inc.pk).exists()
    assert any(f"Created as draft incident {inc.pk}" in n["message"]
               for n in response.json()["notes"])  # fmt: skip


@pytest.mark.parametrize("level", [TLP.AMBER, TLP.RED, None])
def test_incident_keeps_the_marked_tlp(iworld: World, level: TLP | None) -> None:
    police = iworld.users["police_n"]
    result = services.import_bundle(json.dumps(bundle(incident(1, level))), actor=police)
    inc = Incident.objects.get(pk=result.created_incidents[0])
    assert inc.tlp == (level or TLP.AMBER_STRICT).value
    assert_org_only_draft(inc, police)


def test_foreign_location_is_kept_as_text_and_raises_the_tlp(iworld: World) -> None:
    inc_obj = incident(1, TLP.GREEN)
    location = {
        "type": "location", "spec_version": "2.1", "id": UNKNOWN_LOCATION,
        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
        "name": "Town\nhall", "latitude": 41.5, "longitude": -28.25,
        "object_marking_refs": [tlp2.marking_id(TLP.AMBER)],
    }  # fmt: skip
    rel = {
        "type": "relationship", "spec_version": "2.1",
        "id": "relationship--77777777-7777-4777-8777-777777777777",
        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
        "relationship_type": "located-at", "source_ref": inc_obj["id"],
        "target_ref": UNKNOWN_LOCATION, "object_marking_refs": [tlp2.marking_id(TLP.GREEN)],
    }  # fmt: skip
    police = iworld.users["police_n"]
    result = services.import_bundle(json.dumps(bundle(inc_obj, location, rel)), actor=police)
    inc = Incident.objects.get(pk=result.created_incidents[0])
    assert "Location: Town hall, 41.5, -28.25" in inc.summary
    assert inc.tlp == TLP.AMBER.value  # the location's marking is stricter than the incident's
    assert not inc.sites.exists()
    assert any("TLP:AMBER" in n.message for n in result.notes if n.stix_id == inc_obj["id"])


BAD_INCIDENTS: list[tuple[dict[str, Any], str]] = [
    ({"name": None}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000000"]},
     "object_marking_refs"),
    ({"created": "yesterday"}, "created"),
    ({"modified": "2025-01-01T00:00:00Z"}, "modified"),
    ({"description": "x" * (stix.MAX_INCIDENT_TEXT + 1)}, "description"),
    ({"created_by_ref": "file:///etc/passwd"}, "created_by_ref"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "field"), BAD_INCIDENTS)
def test_invalid_incident_refuses_the_whole_bundle(
    iworld: World, overrides: dict[str, Any], field: str
) -> None:
    mall = iworld.users["mall_admin"]
    bulletins, incidents = Bulletin.objects.count(), Incident.objects.count()
    bad = incident(2, TLP.GREEN, **overrides)
    response = post(mall, bundle(report(1, TLP.GREEN), incident(1, TLP.GREEN), bad))
    body = assert_problem(response, 422, "import_invalid")
    assert f"{bad['id']}.{field}" in [e["field"] for e in body["errors"]]
    assert (Bulletin.objects.count(), Incident.objects.count()) == (bulletins, incidents)
    # The allowed case: the same bundle without the bad incident is imported whole.
    ok = post(mall, bundle(report(1, TLP.GREEN), incident(1, TLP.GREEN)))
    assert ok.status_code == 201, ok.content
    assert Incident.objects.count() == incidents + 1


def test_a_failing_incident_write_rolls_back_the_bulletins(
    iworld: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placeguard.core.errors import FieldError, ValidationError
    from placeguard.web.incidents import services as incident_services

    def refuse(raw: dict[str, Any], *, actor: Any) -> Incident:
        msg = "refused"
        raise ValidationError(msg, errors=[FieldError("title", "I1: refused")])

    monkeypatch.setattr(incident_services, "create_incident", refuse)
    bulletins, incidents = Bulletin.objects.count(), Incident.objects.count()
    response = post(iworld.users["mall_admin"], bundle(report(1, TLP.GREEN), incident(1, None)))
    body = assert_problem(response, 422, "import_invalid")
    assert [e["field"] for e in body["errors"]] == [f"{incident(1, None)['id']}.name"]
    assert (Bulletin.objects.count(), Incident.objects.count()) == (bulletins, incidents)


def test_incident_import_is_audited(iworld: World) -> None:
    from placeguard.web.audit.models import AuditEvent

    mall = iworld.users["mall_admin"]
    result = services.import_bundle(
        json.dumps(bundle(report(1, TLP.GREEN), incident(1, TLP.AMBER))), actor=mall
    )
    event = AuditEvent.objects.get(action="interchange.import_stix")
    assert event.diff["counts"] == {"bulletin": 1, "incident": 1}
    assert event.diff["created_incidents"] == list(result.created_incidents)
    assert event.diff["tlp"] == ["amber", "green"]
    assert AuditEvent.objects.filter(action="incident.create", actor_id=mall.pk).count() == 1


def test_api_answer_lists_created_incidents(iworld: World) -> None:
    from tests.web.helpers import token_client

    body = bundle(report(1, TLP.AMBER), incident(2, TLP.AMBER))
    response = token_client(iworld.users["mall_admin"]).post(
        "/api/v1/interchange/stix/", body, format="json"
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert len(answer["created"]) == 1 and len(answer["created_incidents"]) == 1
    created = Incident.objects.get(pk=answer["created_incidents"][0])
    assert_org_only_draft(created, iworld.users["mall_admin"])
