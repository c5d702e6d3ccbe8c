"""Exercise pages: design from the assessment, MSEL editing and import, conduct, evaluation,
AAR/IP (HTML and PDF) and the task list — access rules and escaping included."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from placeguard.web.exercises.models import Exercise
from tests.conftest import World
from tests.web.exercises.conftest import design, with_action


def client_for(w: World, persona: str) -> Client:
    client = Client()
    client.force_login(w.users[persona])
    return client


def test_design_page_suggests_the_sites_top_risks_and_creates(pworld: World) -> None:
    client = client_for(pworld, "police_n")
    church = pworld.sites["church"]
    page = client.get(reverse("exercises:create"), {"site": church.pk})
    assert page.status_code == 200
    scenarios = page.context["form"].initial["scenarios"]
    assert scenarios and all(
        s.suggested for s in page.context["suggestions"] if s.scenario in scenarios
    )
    response = client.post(
        reverse("exercises:create"),
        {
            "name": "Page tabletop",
            "exercise_type": "tabletop",
            "scope": "site",
            "site": church.pk,
            "scenarios": ["hoax"],
            "participants": [pworld.orgs["parish"].pk],
        },
    )
    exercise = Exercise.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/exercises/{exercise.pk}/msel/"
    )
    empty = client.post(
        reverse("exercises:create"), {"scope": "site", "site": church.pk, "exercise_type": "drill"}
    )
    assert empty.status_code == 200 and "name" in empty.context["form"].errors


def test_outsiders_get_404_and_readers_403(pworld: World) -> None:
    exercise = design(pworld)
    for name in ["detail", "msel", "conduct", "evaluate", "aar"]:
        url = reverse(f"exercises:{name}", args=[exercise.pk])
        assert client_for(pworld, "police_s").get(url).status_code == 404, name
        assert client_for(pworld, "parish_reader").get(url).status_code == 200, name
    conduct = reverse("exercises:conduct", args=[exercise.pk])
    assert (
        client_for(pworld, "police_n_reader").post(conduct, {"action": "start"}).status_code == 403
    )
    assert client_for(pworld, "parish_reader").get(reverse("exercises:create")).status_code == 403


def test_msel_add_edit_move_export_and_import_pages(pworld: World) -> None:
    exercise = design(pworld)
    client = client_for(pworld, "police_n")
    n = exercise.injects.count()
    url = reverse("exercises:msel", args=[exercise.pk])
    bad = client.post(
        url,
        {
            "time_min": "soon",
            "inject_type": "contextual",
            "delivery": "verbal",
            "sender": "a",
            "recipient": "b",
            "description": "c",
        },
    )
    assert bad.status_code == 200 and "time_min" in bad.context["form"].errors
    ok = client.post(
        url,
        {
            "time_min": "50",
            "inject_type": "contextual",
            "delivery": "verbal",
            "sender": "a",
            "recipient": "b",
            "description": "<b>c</b>",
        },
    )
    assert ok.status_code == 302 and exercise.injects.count() == n + 1
    assert "&lt;b&gt;c&lt;/b&gt;" in client.get(url).content.decode()
    last = exercise.injects.get(seq=n + 1)
    move = reverse("exercises:inject-move", args=[exercise.pk, last.pk])
    client.post(move, {"direction": "up"})
    last.refresh_from_db()
    assert last.seq == n
    csv = client.get(reverse("exercises:msel-export", args=[exercise.pk, "csv"]))
    assert csv["Content-Type"] == "text/csv" and csv.content.startswith(b"seq,time,")
    xlsx = client.get(reverse("exercises:msel-export", args=[exercise.pk, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = csv.content.replace(b",verbal,", b",pigeon,")
    page = client.post(
        reverse("exercises:msel-import", args=[exercise.pk]),
        {"file": SimpleUploadedFile("m.csv", broken)},
    )
    assert page.status_code == 200 and page.context["row_errors"]
    assert exercise.injects.count() == n + 1
    good = client.post(
        reverse("exercises:msel-import", args=[exercise.pk]),
        {"file": SimpleUploadedFile("m.xlsx", xlsx.content)},
    )
    assert good.status_code == 302 and exercise.injects.count() == n + 1


def test_conduct_page_keeps_state_across_reloads(pworld: World) -> None:
    exercise = design(pworld)
    client = client_for(pworld, "police_n")
    url = reverse("exercises:conduct", args=[exercise.pk])
    client.post(url, {"action": "start"})
    client.post(url, {"action": "release"})
    state = client.get(reverse("exercises:conduct-state", args=[exercise.pk])).json()
    assert state["status"] == "conducting" and state["released"] == [1] and state["running"]
    assert state["next"]["seq"] == 2
    client.post(url, {"action": "pause"})
    again = client.get(url)
    assert again.context["state"]["running"] is False
    assert "Resume" in again.content.decode()
    bad = client.post(url, {"action": "retime", "shift_min": "x"}, follow=True)
    assert "Give a shift in minutes" in bad.content.decode()


def test_evaluation_page_saves_ratings_and_reports_problems(pworld: World) -> None:
    exercise = design(pworld)
    police = client_for(pworld, "police_n")
    police.post(reverse("exercises:conduct", args=[exercise.pk]), {"action": "start"})
    objective = exercise.objectives.get(code="O1")
    task = objective.critical_tasks[0]["id"]
    url = reverse("exercises:evaluate", args=[exercise.pk])
    bad = client_for(pworld, "parish_admin").post(url, {f"rating-O1-{task}": "U"})
    assert bad.status_code == 200 and bad.context["errors"]
    ok = client_for(pworld, "parish_admin").post(url, {f"rating-O1-{task}": "S"})
    assert ok.status_code == 302
    page = police.get(url)
    assert page.context["guides"][0]["suggested"].task_ratings == {task: "S"}


def test_aar_page_pdf_and_task_list(pworld: World) -> None:
    action = with_action(pworld, due=timezone.localdate() - dt.timedelta(days=4))
    exercise = action.exercise
    police = client_for(pworld, "police_n")
    aar = police.get(reverse("exercises:aar", args=[exercise.pk]))
    body = aar.content.decode()
    assert "Run a lockdown drill" in body and "overdue by 4 days" in body
    pdf = police.get(reverse("exercises:aar-pdf", args=[exercise.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    added = police.post(
        reverse("exercises:aar", args=[exercise.pk]), {"form": "area", "area-observation": "x"}
    )
    assert added.status_code == 200 and "root_cause" in added.context["area_form"].errors
    parish = client_for(pworld, "parish_admin")
    tasks = parish.get(reverse("exercises:tasks"))
    assert tasks.context["n_overdue"] == 1 and len(tasks.context["items"]) == 1
    update = reverse("exercises:action-update", args=[action.pk])
    assert parish.post(update, {f"a{action.pk}-status": "done"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.completed_on == timezone.localdate()
    assert parish.get(reverse("exercises:tasks")).context["items"] == []
    assert client_for(pworld, "mall_admin").post(update, {}).status_code == 404
    assert client_for(pworld, "parish_reader").post(update, {}).status_code == 403


def test_nav_links_to_exercises(pworld: World) -> None:
    page = client_for(pworld, "parish_reader").get(reverse("exercises:list"))
    assert page.status_code == 200
    assert 'href="/exercises/" aria-current="page"' in page.content.decode()
