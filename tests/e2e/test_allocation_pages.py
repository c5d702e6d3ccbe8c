"""Patrol planning in a real browser: a police analyst runs a plan and reads the schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from placeguard.web.allocation import services
from tests.e2e.conftest import E2EWorld, log_in


@pytest.mark.e2e
def test_officer_runs_a_patrol_plan_and_sees_the_schedule(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    police = e2e_world.orgs["harbour-police"]
    services.create_team({"name": "Harbour One", "districts": ["harbour"]}, actor=None,
                         organisation=police)  # fmt: skip
    services.create_team({"name": "Harbour Two"}, actor=None, organisation=police)
    log_in(page, live_server, e2e_world.users["officer"])

    page.goto("/allocation/")
    expect(page.get_by_role("heading", name="Plan patrols")).to_be_visible()
    page.get_by_label("Harbour District", exact=True).check()
    page.get_by_label("Harbour One (Harbour District)").check()
    page.get_by_label("Harbour Two (anywhere)").check()
    page.get_by_label("Days").fill("3")
    page.get_by_label("Plan name").fill("Festival week")
    page.get_by_role("button", name="Compute the plan").click()

    expect(page.get_by_role("heading", name="Festival week")).to_be_visible()
    schedule = page.locator("#schedule")
    expect(schedule).to_be_visible()
    expect(schedule.locator("tbody tr")).to_have_count(3)
    expect(schedule).to_contain_text("Harbour One")
    expect(page.locator("#expected-loss")).to_contain_text("expected casualties")
    expect(page.locator("#allocation-map")).to_have_attribute("data-marker-count", "7")
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "allocation-plan.png"), full_page=True)


@pytest.mark.e2e
def test_officer_creates_a_patrol_team_through_the_page(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    from placeguard.web.allocation.models import PatrolTeam
    from placeguard.web.audit.models import AuditEvent

    log_in(page, live_server, e2e_world.users["officer"])
    page.goto("/allocation/")
    page.get_by_role("link", name="Create a patrol team").click()
    expect(page.get_by_role("heading", name="New patrol team")).to_be_visible()

    page.get_by_role("button", name="Create team").click()  # empty name: the error summary
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Team name")
    expect(page.get_by_label("Team name")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Team name").fill("Quayside Night")
    page.get_by_label("Harbour District", exact=True).check()
    page.get_by_role("button", name="Create team").click()

    expect(page.get_by_role("heading", name="Patrol teams")).to_be_visible()
    row = page.locator("#teams-table tbody tr", has_text="Quayside Night")
    expect(row).to_contain_text("Harbour District")
    expect(row).to_contain_text("active")
    team = PatrolTeam.objects.get(name="Quayside Night")
    assert team.organisation == e2e_world.orgs["harbour-police"]
    assert AuditEvent.objects.filter(action="patrol_team.create", object_id=str(team.pk)).exists()
    page.screenshot(path=str(screenshot_dir / "allocation-teams.png"), full_page=True)
