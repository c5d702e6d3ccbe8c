"""Site-engineering findings scale the consequence of the scenarios they bear on, explained."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.content import load_risk_pack
from placeguard.core.errors import ValidationError
from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.engineering import (
    EVACUATION_REFERENCE_S,
    VEHICLE_REFERENCE_KMH,
    EngineeringFindings,
    adjustments,
)
from placeguard.engines.risk.inputs import parse_assessment_input

PACK = load_risk_pack()
SITE = SiteProfile(site_type="venue", capacity=20000, symbolic=1)
ANSWERS = {"GOV-01": 2}


def by_id(result: object) -> dict[str, object]:
    return {s.scenario: s for s in result.scenarios}  # type: ignore[attr-defined]


def test_vehicle_speed_scales_ramming_consequence_by_kinetic_energy() -> None:
    plain = by_id(assess(PACK, SITE, ANSWERS))
    site = dataclasses.replace(SITE, engineering=EngineeringFindings(vehicle_impact_speed_kmh=60))
    adjusted = by_id(assess(PACK, site, ANSWERS))
    factor = (60 / VEHICLE_REFERENCE_KMH) ** 2  # 1.5625, inside the clamp
    ramming, before = adjusted["vehicle_ramming"], plain["vehicle_ramming"]
    assert ramming.consequence == pytest.approx(before.consequence * factor, rel=1e-12)
    assert ramming.risk == pytest.approx(before.risk * factor, rel=1e-12)
    assert ramming.risk_high == pytest.approx(before.risk_high * factor, rel=1e-12)
    assert "60 km/h" in ramming.adjustments[0] and "×1.56" in ramming.adjustments[0]
    for sid, scenario in adjusted.items():  # nothing else moves
        if sid != "vehicle_ramming":
            assert scenario.risk == plain[sid].risk
            assert scenario.adjustments == ()


def test_evacuation_time_scales_fire_and_cbrn_and_is_clamped() -> None:
    plain = by_id(assess(PACK, SITE, ANSWERS))
    slow = EngineeringFindings(evacuation_time_s=3 * EVACUATION_REFERENCE_S, source="evac run 7")
    adjusted = by_id(assess(PACK, dataclasses.replace(SITE, engineering=slow), ANSWERS))
    for sid in ("arson", "cbrn"):
        # three times the reference, clamped to ×2
        assert adjusted[sid].consequence == pytest.approx(plain[sid].consequence * 2, rel=1e-12)
        assert "(evac run 7)" in adjusted[sid].adjustments[0]
    assert adjusted["firearms"].risk == plain["firearms"].risk


def test_no_findings_no_adjustment() -> None:
    assert adjustments(None) == ()
    assert adjustments(EngineeringFindings()) == ()


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0, 200), b=st.floats(0, 200))
def test_a_faster_vehicle_never_lowers_any_risk(a: float, b: float) -> None:
    slow, fast = sorted((a, b))
    results = [
        by_id(assess(PACK, dataclasses.replace(
            SITE, engineering=EngineeringFindings(vehicle_impact_speed_kmh=v)), ANSWERS, top=0))
        for v in (slow, fast)
    ]  # fmt: skip
    for sid in results[0]:
        assert results[1][sid].risk >= results[0][sid].risk  # type: ignore[attr-defined]


def test_the_assessment_file_takes_engineering_findings_and_checks_them() -> None:
    data = {"site": {"type": "venue", "capacity": 5000}, "answers": {},
            "engineering": {"vehicle_impact_speed_kmh": 55, "evacuation_time_s": 400,
                            "source": "survey 2026"}}  # fmt: skip
    parsed = parse_assessment_input(data, PACK)
    assert parsed.profile.engineering == EngineeringFindings(55, 400, "survey 2026")
    bad = {**data, "engineering": {"vehicle_impact_speed_kmh": -3, "evacuation_time_s": "slow",
                                   "colour": "red"}}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        parse_assessment_input(bad, PACK)
    fields = {e.field for e in caught.value.errors}
    assert fields == {
        "engineering.vehicle_impact_speed_kmh",
        "engineering.evacuation_time_s",
        "engineering.colour",
    }
