"""Evidence: type by content, size limit, SHA-256 at upload and at every download, custody log."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from placeguard.core.errors import ConflictError, NotFoundError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.incidents import services, storage
from placeguard.web.incidents.models import CustodyEntry, Evidence
from tests.conftest import World
from tests.web.incidents.conftest import PDF, shared_incident, upload

pytestmark = pytest.mark.django_db


def _read(stream: Any) -> bytes:
    data: bytes = stream.read()
    stream.close()
    return data


def test_upload_stores_under_a_random_name_with_its_hash(iworld: World, evidence_dir: Path) -> None:
    w = iworld
    incident = shared_incident(w)
    ev = upload(w, incident, name='../../etc/Witness "statement".html')
    assert ev.sha256 == hashlib.sha256(PDF).hexdigest()
    assert ev.content_type == "application/pdf"
    assert ev.original_name == "Witness statement.pdf"  # base name, no quotes, sniffed extension
    stored = list(evidence_dir.iterdir())
    assert [p.name for p in stored] == [ev.storage_name]
    assert "Witness" not in ev.storage_name
    assert stored[0].read_bytes() == PDF
    entry = CustodyEntry.objects.get(evidence=ev)
    assert (entry.action, entry.sha256, entry.actor) == ("uploaded", ev.sha256, w.users["police_n"])
    assert AuditEvent.objects.filter(action="evidence.uploaded").exists()


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<?xml version="1.0"?><svg/>',
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",  # a Windows executable
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",  # an ELF executable
        b"notes\n<script>alert(1)</script>\n",  # text carrying markup
    ],
)
def test_markup_and_executables_are_refused_whatever_the_name(
    iworld: World, evidence_dir: Path, data: bytes
) -> None:
    w = iworld
    incident = shared_incident(w)
    with pytest.raises(ValidationError) as exc:
        upload(w, incident, data=data, name="harmless.pdf")
    assert exc.value.errors[0].code == "unsupported_type"
    assert not Evidence.objects.exists()
    assert list(evidence_dir.iterdir()) == []  # nothing left on disk
    # Allowed: plain text and a real PDF.
    assert upload(w, incident, data=b"time,event\n10:15,call\n", name="log.csv").content_type == (
        "text/plain"
    )


def test_size_limit(iworld: World, settings: Any, evidence_dir: Path) -> None:
    w = iworld
    incident = shared_incident(w)
    settings.PLACEGUARD_EVIDENCE_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError) as exc:
        upload(w, incident)
    assert exc.value.errors[0].code == "too_large"
    assert list(evidence_dir.iterdir()) == []
    settings.PLACEGUARD_EVIDENCE_MAX_BYTES = len(PDF)
    assert upload(w, incident).size == len(PDF)


def test_download_verifies_the_hash_and_logs_custody(iworld: World) -> None:
    w = iworld
    incident = shared_incident(w)
    ev = upload(w, incident)
    mall = w.users["mall_admin"]  # a recipient may download
    assert _read(services.download_evidence(ev, actor=mall)) == PDF
    entry = CustodyEntry.objects.filter(evidence=ev).latest("id")
    assert (entry.action, entry.actor, entry.sha256) == ("downloaded", mall, ev.sha256)
    # An outsider cannot, and leaves no trace.
    count = CustodyEntry.objects.count()
    with pytest.raises(NotFoundError):
        services.download_evidence(ev, actor=w.users["hotel_admin"])
    assert CustodyEntry.objects.count() == count


def test_tampered_file_is_refused_audited_and_logged(iworld: World) -> None:
    w = iworld
    incident = shared_incident(w)
    ev = upload(w, incident)
    assert _read(services.download_evidence(ev, actor=w.users["police_n"])) == PDF  # allowed
    path = storage.path_of(ev.storage_name)
    path.write_bytes(PDF.replace(b"Catalog", b"Catalo9"))
    with pytest.raises(ConflictError) as exc:
        services.download_evidence(ev, actor=w.users["mall_admin"])
    assert exc.value.code == "integrity_failure"
    entry = CustodyEntry.objects.filter(evidence=ev).latest("id")
    assert entry.action == "integrity_failure"
    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != ev.sha256
    assert AuditEvent.objects.filter(action="evidence.integrity_failure",
                                     object_id=str(ev.pk)).exists()  # fmt: skip
    with pytest.raises(ConflictError):
        services.verify_evidence(ev, actor=w.users["police_n"])
    path.unlink()  # a missing file fails the same way
    with pytest.raises(ConflictError):
        services.download_evidence(ev, actor=w.users["police_n"])


def test_custody_entries_by_hand_need_a_reason_to_transfer(iworld: World) -> None:
    w = iworld
    incident = shared_incident(w)
    ev = upload(w, incident)
    with pytest.raises(ValidationError) as exc:
        services.record_custody(ev, {"action": "transferred"}, actor=w.users["police_n"])
    assert exc.value.errors[0].field == "reason"
    with pytest.raises(ValidationError):  # automatic actions cannot be forged by hand
        services.record_custody(ev, {"action": "downloaded", "reason": "x"},
                                actor=w.users["police_n"])  # fmt: skip
    entry = services.record_custody(
        ev, {"action": "transferred", "reason": "To the forensic lab.", "handed_to": "Lab 3"},
        actor=w.users["police_n"],
    )  # fmt: skip
    assert (entry.action, entry.handed_to, entry.sha256) == ("transferred", "Lab 3", ev.sha256)
    assert AuditEvent.objects.filter(action="evidence.transferred").exists()
    verified = services.verify_evidence(ev, actor=w.users["police_n"])
    assert verified.action == "verified"


def test_custody_is_append_only() -> None:
    # No service updates or deletes custody entries; the module offers none.
    names = set(dir(services))
    assert not {n for n in names if "custody" in n and n.startswith(("update", "delete"))}
    assert "record_custody" in names
