"""Capacity pages: access, the workflow through forms, certificates, indicators and exports."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from placeguard.web.capacity import services
from placeguard.web.capacity.models import TrainingRequest
from tests.conftest import World
from tests.web.capacity.conftest import walk


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_login_required_and_outsiders_get_404(world: World, evaluated: Any) -> None:
    course = evaluated.courses.get()
    urls = [f"/capacity/requests/{evaluated.pk}/", f"/capacity/courses/{course.pk}/"]
    for url in [*urls, "/capacity/", "/capacity/indicators/"]:
        assert Client().get(url).status_code == 302
    for url in urls:
        assert client_for(world, "police_s").get(url).status_code == 404
        assert client_for(world, "ministry").get(url).status_code == 200
        assert client_for(world, "programme").get(url).status_code == 200
    # the requester reads but cannot move the workflow
    step = f"/capacity/requests/{evaluated.pk}/step/follow_up_due/"
    assert client_for(world, "ministry").get(step).status_code == 403
    assert client_for(world, "police_s").get(step).status_code == 404


def test_request_through_the_forms(world: World) -> None:
    ministry = client_for(world, "ministry")
    response = ministry.post(
        "/capacity/requests/new/", {"title": "", "need": "x", "scenarios": ["firearms"]}
    )
    assert response.status_code == 200 and b"error-summary" in response.content
    response = ministry.post(
        "/capacity/requests/new/",
        {
            "title": "HVM at <script>alert(1)</script>",
            "need": "Barriers",
            "scenarios": ["vehicle_ramming"],
            "site_types": ["venue"],
            "preferred_start": "2026-03-01",
            "preferred_end": "2026-02-01",
        },
    )
    assert b"must not be before" in response.content
    assert not TrainingRequest.objects.exists()
    response = ministry.post(
        "/capacity/requests/new/",
        {
            "title": "HVM at <script>alert(1)</script>",
            "need": "Barriers",
            "scenarios": ["vehicle_ramming"],
            "site_types": ["venue"],
        },
    )
    req = TrainingRequest.objects.get()
    assert response.status_code == 302
    page = client_for(world, "programme").get(f"/capacity/requests/{req.pk}/")
    assert b"<script>alert(1)" not in page.content and b"&lt;script&gt;" in page.content
    assert f"/capacity/requests/{req.pk}/step/triaged/".encode() in page.content
    prog = client_for(world, "programme")
    response = prog.post(f"/capacity/requests/{req.pk}/step/triaged/", {"note": ""})
    assert response.status_code == 200
    response = prog.post(f"/capacity/requests/{req.pk}/step/triaged/", {"note": "OK"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "triaged"
    # a move that is not allowed from here is refused on the form, not with a 500
    response = prog.post(
        f"/capacity/requests/{req.pk}/step/closed/", {"completed_on": "2026-01-01", "report": "x"}
    )
    assert response.status_code == 200 and "cannot become" in response.content.decode()


def test_conflicting_step_shows_form_error(world: World) -> None:
    req = walk(world, to="triaged")
    response = client_for(world, "programme").post(
        f"/capacity/requests/{req.pk}/step/planned/", {"activities": "x"}
    )
    assert response.status_code == 200
    assert "cannot become" in response.content.decode()


def test_course_page_and_certificates(world: World, evaluated: Any) -> None:
    course = evaluated.courses.get()
    prog = client_for(world, "programme")
    page = prog.get(f"/capacity/courses/{course.pk}/").content.decode()
    assert "0.68 (medium)" in page
    ana = course.participants.get(name="Ana")
    dee = course.participants.get(name="Dee")
    response = prog.get(f"/capacity/participants/{ana.pk}/certificate.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    html = prog.get(f"/capacity/participants/{ana.pk}/certificate.pdf?format=html")
    assert b"Ana" in html.content and b"PoW protective security" in html.content
    assert prog.get(f"/capacity/participants/{dee.pk}/certificate.pdf").status_code == 404
    assert (
        client_for(world, "police_s")
        .get(f"/capacity/participants/{ana.pk}/certificate.pdf")
        .status_code
        == 404
    )


def test_participant_edit_form(world: World, evaluated: Any) -> None:
    course = evaluated.courses.get()
    dee = course.participants.get(name="Dee")
    prog = client_for(world, "programme")
    response = prog.post(
        f"/capacity/participants/{dee.pk}/",
        {
            "name": "Dee",
            "organisation": "Ministry",
            "attended": "on",
            "completed": "on",
            "pre_score": "25",
            "post_score": "12",
        },
    )
    assert response.status_code == 200 and b"must be between" in response.content
    response = prog.post(
        f"/capacity/participants/{dee.pk}/",
        {
            "name": "Dee",
            "organisation": "Ministry",
            "attended": "on",
            "completed": "on",
            "pre_score": "8",
            "post_score": "12",
        },
    )
    assert response.status_code == 302
    dee.refresh_from_db()
    assert dee.pre_score == 8 and dee.completed
    assert client_for(world, "ministry").get(f"/capacity/participants/{dee.pk}/").status_code == 403


def test_indicator_page_and_exports(world: World, evaluated: Any) -> None:
    prog = client_for(world, "programme")
    services.add_participant(
        evaluated.courses.get(),
        {"name": '=HYPERLINK("x")', "gender": "other"},
        actor=world.users["programme"],
    )
    page = prog.get("/capacity/indicators/?as_of=2026-08-01").content.decode()
    assert '<dd id="officials-trained">5</dd>' in page
    assert "<svg" in page and "0 / 1" in page
    body = prog.get("/capacity/indicators/?as_of=2026-08-01&format=csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["indicator", "breakdown", "value"]
    assert ["officials_trained", "total", "5"] in rows
    assert ["officials_trained_by_gender", "not stated", "1"] in rows
    assert ["followups_due", "all", "1"] in rows
    response = prog.get("/capacity/indicators/?as_of=2026-08-01&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["officials_trained_by_gender", "other", 1] in values
    # an outsider sees zero, not the programme's figures
    page = client_for(world, "mall_admin").get("/capacity/indicators/").content.decode()
    assert '<dd id="officials-trained">0</dd>' in page


def test_formula_injection_is_neutralised() -> None:
    from placeguard.web.capacity.exports import cell, table_xlsx

    assert cell("=1+1") == "'=1+1" and cell("@x") == "'@x" and cell("-2") == "'-2"
    assert cell("+x") == "'+x" and cell("ok") == "ok" and cell(3.5) == 3.5
    book = load_workbook(io.BytesIO(table_xlsx([("S", ["=h"], [["=cmd|x", 1]])])))
    sheet = book.active
    assert sheet is not None
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [["'=h", None], ["'=cmd|x", 1]]


def _plan(world: World) -> Any:
    ministry = world.users["ministry"]
    plan = services.create_plan({"title": "NAP", "purpose": "Protect"}, actor=ministry)
    obj = services.add_objective(plan, {"title": "Assess", "priority": 1}, actor=ministry)
    services.add_action(
        obj,
        {
            "title": "=Assess PoW",
            "mandate_refs": ["unscr2341.op5"],
            "lead_agency": "Ministry",
            "origin_label": "CA 3",
            "origin_url": "/exercises/1/",
        },
        actor=ministry,
    )
    return plan, obj


def test_plan_pages(world: World) -> None:
    plan, obj = _plan(world)
    ministry = client_for(world, "ministry")
    page = ministry.get(f"/capacity/plans/{plan.pk}/").content.decode()
    assert "8 provisions have no action." in page
    assert 'href="/exercises/1/">CA 3</a>' in page
    response = ministry.post(
        f"/capacity/objectives/{obj.pk}/actions/new/",
        {
            "title": "Partnerships",
            "mandate_refs": ["unscr2396.soft_targets_partnerships"],
            "milestones": "bad line",
            "status": "planned",
        },
    )
    assert response.status_code == 200 and b"YYYY-MM-DD" in response.content
    response = ministry.post(
        f"/capacity/objectives/{obj.pk}/actions/new/",
        {
            "title": "Partnerships",
            "mandate_refs": ["unscr2396.soft_targets_partnerships"],
            "milestones": "MoU | 2026-09-30",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    page = ministry.get(f"/capacity/plans/{plan.pk}/").content.decode()
    assert "7 provisions have no action." in page
    # police of the country read; the programme reads; operators do not see it
    assert client_for(world, "police_n").get(f"/capacity/plans/{plan.pk}/").status_code == 200
    assert (
        client_for(world, "police_n").get(f"/capacity/plans/{plan.pk}/objectives/new/").status_code
        == 403
    )
    assert client_for(world, "mall_admin").get(f"/capacity/plans/{plan.pk}/").status_code == 404
    html = ministry.get(f"/capacity/plans/{plan.pk}/follow-up.html").content.decode()
    assert "Follow-up report" in html and "<script" not in html
    pdf = ministry.get(f"/capacity/plans/{plan.pk}/follow-up.pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = ministry.get(f"/capacity/plans/{plan.pk}/follow-up.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Actions", "Crosswalk", "GAO check", "Progress reports"]
    actions = [[c.value for c in r] for r in book["Actions"].iter_rows()]
    assert actions[1][3] == "'=Assess PoW"
    assert ministry.get(f"/capacity/plans/{plan.pk}/follow-up.doc").status_code == 404


def test_participant_import_page(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    req = walk(world, to="delivering")
    course = services.add_course(
        req, {"title": "C", "topic": "t", "start": "2026-01-01"}, actor=world.users["programme"]
    )
    prog = client_for(world, "programme")
    url = f"/capacity/courses/{course.pk}/participants/import/"
    bad = SimpleUploadedFile("r.csv", b"participant,pre\nAna,101\n", content_type="text/csv")
    response = prog.post(url, {"file": bad})
    assert response.status_code == 200 and b"row 1: pre" in response.content
    good = SimpleUploadedFile(
        "r.csv", b"participant,pre,post\nAna,10,20\n", content_type="text/csv"
    )
    assert prog.post(url, {"file": good}).status_code == 302
    assert course.participants.get().post_score == 20
    assert client_for(world, "ministry").get(url).status_code == 403
