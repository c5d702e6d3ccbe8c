"""Browser tests: Debian's headless Chromium, driven by Playwright, against a live server.

The world is built through the services (every write audited, as in real use):

* regions ``harbour`` (Harbour District) and ``uplands`` (Uplands), with map outlines;
* ``harbour-police``: vetted law enforcement with jurisdiction over ``harbour`` — user
  ``officer`` (ANALYST, PUBLISHER);
* ``civic-venues``: an operator with sites of several types in both regions — user
  ``venue_admin`` (ANALYST, ORG_ADMIN) and ``venue_reader`` (READER);
* ``riverside-hotels``: an operator with one hotel in ``uplands`` — user ``hotel_admin``.

Screenshots go to ``$PLACEGUARD_SCREENSHOT_DIR`` when it is set (``docs/img`` refreshes the
pictures in the docs), and to a temporary folder otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made from the
# test body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-password"  # validate=False: only the test world uses it
ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "placeguard" / "web" / "static" / "vendor"

# A boxy outline around each region's sites, [[lon, lat], …].
OUTLINES = {
    "harbour": [[-9.22, 38.68], [-9.05, 38.68], [-9.05, 38.79], [-9.22, 38.79]],
    "uplands": [[-9.05, 38.70], [-8.88, 38.70], [-8.88, 38.82], [-9.05, 38.82]],
}

WEEKLY_PROFILE = {
    "weekly": {
        "mon": [["09:00", "18:00"]],
        "tue": [["09:00", "18:00"]],
        "wed": [["09:00", "18:00"]],
        "thu": [["09:00", "18:00"]],
        "fri": [["09:00", "18:00"], ["19:00", "01:00"]],
        "sat": [["10:00", "23:00"]],
        "sun": [["10:00", "13:00"]],
    },
    "typical_share": 0.5,
    "events": [
        {
            "name": "Harbour Festival opening night",
            "start": "2027-06-12T18:00",
            "end": "2027-06-12T23:30",
            "expected_attendance": 9000,
        }
    ],
}

# (key, name, type, region, operator, lat, lon, capacity)
SITES = [
    ("cathedral", "St Brendan's Cathedral", "place_of_worship", "harbour", "civic-venues", 38.711, -9.137, 1800),
    ("mosque", "Harbour Mosque", "place_of_worship", "harbour", "civic-venues", 38.722, -9.160, 900),
    ("square", "Commerce Square", "public_space", "harbour", "civic-venues", 38.708, -9.136, 12000),
    ("market", "Fish Market Hall", "retail", "harbour", "civic-venues", 38.734, -9.104, 2500),
    ("arena", "Harbour Arena", "venue", "harbour", "civic-venues", 38.752, -9.185, 20000),
    ("station", "Quayside Station", "transport_hub", "harbour", "civic-venues", 38.705, -9.095, 15000),
    ("temple", "Uplands Temple", "place_of_worship", "uplands", "civic-venues", 38.760, -8.990, 600),
    ("museum", "Uplands Heritage Museum", "tourist_site", "uplands", "civic-venues", 38.781, -8.940, 1200),
    ("school", "Uplands Secondary School", "education", "uplands", "civic-venues", 38.735, -8.960, 1100),
    ("hotel", "Riverside Grand Hotel", "hospitality", "uplands", "riverside-hotels", 38.790, -9.010, 700),
    ("tricky", "<b>Bold</b> & <img src=x> Gallery", "tourist_site", "harbour", "civic-venues", 38.745, -9.140, 300),
]  # fmt: skip


#: The same shape as the API tests' world: everything the fixture built, by short name.
E2EWorld = World


def build_e2e_world() -> E2EWorld:
    """Create the browser tests' world through the services."""
    from placeguard.web.orgs import services as orgs
    from placeguard.web.sites import services as sites

    w = E2EWorld()
    for code, name in [("harbour", "Harbour District"), ("uplands", "Uplands")]:
        ring = OUTLINES[code]
        w.regions[code] = orgs.create_region(
            actor=None,
            code=code,
            name=name,
            country_code="XE",
            longitude=sum(p[0] for p in ring) / len(ring),
            latitude=sum(p[1] for p in ring) / len(ring),
            outline=[*ring, ring[0]],
        )
    for slug, name, kind, regions in [
        ("harbour-police", "Harbour Police", "LAW_ENFORCEMENT", [w.regions["harbour"]]),
        ("civic-venues", "Civic Venues Trust", "OPERATOR", []),
        ("riverside-hotels", "Riverside Hotels", "OPERATOR", []),
    ]:
        w.orgs[slug] = orgs.create_organisation(
            actor=None,
            regions=regions,
            slug=slug,
            name=name,
            kind=kind,
            country_code="XE",
            vetted=True,
        )
    for username, org, roles, first, last in [
        ("officer", "harbour-police", ["ANALYST", "PUBLISHER"], "Olu", "Officer"),
        ("venue_admin", "civic-venues", ["ANALYST", "ORG_ADMIN"], "Vera", "Admin"),
        ("venue_reader", "civic-venues", ["READER"], "Ravi", "Reader"),
        ("hotel_admin", "riverside-hotels", ["ANALYST"], "Hana", "Hotelier"),
    ]:
        w.users[username] = orgs.create_user(
            actor=None,
            username=username,
            organisation=w.orgs[org],
            roles=roles,
            password=PASSWORD,
            first_name=first,
            last_name=last,
            validate=False,
        )
    for key, name, site_type, region, operator, lat, lon, capacity in SITES:
        w.sites[key] = sites.create_site(
            {
                "name": name,
                "site_type": site_type,
                "address": f"{len(name)} Quay Road",
                "region": region,
                "latitude": lat,
                "longitude": lon,
                "capacity": capacity,
                "time_zone": "Europe/Lisbon",
                "operator": operator,
                "tags": ["crowded-place"] if capacity >= 5000 else [],
                "time_profile": WEEKLY_PROFILE if key == "cathedral" else {},
                "notes": "",
            },
            actor=None,
        )
    sites.update_site(w.sites["cathedral"], {"capacity": 2000}, actor=w.users["venue_admin"])
    return w


@pytest.fixture(scope="session")
def _vendor_assets() -> None:
    """Leaflet and htmx copied from node_modules (``npm ci && scripts/build_assets.py``)."""
    if (VENDOR / "leaflet" / "leaflet.js").exists():
        return
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_assets", ROOT / "scripts" / "build_assets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        module.build()
    except FileNotFoundError as exc:
        pytest.fail(f"front-end assets missing: {exc}")


@pytest.fixture(scope="session")
def browser(_vendor_assets: None) -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium (see `make chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def e2e_world(transactional_db: None) -> E2EWorld:
    """The browser tests' world (committed, so the live server's thread sees it)."""
    return build_e2e_world()


class ConsoleLog:
    """Browser console errors and uncaught exceptions (CSP violations show up here)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught: {error}")

    def unexpected(self) -> list[str]:
        """Errors other than the browser's note about an expected 403/404 response."""
        return [e for e in self.errors if "status of 404" not in e and "status of 403" not in e]


@pytest.fixture
def console() -> ConsoleLog:
    """Collects the page's console errors; the ``page`` fixture fails on unexpected ones."""
    return ConsoleLog()


@pytest.fixture
def page(browser: Any, live_server: Any, console: ConsoleLog) -> Iterator[Any]:
    """A fresh browser context and page on the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 860}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()
    assert not console.unexpected(), console.errors


def log_in(page: Any, live_server: Any, user: Any) -> None:
    """Give the page a session for ``user`` without typing (the login form has its own test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$PLACEGUARD_SCREENSHOT_DIR`` or a temporary folder."""
    configured = os.environ.get("PLACEGUARD_SCREENSHOT_DIR")
    target = Path(configured) if configured else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target
