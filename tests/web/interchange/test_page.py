"""The /interchange/ page: export form pointing at the API, import upload with its outcome."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from placeguard.core.vocab import TLP
from placeguard.web.sharing.models import Bulletin
from tests.conftest import World
from tests.web.interchange.test_import import bundle, report


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def upload(raw: bytes) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile("b.json", raw, "application/json")}


def test_page_shows_both_forms(iworld: World) -> None:
    response = client_for(iworld.users["mall_reader"]).get("/interchange/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/api/v1/interchange/stix/"' in html
    assert 'formaction="/api/v1/interchange/misp/"' in html
    assert '<label for="id_file">' in html
    assert Client().get("/interchange/").status_code == 302  # sign in first


def test_upload_creates_drafts_and_escapes_titles(iworld: World) -> None:
    raw = json.dumps(bundle(report(1, TLP.GREEN, name="<script>alert(1)</script>"))).encode()
    response = client_for(iworld.users["mall_admin"]).post("/interchange/", upload(raw))
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert Bulletin.objects.filter(title="<script>alert(1)</script>", status="draft").exists()


def test_bad_upload_lists_problems_and_readers_are_refused(iworld: World) -> None:
    count = Bulletin.objects.count()
    bad = client_for(iworld.users["mall_admin"]).post("/interchange/", upload(b"{nope"))
    assert bad.status_code == 422
    assert "not valid JSON" in bad.content.decode()
    raw = json.dumps(bundle(report(1, TLP.CLEAR))).encode()
    reader = client_for(iworld.users["mall_reader"]).post("/interchange/", upload(raw))
    assert reader.status_code == 403
    assert Bulletin.objects.count() == count
