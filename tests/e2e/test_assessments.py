"""Risk assessments in a real browser: answer a section with htmx and watch the live result,
submit, approve as the police reviewer, and find the site ranked on the portfolio map."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from placeguard.web.assessments import services
from placeguard.web.assessments.choices import RiskBand
from placeguard.web.assessments.models import Assessment
from tests.e2e.conftest import E2EWorld, log_in

MARKERS = "#site-map path.pg-marker"
#: The strongest option of each of these place-of-worship questions (options worst to best).
BEST = {"GOV-01": 4, "GOV-02": 4, "GOV-03": 4, "GOV-04": 4, "GOV-05": 4}


def submitted_assessment(world: E2EWorld, site: str = "cathedral") -> Assessment:
    """An assessment answered and submitted by the operator."""
    operator = world.users["venue_admin"]
    assessment = services.start_assessment(world.sites[site], actor=operator)
    services.save_answers(assessment, {**BEST, "PER-01": 1}, actor=operator)
    return services.submit(assessment, actor=operator)


@pytest.mark.e2e
def test_operator_answers_a_section_sees_the_result_change_and_submits(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto(f"/sites/{e2e_world.sites['mosque'].pk}/")
    page.get_by_role("button", name="Start assessment").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Risk assessment of Harbour Mosque"
    )
    sections = page.get_by_role("navigation", name="Sections")
    expect(sections.locator("[aria-current]")).to_contain_text("Governance")
    total = page.locator("#total-risk")
    before = total.inner_text()

    # Mark the page: a full reload would lose the mark, an htmx swap keeps it.
    page.evaluate("window.pgMark = 'still here'")
    for qid, option in BEST.items():
        page.locator(f"#id_q_{qid}_{option}").check()
    page.locator("#question-GOV-06").get_by_label("Unknown").check()
    page.get_by_role("button", name="Save section").click()
    expect(page.locator(".section-saved")).to_have_text("Section “Governance” saved.")
    assert page.evaluate("window.pgMark") == "still here"
    expect(total).not_to_have_text(before)
    expect(page.locator("#workspace-announcer")).to_contain_text("Total risk is now")
    expect(page.locator("#progress-text")).to_contain_text("Answered 5 of")
    expect(page.locator("#id_q_GOV-01_4")).to_be_checked()
    assessment = Assessment.objects.get(site=e2e_world.sites["mosque"])
    assert assessment.answers == {**BEST, "GOV-06": "unknown"}
    gaps = page.get_by_role("region", name="Data gaps")
    expect(gaps).to_contain_text("Governance")

    # Next section, still without a reload: the address bar follows.
    page.get_by_role("button", name=re.compile("Save and go to")).click()
    expect(sections.locator("[aria-current]")).to_contain_text("People and training")
    expect(page).to_have_url(re.compile(r"\?section=people_training$"))
    expect(page.locator("#section-heading")).to_be_focused()
    assert page.evaluate("window.pgMark") == "still here"

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Assessment submitted for review.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(page.get_by_role("button", name="Save section")).to_have_count(0)
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.submitted_by == e2e_world.users["venue_admin"]


@pytest.mark.e2e
def test_police_reviewer_approves_from_the_review_list(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    assessment = submitted_assessment(e2e_world)
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    awaiting = page.get_by_role("region", name=re.compile("awaits your review"))
    awaiting.get_by_role("link", name="St Brendan's Cathedral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("St Brendan's Cathedral")
    page.get_by_label("Comment (optional)").fill("Consistent with our site visit.")
    page.get_by_role("button", name="Approve assessment").click()
    expect(page.get_by_role("status").first).to_contain_text("Assessment approved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    expect(page.locator(".comment-list")).to_contain_text("Consistent with our site visit.")
    expect(page.get_by_role("button", name="Approve assessment")).to_have_count(0)
    assessment.refresh_from_db()
    assert assessment.status == "approved"
    assert assessment.reviewed_by == e2e_world.users["officer"]


@pytest.mark.e2e
def test_portfolio_lists_the_site_with_its_band_and_a_map_marker(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    assessment = services.approve(submitted_assessment(e2e_world), actor=e2e_world.users["officer"])
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto("/assessments/portfolio/")
    rows = page.locator("#portfolio-table tbody tr")
    expect(rows).to_have_count(7)  # Harbour Police's jurisdiction
    first = rows.first
    expect(first).to_contain_text("St Brendan's Cathedral")
    expect(first.locator(".band")).to_have_text(str(RiskBand(assessment.worst_band).label))
    expect(first).to_contain_text("Approved")
    expect(page.locator(MARKERS)).to_have_count(7)

    page.get_by_label("Assessment", exact=True).select_option("yes")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    marker = page.locator(MARKERS)
    expect(marker).to_have_count(1)
    key = assessment.worst_band.replace(" ", "_")
    expect(marker).to_have_class(re.compile(rf"\bpg-band-{key}\b"))
    marker.click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("St Brendan's Cathedral")
    csv_link = page.get_by_role("link", name="CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"assessed=yes"))
