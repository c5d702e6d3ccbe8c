"""One validator for site input, shared by forms, the API and file imports.

Input arrives as a mapping of plain values (strings from CSV, numbers from JSON); references
use stable identifiers: region ``code``, organisation ``slug``, tag names. Validation collects
*every* problem before raising, so a form or an import report can show them all at once.
"""

from __future__ import annotations

import json
import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from placeguard.core.errors import FieldError, ValidationError
from placeguard.core.timeprofile import TimeProfile
from placeguard.web.orgs.choices import OrgKind
from placeguard.web.orgs.models import Organisation, Region
from placeguard.web.sites.choices import SiteType

__all__ = ["FIELDS", "Lookups", "SiteInput", "parse_site"]

#: Input fields in their canonical order (also the CSV columns).
FIELDS: tuple[str, ...] = (
    "name",
    "site_type",
    "address",
    "region",
    "latitude",
    "longitude",
    "capacity",
    "time_zone",
    "operator",
    "responsible_le",
    "tags",
    "time_profile",
    "notes",
)
REQUIRED = frozenset(
    {"name", "site_type", "region", "latitude", "longitude", "capacity", "operator"}
)
_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_CAPACITY = 2_000_000
T = TypeVar("T")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@dataclass
class Lookups:
    """Regions and organisations by identifier, loaded once per request or import."""

    regions: dict[str, Region] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        """Load every region and active organisation (a few thousand rows at most)."""
        return cls(
            regions={r.code: r for r in Region.objects.all()},
            orgs={o.slug: o for o in Organisation.objects.filter(active=True)},
        )


@dataclass(frozen=True)
class SiteInput:
    """Validated site fields, with references resolved to model instances."""

    name: str
    site_type: str
    address: str
    region: Region
    latitude: float
    longitude: float
    capacity: int
    time_zone: str
    operator: Organisation
    responsible_le: tuple[Organisation, ...] | None  # None: assign by jurisdiction
    tags: tuple[str, ...]
    time_profile: dict[str, Any]
    notes: str


def _split(value: Any) -> list[str]:
    """A list from a JSON list or a ``;``/``,``-separated string."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[;,]", str(value)) if v.strip()]


def _number(
    raw: Mapping[str, Any], name: str, errors: list[FieldError], *, integer: bool = False
) -> float | None:
    """A required finite number (whole when ``integer``), or None after recording the problem."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(FieldError(name, "this field is required", "required"))
        return None
    if isinstance(value, bool):
        errors.append(FieldError(name, "expected a number"))
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(FieldError(name, f"expected a number, got {value!r}"))
        return None
    if not math.isfinite(number):
        errors.append(FieldError(name, "expected a finite number"))
        return None
    if integer and not number.is_integer():
        errors.append(FieldError(name, "expected a whole number"))
        return None
    return number


def _bounded(
    raw: Mapping[str, Any],
    name: str,
    low: float,
    high: float,
    errors: list[FieldError],
    *,
    integer: bool = False,
) -> float | None:
    number = _number(raw, name, errors, integer=integer)
    if number is not None and not low <= number <= high:
        errors.append(FieldError(name, f"must be between {low:,g} and {high:,g}"))
        return None
    return number


def _text(raw: Mapping[str, Any], name: str, limit: int, errors: list[FieldError]) -> str:
    value = raw.get(name)
    value = "" if value is None else str(value).strip()
    if name in REQUIRED and not value:
        errors.append(FieldError(name, "this field is required", "required"))
    elif len(value) > limit:
        errors.append(FieldError(name, f"at most {limit} characters"))
    return value


def _choice(
    raw: Mapping[str, Any], name: str, allowed: Iterable[str], errors: list[FieldError]
) -> str:
    value = _text(raw, name, 64, errors)
    options = list(allowed)
    if value and value not in options:
        errors.append(FieldError(name, f"unknown value {value!r}; use one of {', '.join(options)}"))
    return value


def _lookup(
    raw: Mapping[str, Any], name: str, table: Mapping[str, T], errors: list[FieldError]
) -> T | None:
    key = _text(raw, name, 64, errors)
    found = table.get(key)
    if key and found is None:
        errors.append(FieldError(name, f"unknown {name} {key!r}"))
    return found


def _responsible(
    raw: Mapping[str, Any], lookups: Lookups, errors: list[FieldError]
) -> tuple[Organisation, ...] | None:
    if raw.get("responsible_le") in (None, ""):
        return None  # the service assigns the forces whose jurisdiction covers the region
    found: list[Organisation] = []
    for slug in _split(raw.get("responsible_le")):
        org = lookups.orgs.get(slug)
        if org is None:
            errors.append(FieldError("responsible_le", f"unknown organisation {slug!r}"))
        elif org.kind != OrgKind.LAW_ENFORCEMENT:
            errors.append(
                FieldError("responsible_le", f"{slug!r} is not a law-enforcement organisation")
            )
        else:
            found.append(org)
    return tuple(dict.fromkeys(found))


def _tags(raw: Mapping[str, Any], errors: list[FieldError]) -> tuple[str, ...]:
    tags = tuple(dict.fromkeys(t.lower() for t in _split(raw.get("tags"))))
    bad = [t for t in tags if not _TAG.match(t)]
    if bad:
        errors.append(FieldError("tags", f"tags use a-z, 0-9, '-' and '_': {', '.join(bad)}"))
    return tags


def parse_site(raw: Mapping[str, Any], lookups: Lookups) -> SiteInput:
    """Validate ``raw`` and resolve its references; raise ``ValidationError`` with every problem."""
    errors: list[FieldError] = [
        FieldError(k, "unknown field") for k in sorted(set(raw) - set(FIELDS))
    ]
    name = _text(raw, "name", 200, errors)
    address = _text(raw, "address", 300, errors)
    notes = _text(raw, "notes", 5000, errors)
    site_type = _choice(raw, "site_type", SiteType.values, errors)
    region = _lookup(raw, "region", lookups.regions, errors)
    latitude = _bounded(raw, "latitude", -90, 90, errors)
    longitude = _bounded(raw, "longitude", -180, 180, errors)
    capacity = _bounded(raw, "capacity", 0, MAX_CAPACITY, errors, integer=True)
    time_zone = _text(raw, "time_zone", 64, errors) or "UTC"
    if time_zone not in _time_zones():
        errors.append(
            FieldError("time_zone", f"unknown time zone {time_zone!r} (use an IANA name)")
        )
    operator = _lookup(raw, "operator", lookups.orgs, errors)
    responsible = _responsible(raw, lookups, errors)
    tags = _tags(raw, errors)
    profile = _time_profile(raw.get("time_profile"), errors)
    if errors:
        msg = "Invalid site."
        raise ValidationError(msg, errors=errors)
    # No errors means every required value was parsed.
    assert region is not None
    assert operator is not None
    assert latitude is not None
    assert longitude is not None
    assert capacity is not None
    return SiteInput(
        name=name,
        site_type=site_type,
        address=address,
        region=region,
        latitude=latitude,
        longitude=longitude,
        capacity=int(capacity),
        time_zone=time_zone,
        operator=operator,
        responsible_le=responsible,
        tags=tags,
        time_profile=profile,
        notes=notes,
    )


def _time_profile(value: Any, errors: list[FieldError]) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            errors.append(FieldError("time_profile", f"not valid JSON: {exc.msg}"))
            return {}
    try:
        return TimeProfile.from_json(value).as_json()
    except ValidationError as exc:
        errors.extend(exc.errors)
        return {}


def as_raw(site: Any, *, tags: Iterable[str] | None = None) -> dict[str, Any]:
    """The input mapping that reproduces ``site`` (for partial updates and exports)."""
    return {
        "name": site.name,
        "site_type": site.site_type,
        "address": site.address,
        "region": site.region.code,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "capacity": site.capacity,
        "time_zone": site.time_zone,
        "operator": site.operator.slug,
        "responsible_le": [o.slug for o in site.responsible_le.all()],
        "tags": list(tags) if tags is not None else [t.name for t in site.tags.all()],
        "time_profile": site.time_profile,
        "notes": site.notes,
    }
