"""SAR pages: list, filing form (422 with messages, nothing saved), detail per persona, vetting,
download refusal on a tampered file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from placeguard.web.sars import services
from placeguard.web.sars.models import AttachmentContent, SuspiciousActivityReport
from tests.conftest import World
from tests.web.sars.conftest import PDF, sar_raw

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _form(w: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "site": str(w.sites["mall_north"].pk),
        "tier_one": ["THREAT"],
        "observed_from": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "narrative": "A man <b>shouted</b> that he would come back with petrol.",
        "why_suspicious": "Explicit threat to burn the food court.",
        "channel": "staff",
        "reporter_full_name": "Rita Reporter",
        "reporter_may_contact": "on",
    }
    data.update(overrides)
    return data


def test_file_a_report_through_the_page(sarworld: World) -> None:
    w = sarworld
    client = _client(w.users["mall_reporter"])
    page = client.get("/sars/new/")
    assert page.status_code == 200 and b"race, religion" in page.content
    data = _form(w, attachments=SimpleUploadedFile("n.pdf", PDF))
    response = client.post("/sars/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sar = SuspiciousActivityReport.objects.get()
    assert sar.attachments.count() == 1
    detail = client.get(response["Location"])
    assert b"&lt;b&gt;shouted&lt;/b&gt;" in detail.content  # escaped, never rendered
    assert b"Rita Reporter" in detail.content


def test_bad_form_is_422_and_saves_nothing(sarworld: World) -> None:
    w = sarworld
    client = _client(w.users["mall_reporter"])
    response = client.post("/sars/new/", _form(w, tier_one=[], tier_two=["PHOTO"]))
    assert response.status_code == 422
    assert b"articulable facts" in response.content.lower()
    assert not SuspiciousActivityReport.objects.exists()
    assert _client(w.users["mall_reader"]).get("/sars/new/").status_code == 403


def test_detail_per_persona(sarworld: World) -> None:
    w = sarworld
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    services.vet_sar(sar, {"status": "under_review", "note": "Secret CCTV check."},
                     actor=w.users["police_n"])  # fmt: skip
    url = f"/sars/{sar.pk}/"
    police = _client(w.users["police_n"]).get(url)
    assert police.status_code == 200
    assert b"Secret CCTV check." in police.content and b"Rita Reporter" in police.content
    assert b"Vet this report" in police.content
    mall = _client(w.users["mall_admin"]).get(url)
    assert mall.status_code == 200 and b"Under review" in mall.content
    assert b"Secret CCTV check." not in mall.content and b"Rita Reporter" not in mall.content
    for name in ["police_s", "hotel_admin", "platform_admin", "auditor", "ministry"]:
        assert _client(w.users[name]).get(url).status_code == 404, name
    listed = _client(w.users["mall_admin"]).get("/sars/")
    assert listed.status_code == 200 and f"SAR-{sar.pk}".encode() in listed.content
    assert f"SAR-{sar.pk}".encode() not in _client(w.users["hotel_admin"]).get("/sars/").content


def test_vet_through_the_page(sarworld: World) -> None:
    w = sarworld
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    police = _client(w.users["police_n"])
    bad = police.post(f"/sars/{sar.pk}/vet/", {"status": "referred", "note": "x"})
    assert bad.status_code == 422
    ok = police.post(f"/sars/{sar.pk}/vet/", {"status": "under_review"})
    assert ok.status_code == 302
    sar.refresh_from_db()
    assert sar.status == "under_review"
    denied = _client(w.users["mall_admin"]).post(f"/sars/{sar.pk}/vet/", {"status": "referred"})
    assert denied.status_code == 403


def test_tampered_download_refused_on_the_page(sarworld: World) -> None:
    w = sarworld
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                            files=[("a.pdf", PDF)])  # fmt: skip
    attachment = sar.attachments.get()
    url = f"/sars/{sar.pk}/attachments/{attachment.pk}/download/"
    police = _client(w.users["police_n"])
    ok = police.get(url)
    assert ok.status_code == 200 and ok["Content-Disposition"].startswith("attachment")
    AttachmentContent.objects.filter(attachment=attachment).update(original=b"%PDF-tampered")
    refused = police.get(url)
    assert refused.status_code == 409 and b"SHA-256" in refused.content
