"""The sharing hub in a real browser: a police publisher writes and publishes a TLP:AMBER
bulletin to an operator, the operator's reader opens and acknowledges it, the police user sees
the receipt, and a user of another organisation gets the "not found" page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import E2EWorld, log_in


def _switch_user(page: Any, live_server: Any, user: Any) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, user)


@pytest.mark.e2e
def test_amber_bulletin_from_police_to_operator_is_read_acknowledged_and_receipted(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    from placeguard.web.sharing.models import Acknowledgement, Bulletin

    w = e2e_world
    page.set_default_timeout(30_000)  # a shared CI machine
    title = "Hostile reconnaissance at the harbour"

    # 1. The police publisher writes the draft and publishes it.
    log_in(page, live_server, w.users["officer"])
    page.goto("/sharing/bulletins/")
    page.get_by_role("link", name="Write a bulletin").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill("Two people **filmed** the entrances on Friday.")
    page.locator("#id_tlp").select_option("amber")  # label "TLP:" also prefixes others
    page.get_by_label("Organisations").select_option(label="Civic Venues Trust")
    page.get_by_label("Need to know (roles or teams, comma-separated)").fill("READER, ORG_ADMIN")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    bulletin = Bulletin.objects.get(title=title)
    assert bulletin.status == "published" and bulletin.tlp == "amber"

    # 2. The operator's reader finds it in the list, opens it and acknowledges it.
    _switch_user(page, live_server, w.users["venue_reader"])
    page.goto("/sharing/bulletins/")
    row = page.locator("#bulletin-table tbody tr", has_text=title)
    expect(row).to_contain_text("Harbour Police")
    row.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".bulletin-body strong")).to_have_text("filmed")
    expect(page.get_by_role("note", name="Handling")).to_contain_text("AMBER")
    page.screenshot(path=str(screenshot_dir / "sharing-bulletin-recipient.png"), full_page=True)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("You acknowledged this bulletin.")).to_be_visible()
    ack = Acknowledgement.objects.get(bulletin=bulletin, user=w.users["venue_reader"])
    assert ack.read_at is not None and ack.acknowledged_at is not None

    # 3. The police user sees the receipt.
    _switch_user(page, live_server, w.users["officer"])
    page.goto(f"/sharing/bulletins/{bulletin.pk}/")
    page.get_by_role("link", name="Read receipts").click()
    receipt = page.get_by_role("row", name="venue_reader")
    expect(receipt).to_contain_text("Civic Venues Trust")
    expect(receipt.locator("td").nth(2)).not_to_have_text("—")  # acknowledged at …

    # 4. Another organisation's user neither lists nor opens it.
    _switch_user(page, live_server, w.users["hotel_admin"])
    page.goto("/sharing/bulletins/")
    expect(page.get_by_text(title)).to_have_count(0)
    response = page.goto(f"/sharing/bulletins/{bulletin.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(title)).to_have_count(0)
