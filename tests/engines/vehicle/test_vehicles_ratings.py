"""Vehicle classes and barrier standards: content loads, validation, required ratings."""

from __future__ import annotations

import pytest

from placeguard.content import load_risk_pack
from placeguard.core.errors import ValidationError
from placeguard.engines.vehicle.ratings import (
    CATALOGUE_RATING_FIELDS,
    barrier_measures,
    load_standards,
    parse_standards,
    required_rating,
)
from placeguard.engines.vehicle.vehicles import (
    get_vehicle,
    load_vehicle_classes,
    parse_vehicle_classes,
)


def test_shipped_vehicle_classes_load() -> None:
    classes = load_vehicle_classes()
    assert set(classes) == {"car", "van", "n2", "n3"}
    assert classes["n3"].lateral_limit == "rollover"
    assert classes["car"].lateral_limit == "friction"


def test_unknown_vehicle_class_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        get_vehicle("tank")
    assert "car, n2, n3, van" in info.value.message


def test_negative_overrides_are_all_reported() -> None:
    with pytest.raises(ValidationError) as info:
        get_vehicle("car").with_overrides(mass_kg=-1.0, mu=0.0, max_accel=float("nan"))
    assert {e.field for e in info.value.errors} == {
        "vehicle.mass_kg", "vehicle.mu", "vehicle.max_accel"
    }  # fmt: skip


def test_bad_vehicle_content_lists_every_problem() -> None:
    doc = {"vehicles": [{"id": "a", "mass_kg": -5}, {"id": "a", "mass_kg": 1}]}
    with pytest.raises(ValidationError) as info:
        parse_vehicle_classes(doc)
    fields = {e.field for e in info.value.errors}
    assert "vehicles[0].mass_kg" in fields
    assert "vehicles[1].id" in fields


def test_required_rating_picks_test_vehicle_and_next_test_speed() -> None:
    iwa = next(s for s in load_standards() if s.id == "iwa14_1")
    r = required_rating(iwa, mass_kg=7200, speed_kmh=50.1, angle_deg=70.0)
    assert r.code == "V/7200[N3C]/64/90"
    car = required_rating(iwa, mass_kg=1500, speed_kmh=48.0, angle_deg=90.0)
    assert car.code == "V/1500[M1]/48/90"
    # heavy classes are encoded: an 18 t truck needs the 30 t test vehicle
    heavy = required_rating(iwa, mass_kg=18000, speed_kmh=40.0, angle_deg=90.0)
    assert heavy.code == "V/30000[N3D]/48/90"
    assert "verify" in heavy.reason
    beyond = required_rating(iwa, mass_kg=40000, speed_kmh=40.0, angle_deg=90.0)
    assert beyond.code is None
    assert "no encoded test vehicle" in beyond.reason


def test_astm_rating_uses_its_own_designations() -> None:
    astm = next(s for s in load_standards() if s.id == "astm_f2656")
    assert required_rating(astm, mass_kg=6000, speed_kmh=60.0, angle_deg=90).code == "M40"
    too_fast = required_rating(astm, mass_kg=6000, speed_kmh=90.0, angle_deg=90)
    assert too_fast.code is None


def test_bad_standards_content_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_standards({"standards": [{"id": "x", "name": "x", "rating_format": "x",
                                        "test_speeds_kmh": [32, 16], "test_vehicles": []}]})  # fmt: skip


def test_catalogue_barriers_are_found_and_lack_rating_fields() -> None:
    found = {b.id: b for b in barrier_measures(load_risk_pack().measures)}
    assert {"HVM_PERMANENT", "HVM_TEMPORARY"} <= set(found)
    assert found["HVM_PERMANENT"].rating_fields_missing == CATALOGUE_RATING_FIELDS
