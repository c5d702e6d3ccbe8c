"""One validator for site input, shared by forms, the API and file imports.

Input arrives as a mapping of plain values (strings from CSV, numbers from JSON); references
use stable identifiers: region ``code``, organisation ``slug``, tag names. Validation collects
*every* problem before raising, so a form or an import report can show them all at once.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

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
REQUIRED = frozenset({"name", "site_type", "region", "latitude", "longitude", "capacity", "operator"})
_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_CAPACITY = 2_000_000


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


def _number(value: Any, name: str, errors: list[FieldError], *, integer: bool) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors.append(FieldError(name, "expected a number"))
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(FieldError(name, f"expected a number, got {value!r}"))
        return None
    if number != number or number in {float("inf"), float("-inf")}:  # NaN or infinite
        errors.append(FieldError(name, "expected a finite number"))
        return None
    if integer and not number.is_integer():
        errors.append(FieldError(name, "expected a whole number"))
        return None
    return number


def parse_site(raw: Mapping[str, Any], lookups: Lookups) -> SiteInput:
    """Validate ``raw`` and resolve its references; raise ``ValidationError`` with every problem."""
    errors: list[FieldError] = []
    unknown = sorted(set(raw) - set(FIELDS))
    errors.extend(FieldError(k, "unknown field") for k in unknown)

    def text(name: str, limit: int) -> str:
        value = raw.get(name)
        value = "" if value is None else str(value).strip()
        if name in REQUIRED and not value:
            errors.append(FieldError(name, "this field is required", "required"))
        elif len(value) > limit:
            errors.append(FieldError(name, f"at most {limit} characters"))
        return value

    name = text("name", 200)
    address = text("address", 300)
    notes = text("notes", 5000)

    site_type = text("site_type", 32)
    if site_type and site_type not in SiteType.values:
        errors.append(FieldError("site_type", f"unknown type {site_type!r}; use one of {', '.join(SiteType.values)}"))

    region_code = text("region", 32)
    region = lookups.regions.get(region_code)
    if region_code and region is None:
        errors.append(FieldError("region", f"unknown region {region_code!r}"))

    lat = _number(raw.get("latitude"), "latitude", errors, integer=False)
    lon = _number(raw.get("longitude"), "longitude", errors, integer=False)
    if lat is None and not any(e.field == "latitude" for e in errors):
        errors.append(FieldError("latitude", "this field is required", "required"))
    if lon is None and not any(e.field == "longitude" for e in errors):
        errors.append(FieldError("longitude", "this field is required", "required"))
    if lat is not None and not -90 <= lat <= 90:
        errors.append(FieldError("latitude", "must be between -90 and 90"))
    if lon is not None and not -180 <= lon <= 180:
        errors.append(FieldError("longitude", "must be between -180 and 180"))

    capacity = _number(raw.get("capacity"), "capacity", errors, integer=True)
    if capacity is None and not any(e.field == "capacity" for e in errors):
        errors.append(FieldError("capacity", "this field is required", "required"))
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        errors.append(FieldError("capacity", f"must be between 0 and {MAX_CAPACITY:,}"))

    time_zone = text("time_zone", 64) or "UTC"
    if time_zone not in _time_zones():
        errors.append(FieldError("time_zone", f"unknown time zone {time_zone!r} (use an IANA name)"))

    operator_slug = text("operator", 64)
    operator = lookups.orgs.get(operator_slug)
    if operator_slug and operator is None:
        errors.append(FieldError("operator", f"unknown or inactive organisation {operator_slug!r}"))

    responsible: tuple[Organisation, ...] | None = None
    if raw.get("responsible_le") not in (None, ""):
        found: list[Organisation] = []
        for slug in _split(raw.get("responsible_le")):
            org = lookups.orgs.get(slug)
            if org is None:
                errors.append(FieldError("responsible_le", f"unknown organisation {slug!r}"))
            elif org.kind != OrgKind.LAW_ENFORCEMENT:
                errors.append(FieldError("responsible_le", f"{slug!r} is not a law-enforcement organisation"))
            else:
                found.append(org)
        responsible = tuple(dict.fromkeys(found))

    tags = tuple(dict.fromkeys(t.lower() for t in _split(raw.get("tags"))))
    bad_tags = [t for t in tags if not _TAG.match(t)]
    if bad_tags:
        errors.append(FieldError("tags", f"tags use a-z, 0-9, '-' and '_': {', '.join(bad_tags)}"))

    profile = _time_profile(raw.get("time_profile"), errors)

    if errors:
        raise ValidationError("Invalid site.", errors=errors)
    assert region is not None and operator is not None  # guaranteed by the checks above
    assert lat is not None and lon is not None and capacity is not None
    return SiteInput(
        name=name,
        site_type=site_type,
        address=address,
        region=region,
        latitude=lat,
        longitude=lon,
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
