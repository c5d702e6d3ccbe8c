"""Incident pages: list, detail with children, create/edit, upload, download, escaping."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from placeguard.web.incidents import services
from placeguard.web.incidents.models import CustodyEntry, Evidence, Incident
from tests.conftest import PASSWORD, World
from tests.web.helpers import close_response
from tests.web.incidents.conftest import PDF, shared_incident, upload

pytestmark = pytest.mark.django_db


def _client(w: World, name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


def test_list_detail_and_children(iworld: World) -> None:
    w = iworld
    incident = shared_incident(w, title="<script>alert(1)</script> attack",
                               summary="**bold** <img src=x onerror=alert(1)>")  # fmt: skip
    services.add_timeline_entry(incident, {"occurred_at": "2026-05-01T10:00:00Z",
                                           "text": "Call <b>received</b>"},
                                actor=w.users["police_n"])  # fmt: skip
    ev = upload(w, incident)
    mall = _client(w, "mall_admin")
    page = mall.get("/incidents/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; attack" in page
    html = mall.get(f"/incidents/{incident.pk}/").content.decode()
    assert "<strong>bold</strong>" in html and "onerror" not in html
    assert "<script>alert(1)" not in html
    assert "Call &lt;b&gt;received&lt;/b&gt;" in html
    assert ev.sha256 in html and f"/incidents/{incident.pk}/evidence/{ev.pk}/download/" in html
    assert "North Mall" in html
    assert "Add evidence" not in html  # a recipient does not write children
    # An outsider: 404 on the page and the download.
    hotel = _client(w, "hotel_admin")
    assert hotel.get(f"/incidents/{incident.pk}/").status_code == 404
    assert hotel.get(f"/incidents/{incident.pk}/evidence/{ev.pk}/download/").status_code == 404
    assert incident.title not in hotel.get("/incidents/").content.decode()
    # The recipient downloads: attachment, nosniff, custody entry.
    d = mall.get(f"/incidents/{incident.pk}/evidence/{ev.pk}/download/")
    assert d.status_code == 200 and d["Content-Disposition"].startswith("attachment")
    assert d["X-Content-Type-Options"] == "nosniff"
    assert b"".join(d.streaming_content) == PDF  # type: ignore[attr-defined]
    close_response(d)
    assert CustodyEntry.objects.filter(evidence=ev, action="downloaded").count() == 1


def test_create_edit_upload_and_children_forms(iworld: World) -> None:
    w = iworld
    assert _client(w, "police_n_reader").get("/incidents/new/").status_code == 403
    police = _client(w, "police_n")
    assert police.get("/incidents/new/").status_code == 200
    r = police.post("/incidents/new/", {"title": "Hoax call", "tlp": "amber", "summary": "s",
                                        "investigation_status": "open", "scenario": "hoax",
                                        "orgs": [w.orgs["mall-co"].pk],
                                        "sites": [w.sites["mall_north"].pk]})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    incident = Incident.objects.get(title="Hoax call")
    bad = police.post(f"/incidents/{incident.pk}/edit/", {"title": "Hoax call", "tlp": "amber",
                                                          "audience_public": "on",
                                                          "investigation_status": "open"})  # fmt: skip
    assert bad.status_code == 422
    assert police.get(f"/incidents/{incident.pk}/edit/").status_code == 200
    r = police.post(f"/incidents/{incident.pk}/evidence/new/",
                    {"file": SimpleUploadedFile("x.pdf", b"<html>hi</html>")})  # fmt: skip
    assert r.status_code == 422 and not Evidence.objects.exists()
    r = police.post(f"/incidents/{incident.pk}/evidence/new/",
                    {"file": SimpleUploadedFile("x.pdf", PDF), "description": "d"})  # fmt: skip
    assert r.status_code == 302 and Evidence.objects.count() == 1
    police.post(f"/incidents/{incident.pk}/timeline/",
                {"occurred_at": "2026-05-01 10:00", "text": "Call"})  # fmt: skip
    police.post(f"/incidents/{incident.pk}/tasks/", {"title": "Trace the caller"})
    task = incident.tasks.get()
    police.post(f"/incidents/{incident.pk}/tasks/{task.pk}/", {"status": "done"})
    police.post(f"/incidents/{incident.pk}/lessons/", {"text": "Train staff", "tags": "hoax"})
    ev = Evidence.objects.get()
    police.post(f"/incidents/{incident.pk}/evidence/{ev.pk}/custody/",
                {"action": "transferred", "reason": "Lab", "handed_to": "Lab 1"})  # fmt: skip
    incident.refresh_from_db()
    assert incident.timeline.count() == 1 and incident.lessons.count() == 1
    task.refresh_from_db()
    assert task.status == "done"
    assert CustodyEntry.objects.filter(action="transferred").count() == 1
    r = police.post(f"/incidents/{incident.pk}/publish/")
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "published"
    html = police.get(f"/incidents/{incident.pk}/").content.decode()
    for text in ("Trace the caller", "Train staff", "Publish as good practice", "Lab 1",
                 "Transferred", "Add evidence", "Withdraw"):  # fmt: skip
        assert text in html, text
    # A recipient cannot post children through the pages either.
    mall = _client(w, "mall_admin")
    mall.post(f"/incidents/{incident.pk}/tasks/", {"title": "mine"})
    assert incident.tasks.count() == 1


def test_tampered_download_page_says_so(iworld: World) -> None:
    from placeguard.web.incidents import storage

    w = iworld
    incident = shared_incident(w)
    ev = upload(w, incident)
    police = _client(w, "police_n")
    ok = police.get(f"/incidents/{incident.pk}/evidence/{ev.pk}/download/")
    assert ok.status_code == 200
    close_response(ok)
    storage.path_of(ev.storage_name).write_bytes(b"changed")
    r = police.get(f"/incidents/{incident.pk}/evidence/{ev.pk}/download/")
    assert r.status_code == 409 and b"Integrity check failed" in r.content
