"""STIX 2.1 bundles: building (stable ids, markings, max TLP) and parsing back (every problem)."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from placeguard.core.interchange import stix, tlp2
from placeguard.core.interchange.records import (
    BulletinRecord,
    ExportSet,
    IncidentRecord,
    LocationRecord,
    OrgRecord,
)
from placeguard.core.vocab import TLP

NS = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
POLICE = OrgRecord(pk=7, name="Police North", created=T0)
MALL = OrgRecord(pk=9, name="Mall Co", created=T0)


def bulletin(pk: int, level: TLP, **kw: Any) -> BulletinRecord:
    values: dict[str, Any] = {
        "title": f"Bulletin {pk}", "body": "Hostile reconnaissance *near* malls.", "tlp": level,
        "org": POLICE, "created": T0, "modified": T1, "published": T1,
    }  # fmt: skip
    values.update(kw)
    return BulletinRecord(pk=pk, **values)


def location(pk: int = 3) -> LocationRecord:
    return LocationRecord(
        pk=pk, name="North Mall", latitude=43.0, longitude=-29.0, tlp=TLP.AMBER_STRICT,
        created=T0, modified=T1, country="XM", administrative_area="North-A", org=MALL,
    )  # fmt: skip


def everything() -> ExportSet:
    return ExportSet(
        bulletins=tuple(bulletin(pk, level) for pk, level in enumerate(TLP, start=1)),
        locations=(location(),),
        incidents=(
            IncidentRecord(
                pk=4, name="Suspicious drone", description="Seen twice.", tlp=TLP.AMBER,
                org=POLICE, created=T0, modified=T1, location_pks=(3, 99),
            ),
        ),
    )  # fmt: skip


def by_type(bundle: dict[str, Any], obj_type: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == obj_type]


def test_bundle_shape_and_references() -> None:
    bundle = stix.build_bundle(everything(), namespace=NS, max_tlp=TLP.RED)
    assert bundle["type"] == "bundle"
    assert bundle["id"].startswith("bundle--")
    ids = {o["id"] for o in bundle["objects"]}
    assert len(ids) == len(bundle["objects"])
    reports = by_type(bundle, "report")
    assert [r["name"] for r in reports] == [f"Bulletin {n}" for n in range(1, 6)]
    for obj in bundle["objects"]:
        assert obj["spec_version"] == "2.1"
        for ref in [obj.get("created_by_ref"), *obj.get("object_marking_refs", [])]:
            assert ref is None or ref in ids  # every reference resolves inside the bundle
    assert reports[0]["created"] == "2026-03-01T09:30:15.123Z"
    assert reports[0]["published"] == "2026-03-02T10:00:00.000Z"
    (loc,) = by_type(bundle, "location")
    assert (loc["latitude"], loc["longitude"], loc["country"]) == (43.0, -29.0, "XM")
    (rel,) = by_type(bundle, "relationship")  # the missing location 99 is not referenced
    assert rel["relationship_type"] == "located-at"
    assert rel["target_ref"] == loc["id"]
    assert rel["object_marking_refs"] == [tlp2.marking_id(TLP.AMBER_STRICT)]  # the stricter
    identities = {o["name"]: o for o in by_type(bundle, "identity")}
    assert set(identities) == {"Police North", "Mall Co"}
    # An identity is revealed with what names it: the loosest of those.
    assert identities["Police North"]["object_marking_refs"] == [tlp2.marking_id(TLP.CLEAR)]
    markings = by_type(bundle, "marking-definition")
    assert markings == [tlp2.marking_definition(level) for level in TLP]


def test_ids_are_stable_and_depend_on_the_namespace() -> None:
    first = stix.build_bundle(everything(), namespace=NS, max_tlp=TLP.RED)
    again = stix.build_bundle(everything(), namespace=NS, max_tlp=TLP.RED)
    assert first == again
    other = stix.build_bundle(everything(), namespace=uuid.uuid4(), max_tlp=TLP.RED)
    assert by_type(first, "report")[0]["id"] != by_type(other, "report")[0]["id"]
    assert stix.stix_id(NS, "bulletin", 1) == by_type(first, "report")[0]["id"]


@pytest.mark.parametrize("max_tlp", list(TLP))
def test_nothing_above_max_tlp_is_built(max_tlp: TLP) -> None:
    bundle = stix.build_bundle(everything(), namespace=NS, max_tlp=max_tlp)
    levels = {
        tlp2.tlp_of_marking_id(ref)
        for o in bundle["objects"]
        for ref in o.get("object_marking_refs", [])
    }
    assert levels
    assert all(level is not None and level.rank <= max_tlp.rank for level in levels)
    names = {r["name"] for r in by_type(bundle, "report")}
    assert names == {f"Bulletin {n}" for n, lvl in enumerate(TLP, 1) if lvl.rank <= max_tlp.rank}
    assert bool(by_type(bundle, "location")) == (max_tlp.rank >= TLP.AMBER_STRICT.rank)


def test_round_trip_bulletin_to_stix_and_back() -> None:
    originals = everything().bulletins
    bundle = stix.build_bundle(ExportSet(bulletins=originals), namespace=NS, max_tlp=TLP.RED)
    data, problems = stix.load_json(json.dumps(bundle).encode())
    assert problems == []
    parsed = stix.parse_bundle(data)
    assert parsed.problems == []
    assert parsed.notes == []
    got = [(p.title, p.body, p.tlp, p.published) for p in parsed.bulletins]
    want = [(b.title, b.body, b.tlp, b.published) for b in originals]
    assert got == want
    assert all(p.created_by_ref == stix.stix_id(NS, "org", POLICE.pk) for p in parsed.bulletins)


def test_round_trip_location_and_incident() -> None:
    bundle = stix.build_bundle(everything(), namespace=NS, max_tlp=TLP.RED)
    parsed = stix.parse_bundle(bundle)
    assert parsed.ok
    (loc,) = parsed.locations
    assert (loc.name, loc.latitude, loc.longitude, loc.tlp) == (
        "North Mall", 43.0, -29.0, TLP.AMBER_STRICT,
    )  # fmt: skip
    (inc,) = parsed.incidents
    assert (inc.name, inc.tlp, inc.location_ids) == ("Suspicious drone", TLP.AMBER, (loc.stix_id,))


def test_library_parse_accepts_the_bundle() -> None:
    import stix2

    bundle = stix.build_bundle(everything(), namespace=NS, max_tlp=TLP.RED)
    parsed = stix2.parse(json.dumps(bundle), allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])


# --------------------------------------------------------------------------- import problems


def one_report(**overrides: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "type": "report", "spec_version": "2.1",
        "id": "report--11111111-1111-4111-8111-111111111111",
        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
        "name": "Imported", "published": "2026-01-01T00:00:00Z", "report_types": ["threat-report"],
        "object_refs": ["identity--22222222-2222-4222-8222-222222222222"],
        "object_marking_refs": [tlp2.marking_id(TLP.GREEN)],
    }  # fmt: skip
    report.update(overrides)
    return {
        "type": "bundle",
        "id": "bundle--33333333-3333-4333-8333-333333333333",
        "objects": [{k: v for k, v in report.items() if v is not None}],
    }


def test_valid_single_report() -> None:
    parsed = stix.parse_bundle(one_report())
    assert parsed.ok
    assert parsed.bulletins[0].tlp is TLP.GREEN


def test_absent_marking_is_amber_strict_with_a_note() -> None:
    parsed = stix.parse_bundle(one_report(object_marking_refs=None))
    assert parsed.ok
    assert parsed.bulletins[0].tlp is TLP.AMBER_STRICT
    assert parsed.bulletins[0].marking_assumed
    assert any("AMBER+STRICT" in n.message for n in parsed.notes)


def test_tlp1_marking_and_strictest_of_several() -> None:
    white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    assert stix.parse_bundle(one_report(object_marking_refs=[white])).bulletins[0].tlp is TLP.CLEAR
    mixed = [white, tlp2.marking_id(TLP.AMBER)]
    granular = [{"marking_ref": tlp2.marking_id(TLP.RED), "selectors": ["description"]}]
    parsed = stix.parse_bundle(one_report(object_marking_refs=mixed, granular_markings=granular))
    assert parsed.ok
    assert parsed.bulletins[0].tlp is TLP.RED


REPORT_ID = "report--11111111-1111-4111-8111-111111111111"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000000"]},
         "object_marking_refs"),
        ({"object_marking_refs": "tlp:green"}, "object_marking_refs"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": None}, "name"),
        ({"published": "yesterday"}, "published"),
        ({"object_refs": []}, "object_refs"),
        ({"created_by_ref": "file:///etc/passwd"}, "created_by_ref"),
        ({"object_refs": ["phar://evil.phar"]}, "object_refs[0]"),
        ({"external_references": [{"source_name": "x", "url": "file:///etc/shadow"}]},
         "external_references[0].url"),
        ({"spec_version": "2.0"}, "spec_version"),
    ],
)  # fmt: skip
def test_bad_reports_are_problems_with_their_stix_id(overrides: dict[str, Any], field: str) -> None:
    parsed = stix.parse_bundle(one_report(**overrides))
    assert not parsed.ok
    assert (REPORT_ID, field) in {(p.stix_id, p.field) for p in parsed.problems}
    assert stix.parse_bundle(one_report()).ok  # the allowed case


def test_contradicting_marking_object_is_a_problem() -> None:
    bundle = one_report()
    fake = tlp2.marking_definition(TLP.CLEAR)
    fake["id"] = tlp2.marking_id(TLP.RED)  # claims CLEAR under RED's id
    bundle["objects"].append(fake)
    parsed = stix.parse_bundle(bundle)
    assert [(p.stix_id, p.field) for p in parsed.problems] == [(fake["id"], "extensions")]
    bundle["objects"][-1] = tlp2.marking_definition(TLP.RED)
    assert stix.parse_bundle(bundle).ok


def test_structure_problems() -> None:
    assert not stix.parse_bundle([]).ok
    assert not stix.parse_bundle({"type": "bundle", "id": "bundle--x", "objects": []}).ok
    bundle = one_report()
    bundle["objects"].append(copy.deepcopy(bundle["objects"][0]))
    assert [p.message for p in stix.parse_bundle(bundle).problems] == [
        "Duplicate id in the bundle."
    ]
    bundle["objects"][1] = {"type": "note", "id": REPORT_ID}
    assert stix.parse_bundle(bundle).problems[0].field == "id"
    bundle["objects"][1] = "not an object"
    assert stix.parse_bundle(bundle).problems[0].stix_id == "objects[1]"


def test_unknown_types_are_ignored_with_a_note() -> None:
    bundle = one_report()
    bundle["objects"].append({
        "type": "attack-pattern", "spec_version": "2.1", "name": "Vehicle as a weapon",
        "id": "attack-pattern--44444444-4444-4444-8444-444444444444",
    })  # fmt: skip
    parsed = stix.parse_bundle(bundle)
    assert parsed.ok
    assert [n.field for n in parsed.notes] == ["type"]


def test_note_becomes_a_bulletin() -> None:
    bundle = one_report()
    bundle["objects"][0] = {
        "type": "note", "spec_version": "2.1", "id": "note--55555555-5555-4555-8555-555555555555",
        "content": "First line\nmore", "object_refs": [REPORT_ID],
        "object_marking_refs": [tlp2.marking_id(TLP.AMBER)],
    }  # fmt: skip
    parsed = stix.parse_bundle(bundle)
    assert parsed.ok
    assert (parsed.bulletins[0].title, parsed.bulletins[0].tlp) == ("First line", TLP.AMBER)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe not utf-8",
        b"{not json",
        b'{"a": NaN}',
        b'{"a": 1, "a": 2}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 40 + b"1" + b"}" * 40,
        b" " * (stix.MAX_BYTES + 1),
    ],
)
def test_hostile_files_are_refused_by_load_json(raw: bytes) -> None:
    data, problems = stix.load_json(raw)
    assert data is None
    assert problems
    assert problems[0].field == "file"
    ok, none = stix.load_json(b'{"a": [1, {"b": 2}]}')
    assert none == []
    assert ok == {"a": [1, {"b": 2}]}


def test_too_many_objects() -> None:
    bundle = one_report()
    bundle["objects"] *= stix.MAX_OBJECTS + 1
    assert [p.field for p in stix.parse_bundle(bundle).problems] == ["objects"]


# --------------------------------------------------------------------------- incidents and places

INCIDENT_ID = "incident--66666666-6666-4666-8666-666666666666"
LOCATION_ID = "location--77777777-7777-4777-8777-777777777777"


def incident_bundle(
    incident: dict[str, Any] | None = None,
    location: dict[str, Any] | None = None,
    relationship: dict[str, Any] | None = None,
) -> dict[str, Any]:
    base = {"spec_version": "2.1", "created": "2026-01-01T00:00:00Z",
            "modified": "2026-01-01T00:00:00Z"}  # fmt: skip
    inc = {**base, "type": "incident", "id": INCIDENT_ID, "name": "Drone over the stadium",
           "object_marking_refs": [tlp2.marking_id(TLP.GREEN)]}  # fmt: skip
    loc = {**base, "type": "location", "id": LOCATION_ID, "name": "Stadium", "latitude": 41.5,
           "longitude": -28.25, "object_marking_refs": [tlp2.marking_id(TLP.AMBER)]}  # fmt: skip
    rel = {**base, "type": "relationship", "relationship_type": "located-at",
           "id": "relationship--88888888-8888-4888-8888-888888888888",
           "source_ref": INCIDENT_ID, "target_ref": LOCATION_ID,
           "object_marking_refs": [tlp2.marking_id(TLP.GREEN)]}  # fmt: skip
    objects = [
        {k: v for k, v in {**obj, **(extra or {})}.items() if v is not None}
        for obj, extra in ((inc, incident), (loc, location), (rel, relationship))
    ]
    return {"type": "bundle", "id": "bundle--33333333-3333-4333-8333-333333333333",
            "objects": objects}  # fmt: skip


def test_incident_places_carry_the_strictest_marking() -> None:
    parsed = stix.parse_bundle(incident_bundle())
    assert parsed.ok
    (inc,) = parsed.incidents
    (place,) = inc.places
    assert (place.location_id, place.tlp) == (LOCATION_ID, TLP.AMBER)  # the location's marking
    assert (inc.tlp, inc.level) == (TLP.GREEN, TLP.AMBER)
    assert stix.location_line(place) == "Location: Stadium, 41.5, -28.25"
    red_rel = stix.parse_bundle(
        incident_bundle(relationship={"object_marking_refs": [tlp2.marking_id(TLP.RED)]})
    )
    assert red_rel.incidents[0].level is TLP.RED


def test_place_without_location_object_is_named_by_id() -> None:
    bundle = incident_bundle()
    del bundle["objects"][1]
    (place,) = stix.parse_bundle(bundle).incidents[0].places
    assert place.location is None
    assert place.tlp is TLP.GREEN
    assert stix.location_line(place) == f"Location: {LOCATION_ID} (not described in the file)"


def test_other_relationships_are_ignored_with_a_note() -> None:
    parsed = stix.parse_bundle(incident_bundle(relationship={"source_ref": REPORT_ID}))
    assert parsed.ok
    assert parsed.incidents[0].places == ()
    assert [n.field for n in parsed.notes] == ["source_ref"]
    unrelated = stix.parse_bundle(incident_bundle(relationship={"relationship_type": "related-to"}))
    assert (unrelated.incidents[0].places, unrelated.notes) == ((), [])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "  "}, "name"),
        ({"created": "2026-13-01T00:00:00Z"}, "created"),
        ({"modified": None}, "modified"),
        ({"modified": "2025-12-31T23:59:59Z"}, "modified"),
        ({"description": "x" * (stix.MAX_INCIDENT_TEXT + 1)}, "description"),
        ({"object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000000"]},
         "object_marking_refs"),
    ],
)  # fmt: skip
def test_bad_incidents_are_problems_with_their_stix_id(
    overrides: dict[str, Any], field: str
) -> None:
    parsed = stix.parse_bundle(incident_bundle(incident=overrides))
    assert (INCIDENT_ID, field) in {(p.stix_id, p.field) for p in parsed.problems}
    assert stix.parse_bundle(incident_bundle()).ok  # the allowed case


def test_unknown_relationship_marking_is_a_problem() -> None:
    bad = ["marking-definition--00000000-0000-4000-8000-000000000000"]
    parsed = stix.parse_bundle(incident_bundle(relationship={"object_marking_refs": bad}))
    assert [p.field for p in parsed.problems] == ["object_marking_refs"]
