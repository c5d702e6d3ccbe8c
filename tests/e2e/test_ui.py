"""The web UI in a real browser: login, site list and map, detail, forms, access, keyboard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from placeguard.web.orgs.models import User
from placeguard.web.sites import services
from placeguard.web.sites.models import Site
from tests.e2e.conftest import PASSWORD, E2EWorld, log_in

MARKERS = "#site-map path.pg-marker"
ROWS = "#site-table tbody tr"


def hide_environment_banner(page: Any) -> None:
    """The docs show the product, not the test-environment warning."""
    page.evaluate("document.querySelector('.env-banner')?.remove()")


@pytest.mark.e2e
def test_login_rejects_a_wrong_password_then_logs_in(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill("venue_admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Organisation")
    expect(page.locator("main")).to_contain_text("Civic Venues Trust can see 10 active sites")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


@pytest.mark.e2e
def test_filter_site_list_by_type_updates_rows_and_map(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto("/sites/")
    # Harbour Police sees the seven sites of its jurisdiction, not the Uplands ones.
    expect(page.locator(ROWS)).to_have_count(7)
    expect(page.locator(MARKERS)).to_have_count(7)
    expect(page.get_by_role("region", name="Map of the matching sites")).to_be_visible()

    page.get_by_label("Place of worship").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator(MARKERS)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"site_type=place_of_worship"))
    for cell in page.locator(f"{ROWS} td:nth-child(2)").all():
        expect(cell).to_have_text("Place of worship")
    expect(page.locator("#site-map")).to_have_attribute("data-marker-count", "2")
    names = page.locator(f"{ROWS} th").all_text_contents()
    assert names == ["Harbour Mosque", "St Brendan's Cathedral"]
    expect(page.locator("#results-announcer")).to_contain_text("2 sites match")

    # The export links carry the same filter.
    csv_link = page.get_by_role("link", name="CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"site_type=place_of_worship"))


@pytest.mark.e2e
def test_map_popup_shows_user_text_as_text(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto("/sites/?q=Gallery")
    expect(page.locator(MARKERS)).to_have_count(1)
    page.locator(MARKERS).first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("<b>Bold</b> & <img src=x> Gallery")
    expect(popup.locator("img, b")).to_have_count(0)
    expect(popup.get_by_role("link")).to_have_attribute(
        "href", f"/sites/{e2e_world.sites['tricky'].pk}/"
    )


@pytest.mark.e2e
def test_site_detail_shows_hours_events_and_map(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto("/sites/?site_type=place_of_worship")
    page.get_by_role("link", name="St Brendan's Cathedral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("St Brendan's Cathedral")
    hours = page.get_by_role("table", name=re.compile("Weekly opening hours"))
    expect(hours.get_by_role("row", name=re.compile("Friday"))).to_contain_text(
        "09:00 to 18:00; 19:00 to 01:00 (the next day)"
    )
    expect(hours.get_by_role("row", name=re.compile("Sunday"))).to_contain_text("10:00 to 13:00")
    expect(page.get_by_role("table", name="Special events")).to_contain_text(
        "Harbour Festival opening night"
    )
    expect(page.locator("main")).to_contain_text("Harbour Police")  # assigned by jurisdiction
    expect(page.locator(MARKERS)).to_have_count(1)
    expect(page.locator(".event-list")).to_contain_text("venue_admin edited site: capacity")


@pytest.mark.e2e
def test_create_site_shows_field_error_then_saves(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto("/sites/")
    page.get_by_role("link", name="New site").click()
    page.get_by_label("Name").fill("Harbour Lights Concert Hall")
    page.get_by_label("Type").select_option("venue")
    page.get_by_label("Region").select_option(label="Harbour District")
    page.get_by_label("Latitude").fill("123")
    page.get_by_label("Longitude").fill("-9.15")
    page.get_by_label("Capacity").fill("2400")
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_label("Tags").fill("night-economy, waterfront")
    expect(page.get_by_label("Operator")).to_have_value("civic-venues")
    page.get_by_role("button", name="Register site").click()

    latitude = page.get_by_label("Latitude")
    expect(latitude).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_latitude_error")
    expect(error).to_have_text(re.compile("must be between -90 and 90"))
    expect(latitude).to_have_attribute("aria-describedby", re.compile(r"\bid_latitude_error\b"))
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_latitude")
    expect(page.get_by_label("Name")).to_have_value("Harbour Lights Concert Hall")

    latitude.fill("38.716")
    page.get_by_role("button", name="Register site").click()
    expect(page).to_have_url(re.compile(r"/sites/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Lights Concert Hall")
    expect(page.get_by_role("status").first).to_contain_text("registered")
    site = Site.objects.get(name="Harbour Lights Concert Hall")
    assert page.url.endswith(f"/sites/{site.pk}/")
    assert site.latitude == pytest.approx(38.716)
    assert sorted(t.name for t in site.tags.all()) == ["night-economy", "waterfront"]


@pytest.mark.e2e
def test_org_admin_creates_a_user(page: Any, live_server: Any, e2e_world: E2EWorld) -> None:
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("Organisation")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Civic Venues Trust")
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("new_steward")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Steward")
    page.get_by_label("Email").fill("sam@civic.example")
    page.get_by_label("Reporter").check()
    page.get_by_label("Initial password", exact=True).fill("a long enough passphrase 42")
    page.get_by_label("Initial password again").fill("a long enough passphrase 42")
    page.get_by_role("button", name="Create user").click()

    expect(page).to_have_url(re.compile(r"/organisation/$"))
    expect(page.get_by_role("status").first).to_contain_text("User new_steward created.")
    row = page.locator("#member-table tr", has_text="new_steward")
    expect(row).to_contain_text("Reporter")
    user = User.objects.get(username="new_steward")
    assert user.organisation == e2e_world.orgs["civic-venues"]
    assert user.role_set == {"READER", "REPORTER"}


@pytest.mark.e2e
def test_operator_gets_404_page_for_another_operators_site(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["hotel_admin"])
    response = page.goto(f"/sites/{e2e_world.sites['cathedral'].pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text("Cathedral")


@pytest.mark.e2e
def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    log_in(page, live_server, e2e_world.users["venue_reader"])
    page.goto("/sites/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    expect(page.get_by_role("link", name="New site")).to_have_count(0)  # readers do not edit


@pytest.mark.e2e
def test_screenshot_site_list_with_map(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    services.archive_site(e2e_world.sites["tricky"], actor=None)
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto("/sites/")
    expect(page.locator(MARKERS)).to_have_count(9)
    expect(page.locator(ROWS)).to_have_count(9)
    path = screenshot_dir / "sites-list.png"
    hide_environment_banner(page)
    page.screenshot(path=str(path), full_page=True)
    assert 0 < path.stat().st_size < 300_000


@pytest.mark.e2e
def test_screenshot_site_detail(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    log_in(page, live_server, e2e_world.users["venue_admin"])
    page.goto(f"/sites/{e2e_world.sites['cathedral'].pk}/")
    expect(page.locator(MARKERS)).to_have_count(1)
    path = screenshot_dir / "site-detail.png"
    hide_environment_banner(page)
    page.screenshot(path=str(path), full_page=True)
    assert 0 < path.stat().st_size < 300_000
