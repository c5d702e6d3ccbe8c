"""The barrier standards table: every vehicle class matches, least sufficient, monotone."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.engines.vehicle.ratings import (
    BarrierStandard,
    load_standards,
    parse_standards,
    required_rating,
)
from placeguard.engines.vehicle.vehicles import load_vehicle_classes

STANDARDS = {s.id: s for s in load_standards()}
FULL_SCALE = ("iwa14_1", "pas68", "astm_f2656")


def _energy(mass_kg: float | None, speed_kmh: float | None) -> float:
    assert mass_kg is not None and speed_kmh is not None
    return 0.5 * mass_kg * (speed_kmh / 3.6) ** 2


def _sufficient(std: BarrierStandard, mass: float, speed: float) -> list[tuple[float, float]]:
    """Every (test mass, test speed) pair covering the impact — naive enumeration."""
    out = []
    for v in std.test_vehicles:
        speeds = v.test_speeds_kmh or std.test_speeds_kmh
        out += [(v.mass_kg, s) for s in speeds if v.mass_kg >= mass and s >= speed]
    return out


def test_heavy_classes_and_their_masses_are_encoded() -> None:
    iwa = {v.id: v.mass_kg for v in STANDARDS["iwa14_1"].test_vehicles}
    assert iwa["N2A"] == iwa["N3C"] == 7200
    assert iwa["N3D"] == 30000
    astm = {v.id: v.mass_kg for v in STANDARDS["astm_f2656"].test_vehicles}
    assert astm["M"] == 6800
    assert astm["C7"] == 7200
    assert astm["H"] == 29500
    pas170 = STANDARDS["pas170_1"]
    assert [v.mass_kg for v in pas170.test_vehicles] == [2500]
    assert pas170.test_speeds_kmh == (16, 32)


@pytest.mark.parametrize("standard", FULL_SCALE)
def test_every_engine_vehicle_class_can_be_matched(standard: str) -> None:
    for vehicle in load_vehicle_classes().values():
        r = required_rating(STANDARDS[standard], mass_kg=vehicle.mass_kg, speed_kmh=48.0,
                            angle_deg=90.0)  # fmt: skip
        assert r.code is not None, (standard, vehicle.id, r.reason)
        assert r.test_mass_kg is not None and r.test_mass_kg >= vehicle.mass_kg


def test_known_codes() -> None:
    astm = STANDARDS["astm_f2656"]
    assert required_rating(astm, mass_kg=18000, speed_kmh=70, angle_deg=90).code == "H50"
    assert required_rating(astm, mass_kg=2000, speed_kmh=85, angle_deg=90).code == "FS60"
    pas68 = STANDARDS["pas68"]
    assert required_rating(pas68, mass_kg=7400, speed_kmh=79, angle_deg=90).code == (
        "V/7500/N3C/80/90"
    )
    pas170 = STANDARDS["pas170_1"]
    assert required_rating(pas170, mass_kg=1500, speed_kmh=20, angle_deg=90).code == "2500/32"
    assert required_rating(pas170, mass_kg=1500, speed_kmh=40, angle_deg=90).code is None


def test_per_vehicle_speed_labels_are_validated() -> None:
    doc = {"standards": [{"id": "x", "name": "x", "rating_format": "{vehicle}{speed_mph}",
                          "test_speeds_kmh": [16], "test_vehicles": [
                              {"id": "A", "mass_kg": 1000, "test_speeds_kmh": [50, 40],
                               "speed_labels": ["a"], "verify": "yes"}]}]}  # fmt: skip
    with pytest.raises(ValidationError) as info:
        parse_standards(doc)
    fields = {e.field for e in info.value.errors}
    assert "standards[0].test_vehicles[0].test_speeds_kmh" in fields
    assert "standards[0].test_vehicles[0].verify" in fields


impacts = st.tuples(st.floats(500.0, 35000.0), st.floats(1.0, 130.0))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(STANDARDS)), impacts)
def test_required_rating_is_the_least_sufficient(
    standard: str, impact: tuple[float, float]
) -> None:
    std = STANDARDS[standard]
    mass, speed = impact
    r = required_rating(std, mass_kg=mass, speed_kmh=speed, angle_deg=60.0)
    options = _sufficient(std, mass, speed)
    if not options:
        assert r.code is None and r.reason
        return
    assert r.code is not None
    assert r.test_mass_kg is not None and r.test_mass_kg >= mass
    assert r.test_speed_kmh is not None and r.test_speed_kmh >= speed
    least = min(_energy(m, s) for m, s in options)
    assert math.isclose(_energy(r.test_mass_kg, r.test_speed_kmh), least, rel_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(STANDARDS)), impacts, st.floats(0.0, 20000.0),
       st.floats(0.0, 60.0))  # fmt: skip
def test_heavier_or_faster_never_needs_a_lower_rating(
    standard: str, impact: tuple[float, float], more_mass: float, more_speed: float
) -> None:
    std = STANDARDS[standard]
    mass, speed = impact
    low = required_rating(std, mass_kg=mass, speed_kmh=speed, angle_deg=90.0)
    high = required_rating(std, mass_kg=mass + more_mass, speed_kmh=speed + more_speed,
                           angle_deg=90.0)  # fmt: skip
    if low.code is None:
        assert high.code is None
    elif high.code is not None:
        assert _energy(high.test_mass_kg, high.test_speed_kmh) >= _energy(
            low.test_mass_kg, low.test_speed_kmh
        )
