"""``/api/v1/incidents/``: create/update (422s), nested children (404 across parents), evidence
upload and download headers, publish/withdraw."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from placeguard.web.incidents import storage
from placeguard.web.incidents.models import CustodyEntry, Incident
from tests.conftest import World
from tests.web.helpers import assert_problem, close_response, token_client
from tests.web.incidents.conftest import PDF, incident_raw, shared_incident, upload

pytestmark = pytest.mark.django_db

BASE = "/api/v1/incidents/"


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_create_update_and_422s(iworld: World) -> None:
    w: Any = iworld
    client = token_client(w.users["police_n"])
    r = client.post(BASE, incident_raw(tlp="amber", audience_public=True), format="json")
    body = assert_problem(r, 422)
    assert any(e["code"] == "I1" for e in body["errors"])
    r = client.post(BASE, incident_raw(groups=[w.groups["dormant"].pk]), format="json")
    assert_problem(r, 422)
    r = client.post(BASE, incident_raw(colour="blue"), format="json")
    assert assert_problem(r, 422)["errors"][0]["code"] == "unknown_field"
    assert not Incident.objects.exists()
    r = client.post(BASE, incident_raw(orgs=[w.orgs["mall-co"].pk]), format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["orgs"] == [w.orgs["mall-co"].pk]
    r = client.patch(f"{BASE}{pk}/", {"org": w.orgs["mall-co"].pk}, format="json")
    assert assert_problem(r, 422)["errors"][0]["code"] == "I7"
    r = client.patch(f"{BASE}{pk}/", {"investigation_status": "closed", "injured": 3},
                     format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["injured"] == 3


def test_publish_withdraw_and_stub(iworld: World) -> None:
    w: Any = iworld
    police, mall = token_client(w.users["police_n"]), token_client(w.users["mall_admin"])
    pk = police.post(BASE, incident_raw(orgs=[w.orgs["mall-co"].pk]), format="json").json()["id"]
    assert mall.get(f"{BASE}{pk}/").status_code == 404  # a draft is the originator's
    assert police.post(f"{BASE}{pk}/publish/", {}, format="json").status_code == 200
    assert mall.get(f"{BASE}{pk}/").json()["title"]
    assert_problem(mall.post(f"{BASE}{pk}/withdraw/", {"reason": "x"}, format="json"), 403)
    r = police.post(f"{BASE}{pk}/withdraw/", {"reason": "Duplicate."}, format="json")
    assert r.status_code == 200
    stub = mall.get(f"{BASE}{pk}/").json()
    assert stub["is_stub"] and "title" not in stub and stub["withdrawal_reason"] == "Duplicate."
    assert mall.get(f"{BASE}{pk}/timeline/").status_code == 404  # no children under a stub
    assert police.get(f"{BASE}{pk}/timeline/").status_code == 200


def test_children_of_hidden_incidents_and_other_parents_are_404(iworld: World) -> None:
    w: Any = iworld
    shown = shared_incident(w)
    hidden = shared_incident(w, orgs=[w.orgs["hotel-co"].pk], sites=[])
    police = token_client(w.users["police_n"])
    for incident in (shown, hidden):
        url = f"{BASE}{incident.pk}"
        police.post(f"{url}/timeline/", {"occurred_at": "2026-05-01T10:00:00Z", "text": "t"},
                    format="json")  # fmt: skip
        police.post(f"{url}/tasks/", {"title": "t"}, format="json")
        upload(w, incident)
    mall = token_client(w.users["mall_admin"])
    h = hidden.pk
    ev_h = hidden.evidence.get().pk
    for url in [f"{BASE}{h}/", f"{BASE}{h}/timeline/", f"{BASE}{h}/timeline/{hidden.timeline.get().pk}/",
                f"{BASE}{h}/tasks/{hidden.tasks.get().pk}/", f"{BASE}{h}/evidence/{ev_h}/",
                f"{BASE}{h}/evidence/{ev_h}/download/", f"{BASE}{h}/custody/"]:  # fmt: skip
        assert_problem(mall.get(url), 404)
    # #57: a child id of another incident under a visible parent is 404 too.
    s = shown.pk
    assert_problem(mall.get(f"{BASE}{s}/evidence/{ev_h}/download/"), 404)
    assert_problem(police.get(f"{BASE}{s}/tasks/{hidden.tasks.get().pk}/"), 404)
    assert_problem(police.patch(f"{BASE}{s}/tasks/{hidden.tasks.get().pk}/", {"status": "done"},
                                format="json"), 404)  # fmt: skip
    assert hidden.tasks.get().status == "todo"
    # Allowed: the visible incident's children.
    assert mall.get(f"{BASE}{s}/timeline/").json()["count"] == 1
    assert mall.get(f"{BASE}{s}/custody/").json()["count"] == 1
    d = mall.get(f"{BASE}{s}/evidence/{shown.evidence.get().pk}/download/")
    assert d.status_code == 200
    assert _content(d) == PDF
    close_response(d)
    # Recipients read children but do not write them.
    r = mall.post(f"{BASE}{s}/tasks/", {"title": "mine"}, format="json")
    assert_problem(r, 403)


def test_evidence_upload_download_headers_and_tamper(iworld: World) -> None:
    w: Any = iworld
    incident = shared_incident(w)
    police = token_client(w.users["police_n"])
    url = f"{BASE}{incident.pk}/evidence/"
    evil = SimpleUploadedFile(
        "scan.pdf", b"<svg onload='alert(1)'/>", content_type="application/pdf"
    )
    body = assert_problem(police.post(url, {"file": evil}, format="multipart"), 422)
    assert body["errors"][0]["code"] == "unsupported_type"
    r = police.post(url, {"file": SimpleUploadedFile("scan.pdf", PDF), "description": "Scan"},
                    format="multipart")  # fmt: skip
    assert r.status_code == 201, r.content
    ev = r.json()
    assert police.get(url).json()["results"][0]["sha256"] == ev["sha256"]
    d = police.get(f"{url}{ev['id']}/download/")
    assert d.status_code == 200
    assert d["Content-Disposition"].startswith("attachment")
    assert d["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in d["Content-Security-Policy"]
    assert _content(d) == PDF
    close_response(d)
    custody = police.get(f"{BASE}{incident.pk}/custody/").json()["results"]
    assert [c["action"] for c in custody] == ["uploaded", "downloaded"]
    assert police.post(f"{BASE}{incident.pk}/custody/", {}, format="json").status_code == 405
    r = police.post(f"{url}{ev['id']}/custody/",
                    {"action": "released", "reason": "Returned to owner.", "handed_to": "Mall Co"},
                    format="json")  # fmt: skip
    assert r.status_code == 201
    stored = CustodyEntry.objects.get(pk=custody[0]["id"])
    storage.path_of(stored.evidence.storage_name).write_bytes(b"%PDF-1.4 forged")
    assert_problem(police.get(f"{url}{ev['id']}/download/"), 409, "integrity_failure")
    assert CustodyEntry.objects.filter(action="integrity_failure").count() == 1
