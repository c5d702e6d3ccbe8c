"""Technical assistance in a real browser: a programme officer turns a State's request into a
delivered, evaluated training with a follow-up due date, and the indicator report reflects it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, E2EWorld, log_in


def _offices(w: E2EWorld) -> tuple[Any, Any]:
    from placeguard.web.orgs import services as orgs

    for slug, name, kind in [
        ("interior", "Ministry of the Interior", "AUTHORITY"),
        ("vt-office", "VT Programme Office", "PROGRAMME"),
    ]:
        w.orgs[slug] = orgs.create_organisation(
            actor=None, regions=[], slug=slug, name=name, kind=kind, country_code="XE", vetted=True
        )
    asker = orgs.create_user(
        actor=None,
        username="focal_point",
        organisation=w.orgs["interior"],
        roles=["ANALYST"],
        password=PASSWORD,
        validate=False,
    )
    officer = orgs.create_user(
        actor=None,
        username="prog_officer",
        organisation=w.orgs["vt-office"],
        roles=["ANALYST"],
        password=PASSWORD,
        validate=False,
    )
    return asker, officer


@pytest.mark.e2e
def test_programme_officer_delivers_and_evaluates_a_requested_training(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    from placeguard.web.capacity import services

    asker, officer = _offices(e2e_world)
    services.submit_request(
        {
            "title": "Protecting places of worship",
            "need": "Stewards and police never trained.",
            "scenarios": ["firearms"],
            "site_types": ["place_of_worship"],
        },
        actor=asker,
    )
    log_in(page, live_server, officer)
    page.set_default_timeout(30_000)  # a shared CI machine: many pages, all server-rendered

    page.goto("/capacity/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Capacity")
    ).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Protecting places of worship").click()
    expect(page.locator("#request-status")).to_have_text("Submitted")

    def step(link: str, fields: dict[str, str]) -> None:
        page.locator("#workflow-actions").get_by_role("link", name=link).click()
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name=link).click()

    step("Triage", {"Note": "In scope."})
    step(
        "Record the assessment",
        {"Assessment: gaps and prioritised recommendations": "No joint training."},
    )
    step(
        "Plan the assistance",
        {"Activities": "Two-day course", "Budget": "12000", "Currency (ISO 4217)": "USD"},
    )
    step("Start delivery", {})
    expect(page.locator("#request-status")).to_have_text("Delivering")

    page.get_by_role("link", name="Add a course").click()
    page.get_by_label("Title", exact=True).fill("Protective security of places of worship")
    page.get_by_label("Topic", exact=True).fill("protective security")
    page.get_by_label("Sector").select_option("place_of_worship")
    page.get_by_label("Start", exact=True).fill("2026-01-30")
    page.get_by_label("Test maximum score").fill("20")
    page.get_by_role("button", name="Save").click()
    # Ana 10→15 (g 0.5), Ben 5→17 (g 0.8): ⟨pre⟩ 0.375, ⟨post⟩ 0.8, ⟨g⟩ = 0.425/0.625 = 0.68
    for name, gender, pre, post, sat in [
        ("Ana", "Female", "10", "15", "4"),
        ("Ben", "Not stated", "5", "17", "5"),
    ]:
        page.get_by_role("link", name="Add a participant").click()
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Gender (optional)").select_option(label=gender)
        page.get_by_label("Completed the course").check()
        page.get_by_label("Pre-test score").fill(pre)
        page.get_by_label("Post-test score").fill(post)
        page.get_by_label("Satisfaction (1–5)").fill(sat)
        page.get_by_role("button", name="Save").click()
    expect(page.locator("#cohort-gain")).to_contain_text("0.68 (medium)")
    expect(page.locator("#participant-table tbody tr")).to_have_count(2)

    page.get_by_role("link", name="Protecting places of worship").click()
    step("Mark as delivered", {"Delivered on": "2026-01-31"})
    step("Record the evaluation", {"Evaluation summary": "Medium gain, high satisfaction."})
    expect(page.locator("#request-status")).to_have_text("Evaluated")
    expect(page.locator("#followup-due")).to_have_text("2026-07-31")
    page.screenshot(path=str(screenshot_dir / "capacity-request.png"), full_page=True)

    page.get_by_role("link", name="Indicators").click()
    page.get_by_label("As of").fill("2026-08-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#officials-trained")).to_have_text("2")
    expect(page.locator("#satisfaction")).to_contain_text("4.50")
    expect(page.locator("#gain")).to_contain_text("0.68")
    expect(page.locator("#followups")).to_contain_text("0 / 1")
    expect(page.locator("svg[aria-label='Officials trained by gender']")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "capacity-indicators.png"), full_page=True)
