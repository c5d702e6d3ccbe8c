"""The canonical incident schema: one typed row (:class:`Incident`) and its Arrow schema.

Every adapter maps its dataset onto this shape. Conventions:

* ``date`` is the first day the event is known to cover; ``date_precision`` says how much of it
  is real (``month``: the day was unknown, ``year``: month and day were unknown).
* ``country`` is an ISO 3166-1 alpha-3 code (ISO 3166-3 codes for dissolved states such as
  ``SUN``, ``YUG``, ``CSK``, ``DDR``, ``YMD``, ``SCG``; ``XKX`` for Kosovo), or ``None``.
* ``attack_modes`` are scenario ids of the shared vocabulary (``core.vocab.Scenario``),
  ``target_categories`` the incident target categories of DESIGN.md, ``weapons`` the ids of
  :class:`Weapon`. An empty tuple means the source gives nothing to map.
* Casualty counts are ``None`` when unknown — never silently zero.
* ``licence`` is a :class:`Licence` tag; restricted licences forbid re-export of rows.
* ``urban`` is the urban flag set at import by :mod:`placeguard.engines.intel.urban` (``None``
  when not classified or without coordinates); ``urban_method`` records how it was decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from placeguard.core.vocab import Scenario

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ATTACK_MODES",
    "TARGET_CATEGORIES",
    "DatePrecision",
    "GeoPrecision",
    "Incident",
    "Licence",
    "TargetCategory",
    "Weapon",
    "arrow_schema",
    "incidents_to_arrow",
    "is_restricted",
    "table_to_incidents",
]


class DatePrecision(StrEnum):
    """How precisely the event date is known."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class GeoPrecision(StrEnum):
    """What the coordinates stand for, from most to least precise."""

    EXACT = "exact"  # the event location itself
    CITY = "city"  # the named town/city (or within ~25 km of it)
    ADMIN2 = "admin2"  # centroid of a second-order administrative area
    ADMIN1 = "admin1"  # centroid of a first-order administrative area (province, state)
    COUNTRY = "country"  # country centroid
    UNKNOWN = "unknown"  # no usable coordinates


class TargetCategory(StrEnum):
    """Incident target categories: the nine site types plus four analysis-only categories."""

    PLACE_OF_WORSHIP = "place_of_worship"
    PUBLIC_SPACE = "public_space"
    RETAIL = "retail"
    HOSPITALITY = "hospitality"
    TOURIST_SITE = "tourist_site"
    VENUE = "venue"
    TRANSPORT_HUB = "transport_hub"
    EDUCATION = "education"
    HEALTH = "health"
    TRANSPORT_VEHICLE = "transport_vehicle"
    HARD_TARGET = "hard_target"
    OTHER = "other"
    UNKNOWN = "unknown"


class Weapon(StrEnum):
    """Weapon families (GTD ``weaptype`` granularity, dataset-neutral ids)."""

    BIOLOGICAL = "biological"
    CHEMICAL = "chemical"
    RADIOLOGICAL = "radiological"
    NUCLEAR = "nuclear"
    FIREARMS = "firearms"
    EXPLOSIVES = "explosives"
    FAKE = "fake"
    INCENDIARY = "incendiary"
    MELEE = "melee"
    VEHICLE = "vehicle"
    SABOTAGE = "sabotage"
    OTHER = "other"
    UNKNOWN = "unknown"


class Licence(StrEnum):
    """Licence tags carried by every row (what may be done with the raw rows)."""

    GTD_EUA = "gtd-eua"  # START End User Agreement: no redistribution of rows or codebook
    ACLED_TERMS = "acled-terms"  # ACLED terms of use: no raw-data access for others
    RDWTI_UA = "rdwti-ua"  # RAND user agreement: no reselling or redistribution
    CC_BY_4_0 = "cc-by-4.0"  # UCDP GED: redistributable with attribution
    GDELT_OPEN = "gdelt-open"  # GDELT: free and open, attribution required
    OWN_DATA = "own-data"  # the user's own log: treated as restricted unless re-tagged
    OPEN = "open"  # a user log explicitly declared shareable


#: Licences whose raw rows may never be re-exported or shared.
_RESTRICTED = frozenset({Licence.GTD_EUA, Licence.ACLED_TERMS, Licence.RDWTI_UA, Licence.OWN_DATA})

ATTACK_MODES = frozenset(s.value for s in Scenario)
TARGET_CATEGORIES = frozenset(c.value for c in TargetCategory)


def is_restricted(licence: str) -> bool:
    """True when rows under ``licence`` must never leave the installation as rows."""
    try:
        return Licence(licence) in _RESTRICTED
    except ValueError:
        return True  # unknown tags are treated as restricted


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident in the canonical schema (see the module docstring for conventions)."""

    source: str
    source_row_id: str
    licence: str
    date: dt.date
    date_precision: str
    country: str | None
    region: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str = GeoPrecision.UNKNOWN.value
    attack_modes: tuple[str, ...] = ()
    target_categories: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    deaths: int | None = None
    wounded: int | None = None
    perpetrator_deaths: int | None = None
    success: bool | None = None
    hostage: bool | None = None
    suicide: bool | None = None
    release: str | None = None
    urban: bool | None = None
    urban_method: str | None = None

    @property
    def year(self) -> int:
        """Calendar year of ``date`` (the store's partition key)."""
        return self.date.year


_LIST_FIELDS = frozenset({"attack_modes", "target_categories", "weapons"})
_FIELD_NAMES = tuple(f.name for f in fields(Incident))


def arrow_schema() -> pa.Schema:
    """The Arrow schema of a canonical incident table (``year`` added as the partition key)."""
    import pyarrow as pa

    text = pa.string()
    count = pa.int32()
    return pa.schema(
        [
            pa.field("source", text, nullable=False),
            pa.field("source_row_id", text, nullable=False),
            pa.field("licence", text, nullable=False),
            pa.field("date", pa.date32(), nullable=False),
            pa.field("date_precision", text, nullable=False),
            pa.field("country", text),
            pa.field("region", text),
            pa.field("admin1", text),
            pa.field("admin2", text),
            pa.field("city", text),
            pa.field("latitude", pa.float64()),
            pa.field("longitude", pa.float64()),
            pa.field("geo_precision", text, nullable=False),
            pa.field("attack_modes", pa.list_(text), nullable=False),
            pa.field("target_categories", pa.list_(text), nullable=False),
            pa.field("weapons", pa.list_(text), nullable=False),
            pa.field("deaths", count),
            pa.field("wounded", count),
            pa.field("perpetrator_deaths", count),
            pa.field("success", pa.bool_()),
            pa.field("hostage", pa.bool_()),
            pa.field("suicide", pa.bool_()),
            pa.field("release", text),
            pa.field("urban", pa.bool_()),
            pa.field("urban_method", text),
            pa.field("year", pa.int16(), nullable=False),
        ],
        metadata={"placeguard.schema": "incident/1"},
    )


def incidents_to_arrow(rows: Iterable[Incident] | Sequence[Incident]) -> pa.Table:
    """Columnar Arrow table of ``rows`` in :func:`arrow_schema`."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {name: [] for name in (*_FIELD_NAMES, "year")}
    for row in rows:
        for name in _FIELD_NAMES:
            value = getattr(row, name)
            columns[name].append(list(value) if name in _LIST_FIELDS else value)
        columns["year"].append(row.date.year)
    schema = arrow_schema()
    return pa.Table.from_arrays([pa.array(columns[f.name], f.type) for f in schema], schema=schema)


def table_to_incidents(table: pa.Table) -> list[Incident]:
    """The rows of a canonical Arrow table as :class:`Incident` objects (``year`` dropped)."""
    out: list[Incident] = []
    for record in table.select(list(_FIELD_NAMES)).to_pylist():
        for name in _LIST_FIELDS:
            record[name] = tuple(record[name])
        out.append(Incident(**record))
    return out
