"""The risk link: a vehicle study with a fast approach raises the assessment's vehicle_ramming
risk, and the explaining sentence appears next to the drivers on the assessment page."""

from __future__ import annotations

from django.test import Client

from placeguard.web.assessments import scoring
from placeguard.web.engineering import services
from tests.conftest import World
from tests.web.assessments.conftest import start, submitted
from tests.web.engineering.conftest import VEHICLE_PARAMS, layout, site_file


def _risk(result: dict[str, object], scenario: str) -> float:
    rows = result["scenarios"]
    assert isinstance(rows, list)
    return float(next(s["risk"] for s in rows if s["scenario"] == scenario))


def test_fast_vehicle_approach_raises_vehicle_ramming_risk_and_explains_it(world: World) -> None:
    draft = start(world)
    before, live = scoring.result_for(draft)
    assert live
    assert all(not s["adjustments"] for s in before["scenarios"])
    services.create_study(actor=world.users["mall_admin"], site=world.sites["mall_north"],
                          kind="vehicle", name="Fast approach", geojson=site_file(250),
                          parameters=VEHICLE_PARAMS)  # fmt: skip
    after, _ = scoring.result_for(draft)
    assert _risk(after, "vehicle_ramming") > _risk(before, "vehicle_ramming")
    assert _risk(after, "firearms") == _risk(before, "firearms")
    ramming = next(s for s in after["scenarios"] if s["scenario"] == "vehicle_ramming")
    (sentence,) = ramming["adjustments"]
    assert "Fast approach" in sentence and "km/h" in sentence
    client = Client()
    client.force_login(world.users["mall_admin"])
    page = client.get(f"/assessments/{draft.pk}/").content.decode()
    assert "Site engineering" in page
    assert "a hostile vehicle can reach the protected perimeter" in page
    assert 'data-scenario="vehicle_ramming"' in page


def test_submitted_result_keeps_its_stored_sentences(world: World) -> None:
    services.create_study(actor=None, site=world.sites["mall_north"], kind="evacuation",
                          name="Slow exit", geojson=layout(occupants=1200, door_m=1.0),
                          parameters={"runs": 0})  # fmt: skip
    done = submitted(world)
    stored = [s for s in done.result["scenarios"] if s["adjustments"]]
    assert {s["scenario"] for s in stored} & {"arson", "cbrn"}
    client = Client()
    client.force_login(world.users["police_n"])
    page = client.get(f"/assessments/{done.pk}/").content.decode()
    assert "evacuating the site takes" in page


def test_plans_of_a_submitted_assessment_use_the_findings_stored_with_it(world: World) -> None:
    """Later studies change new assessments, not the basis of plans already submitted."""
    site = world.sites["mall_north"]
    services.create_study(actor=None, site=site, kind="vehicle", name="Fast approach",
                          geojson=site_file(250), parameters=VEHICLE_PARAMS)  # fmt: skip
    done = submitted(world)
    stored = done.result["engineering"]
    assert stored is not None and stored["vehicle_impact_speed_kmh"] > 0
    profile = scoring.planning_profile(done)
    assert profile.engineering is not None
    assert profile.engineering.vehicle_impact_speed_kmh == stored["vehicle_impact_speed_kmh"]
    services.create_study(actor=None, site=site, kind="vehicle", name="Short run-up",
                          geojson=site_file(20), parameters=VEHICLE_PARAMS)  # fmt: skip
    again = scoring.planning_profile(done)
    assert again.engineering == profile.engineering
