"""The barrier rating needed at a perimeter point, and the catalogue's barrier measures.

The standards (IWA 14-1, PAS 68, ASTM F2656, PAS 170-1) are content
(``content/vehicle/standards.yaml``); only test vehicles and speeds that were checked against a
cited source are encoded, and a standard marked ``complete: false`` has more test vehicles than
listed. The required rating at a point is:

* the lightest encoded test vehicle at least as heavy as the threat vehicle (when a standard
  lacks the exact class, the next heavier encoded one is required — conservative);
* the lowest test speed at or above the impact speed;
* the impact angle as computed, with the test angle of 90° (head-on) taken to cover shallower
  angles — a common simplification, not a rule of the standards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from placeguard.core.errors import FieldError, ValidationError
from placeguard.core.packs import read_yaml
from placeguard.engines.vehicle.vehicles import VEHICLE_CONTENT_DIR

__all__ = [
    "CATALOGUE_RATING_FIELDS",
    "BarrierMeasure",
    "BarrierStandard",
    "RequiredRating",
    "TestVehicle",
    "barrier_measures",
    "load_standards",
    "parse_standards",
    "required_rating",
]

CATALOGUE_RATING_FIELDS = (
    "standard",
    "test_vehicle",
    "test_mass_kg",
    "test_speed_kmh",
    "impact_angle_deg",
    "penetration_m",
)
"""What a catalogue measure would need to record for a rating to be compared automatically."""


@dataclass(frozen=True, slots=True)
class TestVehicle:
    """A test vehicle of a standard.

    ``test_speeds_kmh`` / ``speed_labels`` are its own speed set when the standard tests
    vehicles at different speeds (ASTM F2656), else empty (the standard's set applies);
    ``verify`` marks a figure taken from a secondary summary.
    """

    id: str
    mass_kg: float
    source: str
    test_speeds_kmh: tuple[float, ...] = ()
    speed_labels: tuple[str, ...] = ()
    verify: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BarrierStandard:
    """A vehicle-security-barrier impact standard (what is encoded of it)."""

    id: str
    name: str
    note: str
    rating_format: str
    complete: bool
    test_speeds_kmh: tuple[float, ...]
    speed_labels: tuple[str, ...]
    test_vehicles: tuple[TestVehicle, ...]
    sources: tuple[str, ...]

    def speeds_of(self, vehicle: TestVehicle) -> tuple[tuple[float, ...], tuple[str, ...]]:
        """Test speeds (km/h) and their labels for ``vehicle``."""
        if vehicle.test_speeds_kmh:
            return vehicle.test_speeds_kmh, vehicle.speed_labels
        return self.test_speeds_kmh, self.speed_labels


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value > 0 else None


def _speeds(
    raw: object, labels: object, where: str, problems: list[FieldError]
) -> tuple[tuple[float, ...], tuple[str, ...]]:
    parsed = [_number(x) for x in raw] if isinstance(raw, list) else []
    if not parsed or any(x is None for x in parsed):
        problems.append(FieldError(f"{where}.test_speeds_kmh", "expected positive numbers"))
        return (), ()
    speeds = tuple(x for x in parsed if x is not None)
    if list(speeds) != sorted(speeds):
        problems.append(FieldError(f"{where}.test_speeds_kmh", "must be in ascending order"))
    if labels is not None and (not isinstance(labels, list) or len(labels) != len(speeds)):
        problems.append(FieldError(f"{where}.speed_labels", "one label per test speed"))
        return speeds, ()
    return speeds, tuple(str(x) for x in labels) if isinstance(labels, list) else ()


def _test_vehicle(tv: object, where: str, problems: list[FieldError]) -> TestVehicle | None:
    mass = _number(tv.get("mass_kg")) if isinstance(tv, Mapping) else None
    if not isinstance(tv, Mapping) or mass is None or not isinstance(tv.get("id"), str):
        problems.append(FieldError(where, "needs id and mass_kg"))
        return None
    speeds: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()
    if tv.get("test_speeds_kmh") is not None:
        speeds, labels = _speeds(tv["test_speeds_kmh"], tv.get("speed_labels"), where, problems)
    if not isinstance(tv.get("verify", False), bool):
        problems.append(FieldError(f"{where}.verify", "expected true or false"))
    return TestVehicle(
        tv["id"], mass, str(tv.get("source") or ""), speeds, labels, tv.get("verify") is True
    )


def parse_standards(doc: Mapping[str, Any]) -> tuple[BarrierStandard, ...]:
    """Standards from a parsed ``standards.yaml``; every problem is reported at once."""
    problems: list[FieldError] = []
    rows = doc.get("standards")
    if not isinstance(rows, list) or not rows:
        msg = "standards.yaml must hold a non-empty 'standards' list"
        raise ValidationError(msg, errors=[FieldError("standards", msg)])
    out = []
    for i, row in enumerate(rows):
        where = f"standards[{i}]"
        if not isinstance(row, Mapping):
            problems.append(FieldError(where, "must be a mapping"))
            continue
        for key in ("id", "name", "rating_format"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                problems.append(FieldError(f"{where}.{key}", "expected a non-empty string"))
        parsed_speeds, labels = _speeds(
            row.get("test_speeds_kmh"), row.get("speed_labels"), where, problems
        )
        vehicles = []
        for j, tv in enumerate(row.get("test_vehicles") or []):
            vehicle = _test_vehicle(tv, f"{where}.test_vehicles[{j}]", problems)
            if vehicle is not None:
                vehicles.append(vehicle)
        if not vehicles:
            problems.append(FieldError(f"{where}.test_vehicles", "at least one is required"))
        if not isinstance(row.get("complete", False), bool):
            problems.append(FieldError(f"{where}.complete", "expected true or false"))
        if problems:
            continue
        out.append(
            BarrierStandard(
                id=str(row["id"]),
                name=str(row["name"]),
                note=" ".join(str(row.get("note") or "").split()),
                rating_format=str(row["rating_format"]),
                complete=bool(row.get("complete", False)),
                test_speeds_kmh=parsed_speeds,
                speed_labels=labels,
                test_vehicles=tuple(sorted(vehicles, key=lambda v: v.mass_kg)),
                sources=tuple(str(s) for s in row.get("sources") or ()),
            )
        )
    if problems:
        msg = f"{len(problems)} problem(s) in the barrier standards"
        raise ValidationError(msg, errors=problems)
    return tuple(out)


def load_standards(directory: Path | None = None) -> tuple[BarrierStandard, ...]:
    """Read and validate ``standards.yaml`` (the shipped one by default; cached per folder)."""
    return _load((directory or VEHICLE_CONTENT_DIR).resolve())


@cache
def _load(directory: Path) -> tuple[BarrierStandard, ...]:
    doc = read_yaml(directory / "standards.yaml")
    return parse_standards(doc if isinstance(doc, Mapping) else {})


@dataclass(frozen=True, slots=True, kw_only=True)
class RequiredRating:
    """The lowest encoded rating of one standard that covers an impact.

    ``code`` is None when no encoded test condition covers it; ``reason`` then says why.
    """

    standard: str
    test_vehicle: str | None
    test_mass_kg: float | None
    test_speed_kmh: float | None
    impact_angle_deg: float
    code: str | None
    reason: str


def required_rating(
    standard: BarrierStandard, *, mass_kg: float, speed_kmh: float, angle_deg: float
) -> RequiredRating:
    """The least test condition of ``standard`` that covers an impact of ``mass_kg`` at
    ``speed_kmh``: among the (test vehicle, test speed) pairs with mass ≥ ``mass_kg`` and
    speed ≥ ``speed_kmh``, the one of least kinetic energy (then lighter, then first listed).

    A heavier or faster impact never gets a lower-energy rating: its sufficient pairs are a
    subset of those of the lighter, slower one.
    """
    heavy_enough = [v for v in standard.test_vehicles if v.mass_kg >= mass_kg]
    options = []
    for order, v in enumerate(heavy_enough):
        speeds, labels = standard.speeds_of(v)
        for i, s in enumerate(speeds):
            if s >= speed_kmh:
                label = labels[i] if labels else f"{s:g}"
                options.append((0.5 * v.mass_kg * (s / 3.6) ** 2, v.mass_kg, order, v, s, label))
                break  # the lowest sufficient speed of this vehicle
    best = min(options, key=lambda o: o[:3]) if options else None
    vehicle = None if best is None else best[3]
    speed = None if best is None else best[4]
    reasons = []
    if not heavy_enough:
        heaviest = standard.test_vehicles[-1].mass_kg
        reasons.append(f"no encoded test vehicle of ≥ {mass_kg:.0f} kg (heaviest {heaviest:.0f})")
    elif best is None:
        top = max(standard.speeds_of(v)[0][-1] for v in heavy_enough)
        reasons.append(f"{speed_kmh:.0f} km/h exceeds the highest test speed {top:g} km/h")
    code = None
    if best is not None and vehicle is not None and speed is not None:
        code = standard.rating_format.format(
            mass=f"{vehicle.mass_kg:.0f}", vehicle=vehicle.id, speed=f"{speed:g}",
            speed_mph=best[5], angle="90",
        )  # fmt: skip
        if not standard.complete and vehicle.mass_kg > mass_kg:
            reasons.append("lighter test vehicles of this standard are not encoded")
        if vehicle.verify:
            reasons.append(f"test vehicle {vehicle.id} is from a secondary summary: verify")
    return RequiredRating(
        standard=standard.id,
        test_vehicle=None if vehicle is None else vehicle.id,
        test_mass_kg=None if vehicle is None else vehicle.mass_kg,
        test_speed_kmh=speed,
        impact_angle_deg=angle_deg,
        code=code,
        reason="; ".join(reasons),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class BarrierMeasure:
    """A hostile-vehicle barrier measure of the risk catalogue and what it records."""

    id: str
    name: str
    rating_fields_present: tuple[str, ...]
    rating_fields_missing: tuple[str, ...]


def barrier_measures(measures: Sequence[Any]) -> list[BarrierMeasure]:
    """The catalogue's vehicle barriers: physical ``delay`` measures against
    ``vehicle_ramming`` whose name or description speaks of barriers or bollards.

    ``measures`` are :class:`placeguard.engines.risk.catalogue.Measure` objects (or anything
    with the same attributes). The shipped catalogue records no impact rating, so every
    rating field is reported as missing; a later catalogue field named as in
    :data:`CATALOGUE_RATING_FIELDS` is picked up as present.
    """
    out = []
    for m in measures:
        scenarios = {getattr(e, "scenario", None) for e in getattr(m, "effects", ())}
        text = f"{m.name} {m.description}".lower()
        if (
            m.category == "physical"
            and "delay" in m.layers
            and "vehicle_ramming" in scenarios
            and ("barrier" in text or "bollard" in text)
        ):
            present = tuple(f for f in CATALOGUE_RATING_FIELDS if getattr(m, f, None) is not None)
            missing = tuple(f for f in CATALOGUE_RATING_FIELDS if f not in present)
            out.append(BarrierMeasure(id=m.id, name=m.name, rating_fields_present=present,
                                      rating_fields_missing=missing))  # fmt: skip
    return out
