"""Site engineering in a real browser: draw a layout with the drawing control, fix what the
engine refuses, run it, step through the result; follow a background run's progress bar."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from placeguard.web.engineering import services
from placeguard.web.engineering.models import EngineeringStudy
from tests.e2e.conftest import E2EWorld, log_in


def _click(page: Any, x: float, y: float, *, double: bool = False) -> None:
    """Click the drawing map at layout point (x, y) metres."""
    at = page.evaluate(
        "([x, y]) => document.querySelector('[data-pg-draw-map]').pgDraw.toPagePoint(x, y)", [x, y]
    )
    if double:
        page.mouse.dblclick(at["x"], at["y"])
    else:
        page.mouse.click(at["x"], at["y"])


def _draw(page: Any, tool: str, points: list[tuple[float, float]]) -> None:
    page.get_by_role("button", name=tool, exact=True).click()
    expect(page.locator("[data-draw-status]")).to_contain_text("Drawing")
    for x, y in points[:-1]:
        _click(page, x, y)
    _click(page, *points[-1], double=True)  # double-click finishes the shape


@pytest.mark.e2e
def test_officer_draws_a_layout_fixes_it_and_steps_through_the_result(
    page: Any, live_server: Any, e2e_world: E2EWorld, screenshot_dir: Path
) -> None:
    site = e2e_world.sites["square"]
    page.set_default_timeout(30_000)  # a shared, busy machine: first renders can be slow
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto(f"/engineering/sites/{site.pk}/new/")
    expect(page.get_by_role("heading", name="Draw on the map")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Hall drawn by hand")
    page.get_by_label("Evacuation (SFPE hydraulic model)").check()
    page.get_by_label("Monte Carlo runs").fill("10")
    page.locator("#draw-canvas").scroll_into_view_if_needed()

    # a 10 m × 10 m hall; Enter finishes the polygon from the keyboard
    page.get_by_role("button", name="Area", exact=True).click()
    for x, y in [(0, 0), (10, 0), (10, 10)]:
        _click(page, x, y)
    page.get_by_role("button", name="Undo last point").click()  # take the last point back
    _click(page, 10, 10)
    _click(page, 0, 10)
    page.locator("#draw-canvas").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-draw-features] li")).to_have_count(1)
    # an exit drawn off the wall: the engine refuses it and says where
    _draw(page, "Exit", [(12, 4), (12, 6)])
    expect(page.locator("[data-draw-features] li")).to_have_count(2)
    assert '"kind": "exit"' in page.locator("#id_geojson_text").input_value()
    page.get_by_role("button", name="Run the study").click()

    errors = page.locator("#draw-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("features[1]")
    expect(page.locator(".draw-item--error")).to_have_count(1)
    assert not EngineeringStudy.objects.exists()
    page.screenshot(path=str(screenshot_dir / "engineering-draw-errors.png"), full_page=True)

    # delete the bad exit and draw it on the east wall
    page.get_by_role("button", name="Delete 2. exit — exit-2").click()
    expect(page.locator("[data-draw-features] li")).to_have_count(1)
    page.locator("#draw-canvas").scroll_into_view_if_needed()
    _draw(page, "Exit", [(10, 4), (10, 6)])
    expect(page.locator("[data-draw-features] li")).to_have_count(2)
    # stretch the hall northwards by dragging its north-east corner from y = 10 to y = 12
    page.get_by_role("button", name="Move points 1. area — area-1").click()
    expect(page.locator(".draw-handle")).to_have_count(4)
    start = page.evaluate("() => document.querySelector('[data-pg-draw-map]').pgDraw"
                          ".toPagePoint(10, 10)")  # fmt: skip
    end = page.evaluate("() => document.querySelector('[data-pg-draw-map]').pgDraw"
                        ".toPagePoint(10, 12)")  # fmt: skip
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(end["x"], end["y"], steps=8)
    page.mouse.up()
    expect(page.locator("#id_geojson_text")).to_have_value(re.compile(r"12\s*\]"))
    page.get_by_role("button", name="Move points 1. area — area-1").click()
    expect(page.locator(".draw-handle")).to_have_count(0)
    page.get_by_role("button", name="Run the study").click()

    expect(page.get_by_role("heading", name="Hall drawn by hand")).to_be_visible()
    expect(page.locator("#evac-summary")).to_contain_text("100")
    study = EngineeringStudy.objects.get()
    assert study.status == "complete" and study.created_by == e2e_world.users["officer"]
    exit_ = next(f for f in study.geojson["features"] if f["properties"]["kind"] == "exit")
    assert exit_["geometry"]["coordinates"] == [[10, 4], [10, 6]]
    hall = next(f for f in study.geojson["features"] if f["properties"]["kind"] == "area")
    assert hall["geometry"]["coordinates"] == [[[0, 0], [10, 0], [10, 12], [0, 10], [0, 0]]]

    timeline = page.locator("#evac-map")
    expect(timeline).to_be_visible()
    readout = page.locator("#evac-time + output")
    first = readout.text_content()
    page.get_by_role("button", name="Step forward").first.click()
    expect(readout).not_to_have_text(first or "")
    expect(readout).to_contain_text("people safe")
    page.locator("#evac-time").focus()
    page.keyboard.press("End")  # the slider is keyboard operable
    expect(readout).to_contain_text("100 of 100 people safe")
    play = page.get_by_role("button", name="Play")
    play.click()
    expect(page.get_by_role("button", name="Pause")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Pause").click()
    page.screenshot(path=str(screenshot_dir / "engineering-evacuation-timeline.png"),
                    full_page=True)  # fmt: skip


@pytest.mark.e2e
def test_the_study_page_follows_a_background_run(
    page: Any, live_server: Any, e2e_world: E2EWorld, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    layout = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "hall", "kind": "area", "occupants": 50},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [8, 0], [8, 8], [0, 8], [0, 0]]]}},
        {"type": "Feature", "properties": {"id": "out", "kind": "exit"},
         "geometry": {"type": "LineString", "coordinates": [[8, 3], [8, 5]]}},
    ]}  # fmt: skip
    study = services.create_study(actor=e2e_world.users["officer"],
                                  site=e2e_world.sites["square"], kind="evacuation",
                                  name="Queued hall", geojson=layout,
                                  parameters={"runs": 0})  # fmt: skip
    assert study.status == "queued"
    page.set_default_timeout(30_000)
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto(f"/engineering/studies/{study.pk}/")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("#run-message")).to_contain_text("Queued")
    services.execute_study(study.pk)  # the worker picks it up
    expect(page.locator("#evac-summary")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)


@pytest.mark.e2e
def test_vehicle_perimeter_is_coloured_by_segment_with_a_legend(
    page: Any, live_server: Any, e2e_world: E2EWorld
) -> None:
    from tests.web.engineering.conftest import site_file

    study = services.create_study(actor=None, site=e2e_world.sites["square"], kind="vehicle",
                                  name="HVM square", geojson=site_file(),
                                  parameters={"vehicle": "car"})  # fmt: skip
    assert study.status == "complete"
    page.set_default_timeout(30_000)
    log_in(page, live_server, e2e_world.users["officer"])
    page.goto(f"/engineering/studies/{study.pk}/")
    heat = page.locator("#impact-map")
    expect(heat).to_be_visible()
    points = heat.get_attribute("data-point-count")
    assert points is not None and int(points) > 3
    expect(heat).to_have_attribute("data-segment-count", points)  # a closed ring of segments
    assert page.locator("#impact-map .pg-segment").count() == int(points)
    expect(page.get_by_role("list", name="Legend")).to_contain_text("not reachable")
