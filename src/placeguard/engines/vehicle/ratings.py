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
    """A test vehicle of a standard."""

    id: str
    mass_kg: float
    source: str


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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value > 0 else None


def parse_standards(doc: Mapping[str, Any]) -> tuple[BarrierStandard, ...]:  # noqa: PLR0912
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
        speeds = row.get("test_speeds_kmh")
        parsed_speeds = [_number(s) for s in speeds] if isinstance(speeds, list) else []
        if not parsed_speeds or any(s is None for s in parsed_speeds):
            problems.append(FieldError(f"{where}.test_speeds_kmh", "expected positive numbers"))
        elif parsed_speeds != sorted(s for s in parsed_speeds if s is not None):
            problems.append(FieldError(f"{where}.test_speeds_kmh", "must be in ascending order"))
        labels = row.get("speed_labels")
        if labels is not None and (
            not isinstance(labels, list) or len(labels) != len(parsed_speeds)
        ):
            problems.append(FieldError(f"{where}.speed_labels", "one label per test speed"))
        vehicles = []
        for j, tv in enumerate(row.get("test_vehicles") or []):
            mass = _number(tv.get("mass_kg")) if isinstance(tv, Mapping) else None
            if mass is None or not isinstance(tv.get("id"), str):
                problems.append(FieldError(f"{where}.test_vehicles[{j}]", "needs id and mass_kg"))
                continue
            vehicles.append(TestVehicle(tv["id"], mass, str(tv.get("source") or "")))
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
                test_speeds_kmh=tuple(s for s in parsed_speeds if s is not None),
                speed_labels=tuple(str(x) for x in labels) if isinstance(labels, list) else (),
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
    """The rating of ``standard`` needed against an impact of ``mass_kg`` at ``speed_kmh``."""
    vehicle = next((v for v in standard.test_vehicles if v.mass_kg >= mass_kg), None)
    index = next((i for i, s in enumerate(standard.test_speeds_kmh) if s >= speed_kmh), None)
    speed = None if index is None else standard.test_speeds_kmh[index]
    reasons = []
    if vehicle is None:
        heaviest = standard.test_vehicles[-1].mass_kg
        reasons.append(f"no encoded test vehicle of ≥ {mass_kg:.0f} kg (heaviest {heaviest:.0f})")
    if speed is None:
        reasons.append(
            f"{speed_kmh:.0f} km/h exceeds the highest test speed "
            f"{standard.test_speeds_kmh[-1]:g} km/h"
        )
    code = None
    if vehicle is not None and speed is not None and index is not None:
        label = standard.speed_labels[index] if standard.speed_labels else f"{speed:g}"
        code = standard.rating_format.format(
            mass=f"{vehicle.mass_kg:.0f}", vehicle=vehicle.id, speed=f"{speed:g}",
            speed_mph=label, angle="90",
        )  # fmt: skip
        if not standard.complete and vehicle.mass_kg > mass_kg:
            reasons.append("lighter test vehicles of this standard are not encoded")
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
