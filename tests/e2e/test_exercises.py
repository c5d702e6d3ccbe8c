"""Exercises in a real browser: a police officer designs a tabletop exercise for a place of
worship from its assessment, runs it on the clock, rates it, writes the AAR/IP — and the
owning organisation finds the corrective action, flagged overdue, in its task list."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from placeguard.web.assessments import services as assessments
from tests.e2e.conftest import E2EWorld, log_in


@pytest.mark.e2e
def test_officer_designs_runs_rates_and_reports_an_exercise(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    from placeguard.web.exercises.models import CorrectiveAction, Exercise

    cathedral = e2e_world.sites["cathedral"]
    venue_admin = e2e_world.users["venue_admin"]
    assessment = assessments.start_assessment(cathedral, actor=venue_admin)
    assessments.submit(assessment, actor=venue_admin)

    # 1. design from the site's assessment
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto("/exercises/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Exercises", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Design an exercise").click()
    page.get_by_label("Start from a site's assessment").select_option(str(cathedral.pk))
    page.get_by_role("button", name="Suggest scenarios").click()
    expect(page.locator("#site-risks")).to_contain_text("suggested")
    expect(page.get_by_label("Civic Venues Trust")).to_be_checked()
    checked = page.locator("input[name=scenarios]:checked")
    assert checked.count() >= 1
    page.get_by_label("Exercise name").fill("Cathedral tabletop")
    page.get_by_role("button", name="Create the exercise and draft the MSEL").click()

    # 2. the drafted MSEL
    expect(page.get_by_role("heading", name="Cathedral tabletop")).to_be_visible()
    rows = page.locator("#msel-table tbody tr")
    n = rows.count()
    assert n >= 4
    page.screenshot(path=str(screenshot_dir / "exercise-msel.png"), full_page=True)

    # 3. conduct on the clock, keyboard only for the release
    page.get_by_role("link", name="Conduct").click()
    page.get_by_role("button", name="Start exercise").click()
    expect(page.locator("#clock")).to_have_text(re.compile(r"T\+0:00:\d\d"))
    release = page.get_by_role("button", name="Release inject 1")
    release.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Release inject 2")).to_be_visible()
    page.reload()  # the server keeps the state
    expect(page.locator(".inject--released")).to_have_count(1)
    page.get_by_label("Player").first.fill("Cathedral verger")
    page.get_by_label("Response").first.fill("Doors locked, police called")
    page.get_by_role("button", name="Record response to 1").click()
    expect(page.locator(".responses")).to_contain_text("Doors locked")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#clock-state")).to_have_text("paused")
    page.get_by_role("button", name="Resume").click()
    page.get_by_label("Shift remaining injects by (minutes, may be negative)").fill("5")
    page.get_by_role("button", name="Re-time").click()
    expect(page.locator("#conduct-log")).to_contain_text("re-timed")
    page.get_by_role("button", name="Skip inject 2").click()
    page.get_by_role("button", name="End exercise (ENDEX)").click()
    expect(page.locator("#exercise-status")).to_have_text("Evaluating")
    page.screenshot(path=str(screenshot_dir / "exercise-conduct.png"), full_page=True)

    # 4. evaluation guides: rate every critical task
    page.get_by_role("link", name="Evaluation").click()
    selects = page.locator("select[name^=rating-]")
    for i in range(selects.count()):
        selects.nth(i).select_option("M" if i == 0 else "S")
    page.locator("textarea[name^=observation-]").first.fill("Lockdown took eight minutes.")
    page.get_by_role("button", name="Save ratings").click()
    expect(page.locator("#suggested-O1")).to_have_text("M")

    # 5. AAR/IP with a corrective action owned by the operator, already overdue
    page.get_by_role("link", name="AAR/IP").click()
    expect(page.locator("#aar-ratings")).to_contain_text("M")
    page.locator("#id_area-observation").fill("Side doors stayed open.")
    page.locator("#id_area-root_cause").fill("Volunteers never trained on the door sequence.")
    page.get_by_role("button", name="Add area for improvement").click()
    page.locator("#id_action-description").fill("Train door volunteers")
    page.locator("#id_action-element").select_option("training")
    page.locator("#id_action-owner_org").select_option(label="Civic Venues Trust")
    page.locator("#id_action-contact").fill("Head verger")
    start = timezone.localdate() - dt.timedelta(days=30)
    due = timezone.localdate() - dt.timedelta(days=3)
    page.locator("#id_action-start").fill(start.isoformat())
    page.locator("#id_action-due").fill(due.isoformat())
    page.get_by_role("button", name="Add corrective action").click()
    expect(page.locator("#improvement-plan")).to_contain_text("overdue by 3 days")
    page.get_by_role("button", name="Complete the exercise").click()
    expect(page.locator("#exercise-status")).to_have_text("Completed")
    page.screenshot(path=str(screenshot_dir / "exercise-aar.png"), full_page=True)
    pdf = page.request.get(f"/exercises/{Exercise.objects.get().pk}/aar.pdf")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"

    # 6. the operator's task list
    page.context.clear_cookies()
    log_in(page, live_server, venue_admin)
    page.goto("/exercises/tasks/")
    row = page.locator("#task-table tbody tr").first
    expect(row).to_contain_text("Train door volunteers")
    expect(row).to_contain_text("overdue by 3 days")
    action = CorrectiveAction.objects.get()
    row.get_by_label(f"Status of {action.code}").select_option("in_progress")
    row.get_by_role("button", name=f"Update {action.code}").click()
    expect(page.locator("#task-table")).to_contain_text("Train door volunteers")
    action.refresh_from_db()
    assert action.status == "in_progress"
    page.screenshot(path=str(screenshot_dir / "exercise-tasks.png"), full_page=True)
