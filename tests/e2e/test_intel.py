"""Intelligence in a real browser: an analyst opens the demo dataset's dashboard, sees the
yearly chart with its collection breaks, tests a claim and reads the verdict."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from placeguard.web.intel import demo
from tests.e2e.conftest import E2EWorld, log_in


@pytest.mark.e2e
def test_analyst_reads_the_dashboard_and_tests_a_claim(  # noqa: PLR0917 - fixtures
    page: Any, live_server: Any, e2e_world: E2EWorld, settings: Any, tmp_path: Path,
    screenshot_dir: Path,
) -> None:  # fmt: skip
    settings.DATA_DIR = tmp_path / "data"
    settings.PLACEGUARD_INTEL_RESAMPLES = 200
    dataset = demo.load(e2e_world.orgs, owner_slug="harbour-police", username="officer")
    assert dataset.status == "done", dataset.progress_message
    page.set_default_timeout(60_000)  # a shared, busy machine: the statistics take a moment
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto("/intel/")
    page.get_by_role("link", name=dataset.name).click()
    expect(page.get_by_role("heading", name=dataset.name)).to_be_visible()
    chart = page.locator('svg[data-chart="yearly"]')
    expect(chart).to_be_visible()
    expect(chart.locator("line.break")).to_have_count(3)  # GTD: 1998, 2008, 2012
    expect(page.locator("#attribution")).to_contain_text("Global Terrorism Database")
    expect(page.locator("#attribution")).to_contain_text("Only aggregates are shown")
    # The map draws aggregated grid cells (Leaflet loaded from the vendored assets).
    expect(page.locator("#incident-map")).to_have_attribute(
        "data-cells-drawn", re.compile(r"^[1-9]")
    )

    form = page.locator("form.claim-form")
    form.get_by_label("Metric").select_option("lethality")
    form.get_by_label("Direction").select_option("increase")
    form.get_by_label("Target category").select_option(dataset.facets["categories"][0])
    form.get_by_label("Split year (empty: annual trend)").fill("2011")
    page.get_by_role("button", name="Test the claim").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_be_visible()
    expect(verdict.locator(".verdict-label")).to_have_text(
        re.compile(r"^(supported|not supported|inconclusive)$")
    )
    expect(verdict).to_contain_text("95% interval")
    page.screenshot(path=str(screenshot_dir / "intel-dashboard.png"), full_page=True)
