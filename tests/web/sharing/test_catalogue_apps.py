"""Catalogue entries (research/info-sharing.md §9) on the incidents, SAR and interchange apps
that the apps' own tests leave open. One test per entry, named after it; every denial is
checked beside the allowed case. The map of entries to tests is docs/sharing-tests.md.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from placeguard.core.errors import NotFoundError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.queries import visible_to as audit_visible_to
from placeguard.web.audit.services import verify_chain
from placeguard.web.incidents import queries as incident_queries
from placeguard.web.incidents import services as incidents
from placeguard.web.incidents.models import Evidence, Incident
from placeguard.web.notifications.models import Notification, OutboxMessage
from placeguard.web.orgs import services as orgs
from placeguard.web.orgs.models import User
from placeguard.web.sars import queries as sar_queries
from placeguard.web.sars import services as sars
from placeguard.web.sars.models import SuspiciousActivityReport
from placeguard.web.sharing import services as sharing
from placeguard.web.sharing.models import Bulletin
from placeguard.web.sharing.queries import bulletins_visible_to
from tests.conftest import PASSWORD, World
from tests.web.helpers import assert_problem, close_response, token_client
from tests.web.incidents.conftest import PDF, shared_incident, upload
from tests.web.sars.conftest import build_sar_world, sar_raw
from tests.web.sharing.conftest import build_sharing_world, bulletin_raw

INC = "/api/v1/incidents"
SAR = "/api/v1/sars"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    """Evidence files of each test go to its own temporary folder."""
    folder = tmp_path / "evidence"
    settings.PLACEGUARD_EVIDENCE_DIR = str(folder)
    return folder


def _page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _status(response: Any) -> int:
    """The status code, closing a streamed download so no file handle is left open."""
    code: int = response.status_code
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        close_response(response)
    return code


def _incident_with_children(w: World) -> tuple[Incident, dict[str, Any]]:
    """A published AMBER incident of Police North for Mall Co, with one child of every kind."""
    incident = shared_incident(w)
    police = w.users["police_n"]
    entry = incidents.add_timeline_entry(
        incident, {"occurred_at": "2026-05-01T10:00:00Z", "text": "Call received."}, actor=police
    )
    task = incidents.add_task(incident, {"title": "Collect CCTV"}, actor=police)
    lesson = incidents.add_lesson(incident, {"text": "Staff did not know whom to call."},
                                  actor=police)  # fmt: skip
    evidence = upload(w, incident)
    custody = evidence.custody.get()
    return incident, {"entry": entry, "task": task, "lesson": lesson, "evidence": evidence,
                      "custody": custody}  # fmt: skip


def _incident_child_urls(incident: Incident, kids: dict[str, Any]) -> list[str]:
    base = f"{INC}/{incident.pk}"
    ev = kids["evidence"].pk
    return [
        f"{base}/", f"{base}/timeline/", f"{base}/timeline/{kids['entry'].pk}/",
        f"{base}/tasks/", f"{base}/tasks/{kids['task'].pk}/", f"{base}/lessons/",
        f"{base}/lessons/{kids['lesson'].pk}/", f"{base}/evidence/", f"{base}/evidence/{ev}/",
        f"{base}/evidence/{ev}/download/", f"{base}/custody/",
        f"{base}/custody/{kids['custody'].pk}/",
    ]  # fmt: skip


# --------------------------------------------------------------------------- 9.2


@pytest.mark.django_db
def test_10_view_foreign_item_by_id_404_for_every_child_kind_of_incidents_and_sars() -> None:
    """Every read route of an incident, a SAR and their children: outsiders 404, insiders 200."""
    w = build_sar_world()
    incident, kids = _incident_with_children(w)
    api_urls = _incident_child_urls(incident, kids)
    pages = [f"/incidents/{incident.pk}/",
             f"/incidents/{incident.pk}/evidence/{kids['evidence'].pk}/download/"]  # fmt: skip
    outsider, insider = w.users["hotel_admin"], w.users["mall_admin"]
    for url in api_urls:
        assert_problem(token_client(outsider).get(url), 404)
        assert _status(token_client(insider).get(url)) == 200, url
    for url in pages:
        assert _page(outsider).get(url).status_code == 404, url
        assert _status(_page(insider).get(url)) == 200, url

    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                        files=[("notes.pdf", PDF)])  # fmt: skip
    sars.add_note(sar, "Plate known.", actor=w.users["police_n"])
    attachment = sar.attachments.get()
    reads = [f"{SAR}/{sar.pk}/", f"{SAR}/{sar.pk}/attachments/{attachment.pk}/download/"]
    sar_pages = [f"/sars/{sar.pk}/", f"/sars/{sar.pk}/attachments/{attachment.pk}/download/"]
    for name in ["police_s", "hotel_admin", "rogue_police", "ministry", "auditor"]:
        user = w.users[name]
        for url in reads:
            assert_problem(token_client(user).get(url), 404)
        for url in sar_pages:
            assert _page(user).get(url).status_code == 404, (name, url)
        client = token_client(user)
        assert_problem(client.post(f"{SAR}/{sar.pk}/notes/", {"body": "x"}, format="json"), 404)
        assert_problem(client.post(f"{SAR}/{sar.pk}/vet/", {"status": "under_review"},
                                   format="json"), 404)  # fmt: skip
        assert_problem(client.post(f"{SAR}/{sar.pk}/attachments/",
                                   {"file": SimpleUploadedFile("a.pdf", PDF)}), 404)  # fmt: skip
    for name in ["police_n", "mall_admin", "mall_reporter"]:
        user = w.users[name]
        for url in reads:
            assert token_client(user).get(url).status_code == 200, (name, url)
        for url in sar_pages:
            assert _page(user).get(url).status_code == 200, (name, url)
    # Children that are sub-records (notes, identity) are absent from the non-LE insider's view.
    mall_view = token_client(w.users["mall_admin"]).get(f"{SAR}/{sar.pk}/").json()
    assert "vetting_notes" not in mall_view and "reporter" not in mall_view
    police_view = token_client(w.users["police_n"]).get(f"{SAR}/{sar.pk}/").json()
    assert police_view["vetting_notes"] and police_view["reporter"]["full_name"]


@pytest.mark.django_db
def test_12_attachment_download_requires_parent_visibility() -> None:
    """A download follows its parent: narrowed, withdrawn or another parent's id → 404."""
    w = build_sar_world()
    incident = shared_incident(w)
    ev = upload(w, incident)
    url = f"{INC}/{incident.pk}/evidence/{ev.pk}/download/"
    page = f"/incidents/{incident.pk}/evidence/{ev.pk}/download/"
    mall, hotel, police = w.users["mall_admin"], w.users["hotel_admin"], w.users["police_n"]
    assert _status(token_client(mall).get(url)) == 200
    assert_problem(token_client(hotel).get(url), 404)
    # The originator moves the audience from Mall Co to Hotel Co: the grant moves with it.
    incidents.update_incident(incident, {"orgs": [w.orgs["hotel-co"].pk]}, actor=police)
    assert_problem(token_client(mall).get(url), 404)
    assert _page(mall).get(page).status_code == 404
    assert _status(token_client(hotel).get(url)) == 200
    assert _status(_page(hotel).get(page)) == 200
    # Withdrawn: recipients keep a stub and lose every file; the originator keeps reading.
    incidents.withdraw_incident(incident, reason="Duplicate.", actor=police)
    assert_problem(token_client(hotel).get(url), 404)
    assert _status(token_client(police).get(url)) == 200

    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                        files=[("a.pdf", PDF)])  # fmt: skip
    hotel_sar = sars.file_sar(sar_raw(w.sites["hotel_north"]), actor=hotel,
                              files=[("b.pdf", PDF)])  # fmt: skip
    attachment = sar.attachments.get()
    # Another report's attachment id under a report the caller does see: 404.
    crossed = f"{SAR}/{hotel_sar.pk}/attachments/{attachment.pk}/download/"
    assert_problem(token_client(hotel).get(crossed), 404)
    own = f"{SAR}/{hotel_sar.pk}/attachments/{hotel_sar.attachments.get().pk}/download/"
    assert token_client(hotel).get(own).status_code == 200
    right = f"{SAR}/{sar.pk}/attachments/{attachment.pk}/download/"
    assert token_client(w.users["police_n"]).get(right).status_code == 200


@pytest.mark.django_db
def test_13_incident_children_inherit_parent_acl() -> None:
    """Timeline, tasks, lessons, evidence and custody follow the incident's audience as it
    changes, on the API and the page."""
    w = build_sharing_world()
    incident, kids = _incident_with_children(w)
    urls = _incident_child_urls(incident, kids)
    mall, hotel = w.users["mall_admin"], w.users["hotel_admin"]
    for url in urls:
        assert _status(token_client(mall).get(url)) == 200, url
    assert b"Call received." in _page(mall).get(f"/incidents/{incident.pk}/").content
    incidents.update_incident(incident, {"orgs": [w.orgs["hotel-co"].pk]},
                              actor=w.users["police_n"])  # fmt: skip
    for url in urls:
        assert_problem(token_client(mall).get(url), 404)
        assert _status(token_client(hotel).get(url)) == 200, url
    assert _page(mall).get(f"/incidents/{incident.pk}/").status_code == 404
    assert b"Call received." in _page(hotel).get(f"/incidents/{incident.pk}/").content
    assert not incident_queries.timeline_visible_to(mall).exists()
    assert incident_queries.timeline_visible_to(hotel).count() == 1


# --------------------------------------------------------------------------- 9.5


@pytest.mark.django_db
def test_40_sar_reporter_identity_never_in_notifications_or_audit_trail() -> None:
    """Filing, reading, vetting, referring, noting and downloading leave the reporter's name,
    phone and e-mail in no notification, outbox message or audit event."""
    w = build_sar_world()
    for user in w.users.values():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    police = w.users["police_n"]
    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                        files=[("a.pdf", PDF)])  # fmt: skip
    attachment = sar.attachments.get()
    assert token_client(police).get(f"{SAR}/{sar.pk}/").json()["reporter"]["full_name"] == (
        "Rita Reporter"
    )  # allowed: the receiving force reads the identity
    token_client(w.users["mall_admin"]).get(f"{SAR}/{sar.pk}/")
    sars.vet_sar(sar, {"status": "under_review", "note": "Checking."}, actor=police)
    sars.vet_sar(sar, {"status": "referred", "note": "n", "refer_to": ["police-south"]},
                 actor=police)  # fmt: skip
    sars.add_note(sar, "Known.", actor=police)
    token_client(police).get(f"{SAR}/{sar.pk}/attachments/{attachment.pk}/download/")
    texts = [json.dumps([n.title, n.body, n.url]) for n in Notification.objects.all()]
    texts += [json.dumps([m.subject, m.body, m.payload], default=str)
              for m in OutboxMessage.objects.all()]  # fmt: skip
    texts += [json.dumps([e.diff, e.object_repr, e.actor_label]) for e in AuditEvent.objects.all()]
    assert Notification.objects.filter(item_kind="sar").exists()
    assert OutboxMessage.objects.filter(item_kind="sar").exists()
    assert AuditEvent.objects.filter(action="sar.read").exists()
    for secret in ("Rita", "555 0101", "rita@mall.example"):
        assert not [t for t in texts if secret in t], secret


@pytest.mark.django_db
def test_42_sar_requires_behaviour_category() -> None:
    """No category → 422 ``behaviours: required`` and nothing saved; one category is enough."""
    w = build_sar_world()
    client = token_client(w.users["mall_reporter"])
    missing = sar_raw(w.sites["mall_north"])
    del missing["behaviours"]
    for raw, code in [(sar_raw(w.sites["mall_north"], behaviours=[]), "required"),
                      (missing, "required"),
                      (sar_raw(w.sites["mall_north"], behaviours=None), "null")]:  # fmt: skip
        body = assert_problem(client.post(f"{SAR}/", raw, format="json"), 422)
        assert {(e["field"], e["code"]) for e in body["errors"]} == {("behaviours", code)}
    assert not SuspiciousActivityReport.objects.exists()
    ok = client.post(f"{SAR}/", sar_raw(w.sites["mall_north"], behaviours=["THEFT"]),
                     format="json")  # fmt: skip
    assert ok.status_code == 201, ok.content


# --------------------------------------------------------------------------- 9.6


def _police_admin(w: World) -> User:
    return orgs.create_user(actor=None, username="police_n_admin",
                            organisation=w.orgs["police-north"], roles=["ORG_ADMIN"],
                            password=PASSWORD)  # fmt: skip


@pytest.mark.django_db
def test_53_sar_read_logs_of_police_hidden_from_non_le_audit_views() -> None:
    """The police's consultations of a report are in the audit trail, seen by the force's admin
    and the reader, never by the reporting operator's admin, an auditor or a platform admin —
    in the scoped query, the dashboard and the Django admin."""
    w = build_sar_world()
    police_admin = _police_admin(w)
    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    for name in ("police_n", "police_n_reader"):
        assert token_client(w.users[name]).get(f"{SAR}/{sar.pk}/").status_code == 200
    police_reads = AuditEvent.objects.filter(action="sar.read", organisation=w.orgs["police-north"])
    assert police_reads.count() == 2

    def reads(user: User) -> int:
        return audit_visible_to(user).filter(pk__in=police_reads.values("pk")).count()

    assert reads(police_admin) == 2  # allowed: the force's own admin
    assert reads(w.users["police_n"]) == 1  # and each reader their own
    for name in ("mall_admin", "mall_reporter", "auditor", "platform_admin", "hotel_admin"):
        assert reads(w.users[name]) == 0, name
    # The dashboard lists recent visible events: the police's reads are not among them.
    police_read = re.compile(rf"police_n_reader [^<]*<q>SAR-{sar.pk}</q>")
    assert not police_read.search(_page(w.users["mall_admin"]).get("/").content.decode())
    assert police_read.search(_page(police_admin).get("/").content.decode())
    admin = _page(w.users["platform_admin"]).get("/admin/audit/auditevent/?action=sar.read")
    assert admin.status_code == 200 and "police_n_reader" not in admin.content.decode()


@pytest.mark.django_db
def test_53_sar_read_logs_are_le_only_even_inside_the_reporting_organisation() -> None:
    w = build_sar_world()
    police_admin = _police_admin(w)
    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    for name in ("mall_reporter", "police_n"):
        assert token_client(w.users[name]).get(f"{SAR}/{sar.pk}/").status_code == 200
    assert audit_visible_to(police_admin).filter(action="sar.read").exists()  # allowed
    assert not audit_visible_to(w.users["mall_admin"]).filter(action="sar.read").exists()


# --------------------------------------------------------------------------- 9.8


@pytest.mark.django_db
def test_63_svg_and_html_uploads_never_rendered_inline() -> None:
    """SVG and HTML are refused by content on both upload paths; every download (API and page,
    incidents and SARs) is an attachment with nosniff and a sandboxing CSP."""
    w = build_sar_world()
    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                        files=[("a.pdf", PDF)])  # fmt: skip
    reporter = token_client(w.users["mall_reporter"])
    for data in (SVG, HTML):
        refused = reporter.post(f"{SAR}/{sar.pk}/attachments/",
                                {"file": SimpleUploadedFile("photo.jpg", data)})  # fmt: skip
        assert assert_problem(refused, 422)["errors"][0]["code"] == "unsupported_type"
    assert sar.attachments.count() == 1
    ok = reporter.post(f"{SAR}/{sar.pk}/attachments/", {"file": SimpleUploadedFile("b.pdf", PDF)})
    assert ok.status_code == 201
    incident = shared_incident(w)
    police = token_client(w.users["police_n"])
    for data in (SVG, HTML):
        refused = police.post(f"{INC}/{incident.pk}/evidence/",
                              {"file": SimpleUploadedFile("x.png", data)}, format="multipart")  # fmt: skip
        assert assert_problem(refused, 422)["errors"][0]["code"] == "unsupported_type"
    assert not Evidence.objects.exists()
    ev = upload(w, incident)
    a = sar.attachments.order_by("pk").first()
    assert a is not None
    downloads = [
        token_client(w.users["police_n"]).get(f"{SAR}/{sar.pk}/attachments/{a.pk}/download/"),
        _page(w.users["police_n"]).get(f"/sars/{sar.pk}/attachments/{a.pk}/download/"),
        police.get(f"{INC}/{incident.pk}/evidence/{ev.pk}/download/"),
        _page(w.users["mall_admin"]).get(f"/incidents/{incident.pk}/evidence/{ev.pk}/download/"),
    ]
    for response in downloads:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert _status(response) == 200


SHELL_AND_DESERIALISERS = {"pickle", "marshal", "shelve", "yaml", "subprocess", "dill",
                           "jsonpickle", "xml.etree.ElementTree", "lxml"}  # fmt: skip


@pytest.mark.django_db
def test_67_importers_no_shell_no_deserialisation() -> None:
    """The interchange code imports no shell or object deserialiser and calls no ``eval``,
    ``exec``, ``os.system`` or ``os.popen``; a hostile upload filename is only a label."""
    import placeguard.core.interchange as core_pkg
    import placeguard.web.interchange as web_pkg

    files = [p for pkg in (core_pkg, web_pkg) for p in Path(pkg.__path__[0]).rglob("*.py")]
    assert len(files) > 3
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {node.module or ""}
            else:
                names = set()
            assert not names & SHELL_AND_DESERIALISERS, (path, names)
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert called not in {"eval", "exec", "system", "popen", "__import__"}, path
    w = build_sharing_world()
    before = Bulletin.objects.count()
    bundle = {
        "type": "bundle", "id": "bundle--33333333-3333-4333-8333-333333333333",
        "objects": [{
            "type": "report", "spec_version": "2.1",
            "id": "report--00000001-1111-4111-8111-111111111111",
            "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z",
            "name": "Imported", "published": "2026-01-01T00:00:00Z",
            "object_refs": ["identity--22222222-2222-4222-8222-222222222222"],
        }],
    }  # fmt: skip
    hostile = SimpleUploadedFile("../../etc/passwd; rm -rf ~.json",
                                 json.dumps(bundle).encode(), "application/json")  # fmt: skip
    response = token_client(w.users["mall_admin"]).post(
        "/api/v1/interchange/stix/", {"file": hostile}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert "passwd" not in response.content.decode()
    assert Bulletin.objects.count() == before + 1


# --------------------------------------------------------------------------- 9.10


def _pks(rows: Any, *, content_only: bool = False) -> set[int]:
    """Primary keys of a visibility queryset (without stubs when ``content_only``)."""
    if content_only:
        rows = rows.filter(is_stub=False)
    return set(rows.values_list("pk", flat=True))


def _visible(user: User) -> dict[str, set[int]]:
    return {
        "bulletins": _pks(bulletins_visible_to(user), content_only=True),
        "incidents": _pks(incident_queries.incidents_visible_to(user), content_only=True),
        "evidence": _pks(incident_queries.evidence_visible_to(user)),
        "timeline": _pks(incident_queries.timeline_visible_to(user)),
        "sars": _pks(sar_queries.sars_visible_to(user)),
        "identities": _pks(sar_queries.identities_visible_to(user)),
        "notes": _pks(sar_queries.notes_visible_to(user)),
    }


PERSONAS = ["police_n", "police_n_reader", "police_s", "mall_admin", "mall_reader",
            "mall_reporter", "hotel_admin", "guard_reader", "platform_admin", "auditor"]  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_79_backup_restore_preserves_acl_and_hashes(tmp_path: Path, fmt: str) -> None:
    """dumpdata → flush → loaddata: every persona sees exactly what it saw before, and the
    evidence and attachment hashes still verify on download.

    The audit chain verifies after the lossless XML dump. Django's JSON encoder cuts
    datetimes to milliseconds, so after a JSON dump exactly the events with sub-millisecond
    times fail verification: the chain is right to object, and a JSON ``dumpdata`` is no audit
    backup (docs/deployment.md prescribes ``pg_dump``).
    """
    w = build_sar_world()
    police = w.users["police_n"]
    incident = shared_incident(w)
    incidents.add_timeline_entry(
        incident, {"occurred_at": "2026-05-01T10:00:00Z", "text": "t"}, actor=police
    )
    ev = upload(w, incident)
    draft = sharing.create_bulletin(bulletin_raw(orgs=[w.orgs["mall-co"].pk]), actor=police)
    sharing.publish_bulletin(draft, actor=police)
    red = sharing.create_bulletin(bulletin_raw(tlp="red", users=[w.users["mall_reader"].pk]),
                                  actor=police)  # fmt: skip
    sharing.publish_bulletin(red, actor=police)
    sar = sars.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"],
                        files=[("a.pdf", PDF)])  # fmt: skip
    sars.vet_sar(sar, {"status": "under_review", "note": "LE only."}, actor=police)
    before = {name: _visible(w.users[name]) for name in PERSONAS}
    assert before["mall_admin"]["incidents"] and not before["hotel_admin"]["incidents"]
    assert before["police_n"]["notes"] and not before["mall_admin"]["notes"]
    assert before["mall_reader"]["bulletins"] != before["mall_admin"]["bulletins"]  # RED
    sub_ms = sum(
        1 for at in AuditEvent.objects.values_list("at", flat=True) if at.microsecond % 1000
    )
    assert verify_chain().ok

    dump = tmp_path / f"backup.{fmt}"
    out = io.StringIO()
    call_command("dumpdata", format=fmt, natural_foreign=True, stdout=out,
                 exclude=["contenttypes", "auth.permission", "sessions", "admin.logentry"])  # fmt: skip
    dump.write_text(out.getvalue(), encoding="utf-8")
    call_command("flush", interactive=False, verbosity=0)
    assert not Incident.objects.exists() and not User.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)

    users = {u.username: u for u in User.objects.select_related("organisation")}
    after = {name: _visible(users[name]) for name in PERSONAS}
    assert after == before
    restored = Evidence.objects.get(pk=ev.pk)
    assert restored.sha256 == ev.sha256 == hashlib.sha256(PDF).hexdigest()
    stream = incidents.download_evidence(restored, actor=users["mall_admin"])
    assert stream.read() == PDF
    stream.close()
    with pytest.raises(NotFoundError):
        incidents.download_evidence(restored, actor=users["hotel_admin"])
    restored_sar = SuspiciousActivityReport.objects.get(pk=sar.pk)
    attachment = restored_sar.attachments.get()
    file = sars.open_attachment(restored_sar, attachment.pk, actor=users["police_n"])
    assert file.data == PDF and file.sha256 == attachment.sha256
    report = verify_chain()
    if fmt == "xml":
        assert report.ok, report.problems
    else:
        assert sub_ms > 0 and len(report.problems) == sub_ms
        assert all("content does not match" in p for p in report.problems)
