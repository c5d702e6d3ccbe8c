"""STIX import: organisation-only drafts at the file's TLP, all or nothing, hostile input → 422."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from placeguard.core.interchange import stix, tlp2
from placeguard.core.vocab import TLP
from placeguard.web.audit.models import AuditEvent
from placeguard.web.interchange import services
from placeguard.web.sharing.models import Bulletin
from placeguard.web.sharing.queries import bulletins_visible_to
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client

URL = "/api/v1/interchange/stix/"


def report(n: int, level: TLP | None, **overrides: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "report", "spec_version": "2.1", "id": f"report--{n:08d}-1111-4111-8111-111111111111",
        "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
        "name": f"Imported {n}", "description": "Seen near the *north* gate.",
        "published": "2026-01-01T00:00:00Z", "report_types": ["threat-report"],
        "object_refs": ["identity--22222222-2222-4222-8222-222222222222"],
    }  # fmt: skip
    if level is not None:
        obj["object_marking_refs"] = [tlp2.marking_id(level)]
    obj.update(overrides)
    return obj


def bundle(*objects: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "bundle",
        "id": "bundle--33333333-3333-4333-8333-333333333333",
        "objects": list(objects),
    }


def post(user: Any, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return token_client(user).post(URL, raw, content_type="application/json")


def test_clear_bundle_lands_as_clear_org_only_draft(iworld: World) -> None:
    mall = iworld.users["mall_admin"]
    response = post(mall, bundle(report(1, TLP.CLEAR)))
    assert response.status_code == 201, response.content
    (pk,) = response.json()["created"]
    b = Bulletin.objects.get(pk=pk)
    assert (b.status, b.tlp, b.org_id, b.author_id) == ("draft", "clear", mall.organisation_id,
                                                         mall.pk)  # fmt: skip
    assert not (b.audience_public or b.audience_community)
    assert not (b.org_rows.exists() or b.group_rows.exists() or b.user_rows.exists())
    assert "report--00000001" in b.body  # provenance
    # Visible only inside the importer's organisation (its editors), nowhere else.
    assert bulletins_visible_to(mall).filter(pk=pk).exists()
    for outsider in ["police_n", "hotel_admin", "guard_pub", "mall_reader"]:
        assert not bulletins_visible_to(iworld.users[outsider]).filter(pk=pk).exists(), outsider


@pytest.mark.parametrize("level", list(TLP))
def test_import_keeps_the_marked_tlp(iworld: World, level: TLP) -> None:
    police = iworld.users["police_n"]
    result = services.import_bundle(json.dumps(bundle(report(1, level))), actor=police)
    b = Bulletin.objects.get(pk=result.created[0])
    assert b.tlp == level.value
    assert b.status == "draft"
    named = set(b.user_rows.values_list("user_id", flat=True))
    assert named == ({police.pk} if level is TLP.RED else set())


def test_absent_marking_gives_amber_strict(iworld: World) -> None:
    result = services.import_bundle(
        json.dumps(bundle(report(1, None))), actor=iworld.users["mall_admin"]
    )
    assert Bulletin.objects.get(pk=result.created[0]).tlp == "amber+strict"
    assert any("AMBER+STRICT" in n.message for n in result.notes)


def test_export_then_import_elsewhere_never_widens(iworld: World) -> None:
    police, hotel = iworld.users["police_n"], iworld.users["hotel_admin"]
    exported = services.export_for(police, max_tlp=TLP.AMBER_STRICT, fmt="stix").document
    originals = {b.title: b.tlp for b in Bulletin.objects.all()}
    result = services.import_bundle(json.dumps(exported), actor=hotel)
    imported = list(Bulletin.objects.filter(pk__in=result.created))
    assert {b.title for b in imported} == {"B clear_public", "B green_community", "B amber_mall",
                                           "B strict_north"}  # fmt: skip
    for b in imported:
        assert b.tlp == originals[b.title]
        assert (b.org_id, b.status, b.audience_public) == (hotel.organisation_id, "draft", False)
    assert any("Locations never become sites" in n.message for n in result.notes)


def test_import_is_audited(iworld: World) -> None:
    mall = iworld.users["mall_admin"]
    result = services.import_bundle(json.dumps(bundle(report(1, TLP.GREEN))), actor=mall)
    event = AuditEvent.objects.get(action="interchange.import_stix")
    assert event.actor_id == mall.pk
    assert event.diff["counts"] == {"bulletin": 1}
    assert event.object_id == str(result.exchange_id)


def test_all_or_nothing_on_a_bad_object(iworld: World) -> None:
    count = Bulletin.objects.count()
    bad = report(2, TLP.GREEN, name="")
    body = assert_problem(post(iworld.users["mall_admin"], bundle(report(1, TLP.GREEN), bad)), 422)
    assert body["code"] == "import_invalid"
    assert [e["field"] for e in body["errors"]] == [f"{bad['id']}.name"]
    assert Bulletin.objects.count() == count


def test_all_or_nothing_when_a_later_write_fails(
    iworld: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placeguard.core.errors import FieldError, ValidationError
    from placeguard.web.sharing import services as sharing

    real = sharing.create_bulletin
    calls: list[int] = []

    def second_fails(raw: dict[str, Any], *, actor: Any) -> Bulletin:
        calls.append(1)
        if len(calls) == 2:
            msg = "refused"
            raise ValidationError(msg, errors=[FieldError("tlp", "I1: refused")])
        return real(raw, actor=actor)

    monkeypatch.setattr(sharing, "create_bulletin", second_fails)
    count = Bulletin.objects.count()
    response = post(iworld.users["mall_admin"], bundle(report(1, TLP.GREEN), report(2, TLP.GREEN)))
    body = assert_problem(response, 422, "import_invalid")
    assert body["errors"][0]["field"].startswith("report--00000002")
    assert Bulletin.objects.count() == count  # the first draft was rolled back


def test_multipart_upload(iworld: World) -> None:
    upload = SimpleUploadedFile(
        "bundle.json", json.dumps(bundle(report(1, TLP.AMBER))).encode(), "application/json"
    )
    response = token_client(iworld.users["mall_admin"]).post(
        URL, {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["created"]) == 1
    missing = token_client(iworld.users["mall_admin"]).post(URL, {"x": "1"}, format="multipart")
    assert_problem(missing, 422, "import_invalid")


HOSTILE: list[Any] = [
    b"",
    b"not json at all",
    b"\xff\xfe\x00garbage",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"a":' * 60 + b"1" + b"}" * 60,
    json.dumps([1, 2, 3]).encode(),
    json.dumps({"type": "bundle", "id": "bundle--1", "objects": []}).encode(),
    json.dumps(bundle()).encode(),  # nothing to import
    json.dumps(bundle(report(1, TLP.GREEN, created_by_ref="file:///etc/passwd"))).encode(),
    json.dumps(bundle(report(1, TLP.GREEN, object_refs=["phar://x.phar/a"]))).encode(),
    json.dumps(
        bundle(
            report(
                1,
                TLP.GREEN,
                external_references=[{"source_name": "x", "url": "file:///etc/shadow"}],
            )
        )
    ).encode(),
    json.dumps(bundle(report(1, TLP.GREEN, name="x" * 5000))).encode(),
    b'{"type": "bundle", "id": "bundle--33333333-3333-4333-8333-333333333333", "objects": NaN}',
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_a_422_with_problems(iworld: World, raw: bytes) -> None:
    count = Bulletin.objects.count()
    body = assert_problem(post(iworld.users["mall_admin"], raw), 422, "import_invalid")
    assert body["errors"]
    assert Bulletin.objects.count() == count


def test_too_large_is_a_422(iworld: World) -> None:
    raw = b'{"pad": "' + b"x" * (stix.MAX_BYTES + 10) + b'"}'
    body = assert_problem(post(iworld.users["mall_admin"], raw), 422, "import_invalid")
    assert body["errors"][0]["field"] == "file"
    assert post(iworld.users["mall_admin"], bundle(report(1, TLP.CLEAR))).status_code == 201


def test_readers_cannot_import(iworld: World) -> None:
    assert_problem(post(iworld.users["mall_reader"], bundle(report(1, TLP.CLEAR))), 403)
    assert post(iworld.users["mall_admin"], bundle(report(1, TLP.CLEAR))).status_code == 201
    assert_problem(token_client(None).post(URL, b"{}", content_type="application/json"), 401)
