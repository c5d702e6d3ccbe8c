"""Take the documentation screenshots from the real UI with the demo country loaded.

Runs a throwaway instance (temporary SQLite database, demo seed 7), serves it on a free
loopback port, drives Debian's Chromium with Playwright, and writes PNGs to ``docs/img``::

    make screenshots        # or: .venv/bin/python scripts/screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Headless, and no background connections: this machine has no network beyond loopback.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    msg = f"server at {url} did not start"
    raise RuntimeError(msg)


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("placeguard-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def shoot(page: Page, out: Path, name: str, *, full_page: bool = True) -> None:
    page.wait_for_timeout(400)  # let Leaflet finish drawing
    page.screenshot(path=str(out / name), full_page=full_page)
    print(f"wrote {out / name}")


def registry_and_risk(page: Page, base: str, out: Path) -> None:
    """The registry, an assessment being answered, the portfolio and a grant allocation."""
    login(page, base, "police.north")
    shoot(page, out, "dashboard.png")
    page.goto(f"{base}/sites/")
    shoot(page, out, "sites-list.png", full_page=False)
    page.goto(f"{base}/sites/?site_type=venue&site_type=transport_hub")
    shoot(page, out, "sites-list-filtered.png", full_page=False)
    page.locator("table a").first.click()
    shoot(page, out, "site-detail.png")
    page.goto(f"{base}/sites/new/")
    page.get_by_label("Name").fill("Old Town Square")
    page.get_by_label("Latitude").fill("123")
    page.get_by_role("button", name="Register site").click()
    shoot(page, out, "site-form-errors.png")
    page.context.clear_cookies()
    login(page, base, "mall.security")
    page.goto(f"{base}/organisation/")
    shoot(page, out, "organisation.png")
    # Risk assessments: a draft being answered (questions beside the live result) …
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.goto(f"{base}/assessments/?status=draft")
    page.locator("#assessment-table tbody a").first.click()
    page.locator("#total-risk").wait_for()
    shoot(page, out, "assessment.png", full_page=False)
    # … and the national portfolio, ranked and mapped by risk band.
    page.context.clear_cookies()
    login(page, base, "ministry")
    page.set_viewport_size({"width": 1280, "height": 1250})
    page.goto(f"{base}/assessments/portfolio/")
    shoot(page, out, "portfolio.png", full_page=False)
    # … a national grant spread over the assessed sites by the same optimiser …
    page.goto(f"{base}/assessments/portfolio/allocation/?budget=2000000")
    page.locator("table").first.wait_for()
    shoot(page, out, "grant-allocation.png", full_page=False)


def planning(page: Page, base: str, out: Path) -> None:
    """Police coverage and patrol planning; an operator's what-if comparison."""
    # Police: response coverage on the demo road grid, then the patrol planner.
    page.context.clear_cookies()
    login(page, base, "police.north")
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.goto(f"{base}/allocation/coverage/?standard_minutes=20&units=2")
    shoot(page, out, "coverage.png", full_page=False)
    page.goto(f"{base}/allocation/")
    shoot(page, out, "patrol-planner.png", full_page=False)
    # An operator compares two plans for its site (what-if).
    page.context.clear_cookies()
    login(page, base, "mall.security")
    page.goto(f"{base}/assessments/?status=approved")
    page.locator("#assessment-table tbody a").first.click()
    page.goto(page.url.rstrip("/") + "/plan/compare/")
    shoot(page, out, "whatif.png", full_page=False)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="placeguard-shots-"))
    env = {**os.environ, "PLACEGUARD_ENV": "development", "PLACEGUARD_DATA_DIR": str(data),
           "PLACEGUARD_DEBUG": "false"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    cli = str(BIN / "placeguard")
    subprocess.run([cli, "manage", "migrate", "-v", "0"], env=env, check=True)  # noqa: S603
    demo = [cli, "demo", "load", "--seed", "7"]
    subprocess.run(demo, env=env, check=True, capture_output=True)  # noqa: S603
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [cli, "manage", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(f"{base}/healthz")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            registry_and_risk(page, base, out)
            planning(page, base, out)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
