"""Attachments: type by content, size limit, SHA-256 at upload and at download, never inline,
EXIF stripped from the shared JPEG copy while the original keeps its hash."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sars import services, uploads
from placeguard.web.sars.models import Attachment, AttachmentContent
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sars.conftest import PDF, jpeg_with_exif, sar_raw

pytestmark = pytest.mark.django_db
URL = "/api/v1/sars/"


def _sar_with_pdf(w: World) -> tuple[int, Attachment]:
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                            files=[("notes.pdf", PDF)])  # fmt: skip
    return sar.pk, sar.attachments.get()


def test_download_verifies_hash_and_is_never_inline(sarworld: World) -> None:
    w = sarworld
    sar_id, attachment = _sar_with_pdf(w)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    response = token_client(w.users["police_n"]).get(
        f"{URL}{sar_id}/attachments/{attachment.pk}/download/"
    )
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="sar.attachment.download").count() == 1
    # An outsider cannot download it.
    outsider = token_client(w.users["police_s"])
    assert_problem(outsider.get(f"{URL}{sar_id}/attachments/{attachment.pk}/download/"), 404)


def test_tampered_file_is_refused_with_a_clear_error(sarworld: World) -> None:
    w = sarworld
    sar_id, attachment = _sar_with_pdf(w)
    AttachmentContent.objects.filter(attachment=attachment).update(original=PDF + b"evil")
    response = token_client(w.users["police_n"]).get(
        f"{URL}{sar_id}/attachments/{attachment.pk}/download/"
    )
    body = assert_problem(response, 409, "attachment_tampered")
    assert "SHA-256" in body["title"]
    assert AuditEvent.objects.filter(action="sar.attachment.integrity_failure").count() == 1


def test_type_is_checked_by_content_not_by_name(sarworld: World) -> None:
    w = sarworld
    sar_id, _ = _sar_with_pdf(w)
    client = token_client(w.users["mall_reporter"])
    html = b"<html><script>alert(1)</script></html>"
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", html, content_type="image/jpeg")
    body = assert_problem(client.post(f"{URL}{sar_id}/attachments/", {"file": fake}), 422)
    assert body["errors"][0]["code"] == "unsupported_type"
    assert Attachment.objects.count() == 1
    real = SimpleUploadedFile("scan.txt", PDF, content_type="text/plain")
    ok = client.post(f"{URL}{sar_id}/attachments/", {"file": real})
    assert ok.status_code == 201, ok.content
    assert ok.json()[0]["filename"] == "scan.pdf" and ok.json()[0]["content_type"] == (
        "application/pdf"
    )


@override_settings(PLACEGUARD_SAR_MAX_UPLOAD_BYTES=100)
def test_size_limit(sarworld: World) -> None:
    w = sarworld
    sar_id, _ = _sar_with_pdf(w)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 200)
    client = token_client(w.users["mall_reporter"])
    body = assert_problem(client.post(f"{URL}{sar_id}/attachments/", {"file": big}), 422)
    assert body["errors"][0]["code"] == "too_large"
    small = SimpleUploadedFile("small.pdf", PDF)
    assert client.post(f"{URL}{sar_id}/attachments/", {"file": small}).status_code == 201


def test_only_the_reporting_side_uploads(sarworld: World) -> None:
    w = sarworld
    sar_id, _ = _sar_with_pdf(w)
    from django.core.files.uploadedfile import SimpleUploadedFile

    police = token_client(w.users["police_n"])
    response = police.post(
        f"{URL}{sar_id}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert_problem(response, 403)
    mall = token_client(w.users["mall_admin"])
    ok = mall.post(f"{URL}{sar_id}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert ok.status_code == 201


def test_exif_stripped_in_shared_copy_original_hash_preserved(sarworld: World) -> None:
    w = sarworld
    original = jpeg_with_exif()
    assert b"SpyCam" in original
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                            files=[("cam.jpg", original)])  # fmt: skip
    attachment = sar.attachments.get()
    assert attachment.sha256 == hashlib.sha256(original).hexdigest()
    police = w.users["police_n"]
    kept = services.open_attachment(sar, attachment.pk, actor=police)
    assert kept.data == original and kept.copy == "original"
    shared = services.open_attachment(sar, attachment.pk, actor=police, copy="shared")
    assert b"SpyCam" not in shared.data and b"Exif" not in shared.data
    assert shared.sha256 == attachment.shared_sha256 != attachment.sha256
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(shared.data)).size == (8, 8)  # still a valid picture
    # A force reached by referral gets the shared copy even when asking for the original.
    services.vet_sar(sar, {"status": "under_review"}, actor=police)
    services.vet_sar(sar, {"status": "referred", "note": "n", "refer_to": ["police-south"]},
                     actor=police)  # fmt: skip
    onward = services.open_attachment(sar, attachment.pk, actor=w.users["police_s"])
    assert onward.copy == "shared" and b"SpyCam" not in onward.data


def test_sniffing() -> None:
    assert uploads.sniff(PDF) == "application/pdf"
    assert uploads.sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert uploads.sniff(b"\x00\x00\x00\x18ftypmp42rest") == "video/mp4"
    assert uploads.sniff(b"GIF89a") is None
    broken = uploads.check_file("x.jpg", b"\xff\xd8\xff\xe1\x00")  # truncated segment
    assert not isinstance(broken, uploads.CheckedFile) and broken.code == "invalid_image"
    assert uploads.strip_jpeg_metadata(b"not a jpeg") is None
    assert uploads.safe_filename('..\\..\\evil"name.php', "image/png") == "evilname.png"
