"""Risk pages in a real browser: a national authority allocates a grant from the portfolio, and
a site operator compares the best plan with a changed copy of it (what-if)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from placeguard.web.assessments import services
from placeguard.web.assessments.models import Assessment
from tests.e2e.conftest import PASSWORD, E2EWorld, log_in

#: The strongest option of these questions (options worst to best), as in test_assessments.
BEST = {"GOV-01": 4, "GOV-02": 4, "GOV-03": 4}


def submit(world: E2EWorld, site: str, by: str = "venue_admin") -> Assessment:
    """An assessment of ``site`` answered in part and submitted by its operator."""
    operator = world.users[by]
    assessment = services.start_assessment(world.sites[site], actor=operator)
    services.save_answers(assessment, BEST, actor=operator)
    return services.submit(assessment, actor=operator)


def ministry_user(world: E2EWorld) -> Any:
    """An analyst of a vetted national authority (country-wide view)."""
    from placeguard.web.orgs import services as orgs

    ministry = orgs.create_organisation(
        actor=None,
        regions=[],
        slug="interior",
        name="Ministry of the Interior",
        kind="AUTHORITY",
        country_code="XE",
        vetted=True,
    )
    return orgs.create_user(
        actor=None,
        username="coordinator",
        organisation=ministry,
        roles=["ANALYST"],
        password=PASSWORD,
        first_name="Nia",
        last_name="Coordinator",
        validate=False,
    )


@pytest.mark.e2e
def test_authority_allocates_a_grant_from_the_portfolio(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    for site in ["cathedral", "square", "station", "tricky"]:
        submit(e2e_world, site)
    submit(e2e_world, "hotel", by="hotel_admin")
    log_in(page, live_server, ministry_user(e2e_world))
    page.goto("/assessments/portfolio/")
    page.get_by_role("link", name="Allocate a grant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National grant allocation")

    # A negative budget is refused on the form, with the summary focused.
    page.get_by_label("Capital budget (EUR)").fill("-5")
    page.get_by_role("button", name="Allocate the budget").click()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#form-errors")).to_contain_text("greater than or equal to 0")
    expect(page.get_by_label("Capital budget (EUR)")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Capital budget (EUR)").fill("150000")
    page.get_by_role("button", name="Allocate the budget").click()
    expect(page).to_have_url(re.compile(r"/assessments/portfolio/allocation/\?budget=150000"))
    rows = page.locator("#funded-sites tbody tr")
    expect(rows.first).to_be_visible()
    assert 1 <= rows.count() <= 5
    expect(page.locator("#allocation-figures")).to_contain_text("150,000 EUR")
    # Site names are shown as text, never as markup.
    table = page.locator("#funded-sites")
    expect(page.locator("#funded-sites img")).to_have_count(0)
    names = table.locator("tbody th a:first-child").all_inner_texts()
    assert set(names) <= {
        "St Brendan's Cathedral",
        "Commerce Square",
        "Quayside Station",
        "Riverside Grand Hotel",
        "<b>Bold</b> & <img src=x> Gallery",
    }
    expect(page.get_by_role("link", name="CSV")).to_have_attribute(
        "href", re.compile(r"allocation\.csv\?budget=150000")
    )
    page.screenshot(path=str(screenshot_dir / "allocation.png"), full_page=True)

    # Narrowing to one site type allocates over those sites only.
    page.get_by_role("group", name="Type").get_by_label("Hospitality").check()
    page.get_by_role("button", name="Allocate the budget").click()
    expect(page.locator("#funded-sites tbody tr")).to_have_count(1)
    expect(page.locator("#funded-sites")).to_contain_text("Riverside Grand Hotel")


@pytest.mark.e2e
def test_operator_compares_the_best_plan_with_a_changed_copy(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    assessment = submit(e2e_world, "cathedral")
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto(f"/assessments/{assessment.pk}/plan/")
    page.get_by_role("link", name="Compare this plan with another (what-if)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compare two plans for St Brendan's Cathedral"
    )
    expect(page.locator("#differ-heading ~ p")).to_have_text("Both plans have the same measures.")
    expect(page.locator("#whatif-scenarios tbody tr")).to_have_count(14)

    # Untick one measure of plan B: it is then only in plan A, and B costs less.
    ticked = page.locator("#plan-b-fields input[type=checkbox]:checked")
    first = ticked.first
    measure_label = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
    measure_name = measure_label.split(" — ")[0].strip()
    first.uncheck()
    page.get_by_role("button", name="Compare the plans").click()
    expect(page.locator("#only-a")).to_contain_text(measure_name)
    expect(page.locator("#only-b")).to_contain_text("None.")
    summary = page.locator("#whatif-summary")
    expect(summary.locator("tbody tr").first).to_contain_text("Residual risk")
    expect(summary).to_contain_text("Hand-picked measures")
    page.screenshot(path=str(screenshot_dir / "whatif.png"), full_page=True)

    # A checklist that breaks a prerequisite is refused on the form.
    page.get_by_role("group", name="Plan B is").get_by_label("The measures I tick").check()
    plan_b = page.locator("#plan-b-fields")
    plan_b.locator("input[type=checkbox]:checked").evaluate_all(
        "boxes => boxes.forEach(b => { b.checked = false; })"
    )
    plan_b.locator("input[value='BAG_SEARCH']").check()
    page.get_by_role("button", name="Compare the plans").click()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.locator("#form-errors")).to_contain_text("needs")
    expect(page.locator("#whatif-summary")).to_have_count(0)
