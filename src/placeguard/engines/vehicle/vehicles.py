"""Threat vehicle classes: mass, acceleration, braking, grip and rollover geometry.

The standard classes (``car``, ``van``, ``n2``, ``n3``) are content
(``content/vehicle/vehicles.yaml``), validated when read; every parameter can be overridden
per run with :meth:`VehicleClass.with_overrides`. All values are SI inside the engine
(kg, m/s², m/s, W, m); the content file uses km/h and kW for readability.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from placeguard.core.errors import FieldError, ValidationError
from placeguard.core.packs import read_yaml

__all__ = [
    "GRAVITY",
    "VEHICLE_CONTENT_DIR",
    "VehicleClass",
    "get_vehicle",
    "load_vehicle_classes",
    "parse_vehicle_classes",
    "validate_vehicle",
]

GRAVITY = 9.80665
"""Standard gravity, m/s²."""

VEHICLE_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "vehicle"
"""Folder of the shipped vehicle content (``vehicles.yaml``, ``standards.yaml``)."""

_KMH = 3.6


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleClass:
    """One threat vehicle.

    Attributes
    ----------
    id, name : str
        Stable identifier (``car``, ``van``, ``n2``, ``n3``) and display name.
    mass_kg : float
        Mass, kg (kinetic energy and barrier test-vehicle matching).
    max_accel : float
        Full-throttle acceleration from low speed, m/s².
    braking : float
        Braking deceleration, m/s² (backward pass of the speed profile).
    mu : float
        Tyre–road friction coefficient (lateral grip limit ``μ g``).
    track_width_m, cg_height_m : float
        Track width and centre-of-gravity height, m; the static rollover threshold is
        ``t / (2 h)`` in g.
    max_speed : float
        Top speed, m/s.
    power_w : float or None
        Engine power at the wheels, W; when given, acceleration is ``min(max_accel, P/(m v))``.
    """

    id: str
    name: str
    mass_kg: float
    max_accel: float
    braking: float
    mu: float
    track_width_m: float
    cg_height_m: float
    max_speed: float
    power_w: float | None = None

    @property
    def rollover_g(self) -> float:
        """Static rollover threshold ``t / (2 h)``, in g."""
        return self.track_width_m / (2.0 * self.cg_height_m)

    @property
    def lateral_g(self) -> float:
        """Lateral acceleration limit in g: the lower of grip ``μ`` and rollover ``t/(2h)``."""
        return min(self.mu, self.rollover_g)

    @property
    def lateral_limit(self) -> str:
        """Which limit governs cornering: ``"friction"`` or ``"rollover"``."""
        return "friction" if self.mu <= self.rollover_g else "rollover"

    def with_overrides(self, **changes: float | None) -> VehicleClass:
        """A copy with some parameters changed (None leaves a parameter as it is); validated."""
        given = {k: v for k, v in changes.items() if v is not None}
        unknown = sorted(set(given) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            msg = f"unknown vehicle parameter(s): {', '.join(unknown)}"
            raise ValidationError(msg, errors=[FieldError(u, "unknown parameter") for u in unknown])
        vehicle = dataclasses.replace(self, **given)  # type: ignore[arg-type]  # names checked above
        validate_vehicle(vehicle)
        return vehicle


def validate_vehicle(vehicle: VehicleClass, *, where: str = "vehicle") -> None:
    """Raise :class:`ValidationError` naming every non-finite or non-positive parameter."""
    problems = []
    for name in ("mass_kg", "max_accel", "braking", "mu", "track_width_m", "cg_height_m"):
        value = getattr(vehicle, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            problems.append(FieldError(f"{where}.{name}", f"{value!r} must be a positive number"))
    if not (math.isfinite(vehicle.max_speed) and vehicle.max_speed > 0):
        problems.append(
            FieldError(f"{where}.max_speed", f"{vehicle.max_speed!r} must be a positive number")
        )
    if vehicle.power_w is not None and not (math.isfinite(vehicle.power_w) and vehicle.power_w > 0):
        problems.append(
            FieldError(f"{where}.power_w", f"{vehicle.power_w!r} must be positive or absent")
        )
    if problems:
        msg = f"vehicle {vehicle.id!r} has {len(problems)} invalid parameter(s)"
        raise ValidationError(msg, errors=problems)


def _positive(row: Mapping[str, Any], key: str, where: str, problems: list[FieldError]) -> float:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(FieldError(f"{where}.{key}", f"{value!r} is not a number"))
        return math.nan
    if not (math.isfinite(value) and value > 0):
        problems.append(FieldError(f"{where}.{key}", f"{value!r} must be > 0"))
    return float(value)


def parse_vehicle_classes(doc: Mapping[str, Any]) -> dict[str, VehicleClass]:
    """Vehicle classes from a parsed ``vehicles.yaml``; every problem is reported at once.

    Raises
    ------
    ValidationError
        Listing each missing, non-numeric or non-positive value and each duplicate id.
    """
    problems: list[FieldError] = []
    rows = doc.get("vehicles")
    if not isinstance(rows, list) or not rows:
        msg = "vehicles.yaml must hold a non-empty 'vehicles' list"
        raise ValidationError(msg, errors=[FieldError("vehicles", msg)])
    out: dict[str, VehicleClass] = {}
    for i, row in enumerate(rows):
        where = f"vehicles[{i}]"
        if not isinstance(row, Mapping):
            problems.append(FieldError(where, "must be a mapping"))
            continue
        vid = str(row.get("id") or "").strip().lower()
        if not vid:
            problems.append(FieldError(f"{where}.id", "missing"))
        elif vid in out:
            problems.append(FieldError(f"{where}.id", f"duplicate id {vid!r}"))
        values = {
            key: _positive(row, key, where, problems)
            for key in ("mass_kg", "max_accel_ms2", "braking_ms2", "mu", "track_width_m",
                        "cg_height_m", "max_speed_kmh")
        }  # fmt: skip
        power = _positive(row, "power_kw", where, problems) if "power_kw" in row else None
        out[vid] = VehicleClass(
            id=vid,
            name=str(row.get("name") or vid),
            mass_kg=values["mass_kg"],
            max_accel=values["max_accel_ms2"],
            braking=values["braking_ms2"],
            mu=values["mu"],
            track_width_m=values["track_width_m"],
            cg_height_m=values["cg_height_m"],
            max_speed=values["max_speed_kmh"] / _KMH,
            power_w=None if power is None else power * 1000.0,
        )
    if problems:
        msg = f"{len(problems)} problem(s) in the vehicle classes"
        raise ValidationError(msg, errors=problems)
    return out


def load_vehicle_classes(directory: Path | None = None) -> dict[str, VehicleClass]:
    """Read and validate ``vehicles.yaml`` (the shipped one by default; cached per folder)."""
    return dict(_load((directory or VEHICLE_CONTENT_DIR).resolve()))


@cache
def _load(directory: Path) -> dict[str, VehicleClass]:
    doc = read_yaml(directory / "vehicles.yaml")
    return parse_vehicle_classes(doc if isinstance(doc, Mapping) else {})


def get_vehicle(vehicle_id: str, classes: Mapping[str, VehicleClass] | None = None) -> VehicleClass:
    """The vehicle class ``vehicle_id`` (case-insensitive).

    Raises
    ------
    ValidationError
        For an unknown class, naming the known ones.
    """
    known = load_vehicle_classes() if classes is None else classes
    found = known.get(vehicle_id.strip().lower())
    if found is None:
        msg = f"unknown vehicle class {vehicle_id!r}; known: {', '.join(sorted(known))}"
        raise ValidationError(msg, errors=[FieldError("vehicle", msg)], code="unknown_vehicle")
    return found
