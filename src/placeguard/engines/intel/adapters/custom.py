"""National incident logs: any CSV/XLSX, described by a mapping file (YAML or JSON).

A mapping names, for each canonical field, the source column holding it, plus optional value
maps from the log's own vocabulary to PlaceGuard's ids::

    source: national_log          # the dataset id (store partition); [a-z0-9_]+, default custom
    licence: own-data             # a licence tag (own-data is restricted; open is shareable)
    release: "2024-06"            # optional
    delimiter: ";"                # optional (CSV only), default ","
    date_format: "%d/%m/%Y"       # optional strptime format, default YYYY-MM-DD
    separator: "|"                # splits multi-valued cells, default ";"
    columns:                      # canonical field -> source column (source_row_id, date required)
      source_row_id: Ref
      date: Date
      city: Town
      attack_modes: Method
      target_categories: Target
      deaths: Killed
    constants:                    # fixed values for fields without a column
      country: FRA
    values:                       # per field: source value -> canonical value (or a list)
      attack_modes: {Shooting: firearms, "Car bomb": vbied}
      target_categories: {Church: place_of_worship}

Every problem in the mapping is reported with file, path and reason (``ContentError``); every
bad row with row, column and reason (``IncidentImportError``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from placeguard.core.packs import Problems, read_yaml
from placeguard.engines.intel.adapters._base import (
    Cells,
    ErrorLog,
    Progress,
    Ticker,
    check_header,
    read_table,
)
from placeguard.engines.intel.countries import CountryResolver, load_countries
from placeguard.engines.intel.schema import (
    ATTACK_MODES,
    TARGET_CATEGORIES,
    DatePrecision,
    GeoPrecision,
    Incident,
    Licence,
    Weapon,
)

__all__ = ["CustomMapping", "load_mapping", "parse_mapping", "read_custom"]

FIELDS = ("source_row_id", "date", "date_precision", "country", "region", "admin1", "admin2",
          "city", "latitude", "longitude", "geo_precision", "attack_modes", "target_categories",
          "weapons", "deaths", "wounded", "perpetrator_deaths", "success", "hostage",
          "suicide")  # fmt: skip
_LISTS = {
    "attack_modes": ATTACK_MODES,
    "target_categories": TARGET_CATEGORIES,
    "weapons": frozenset(w.value for w in Weapon),
}
_ENUMS = {
    "date_precision": frozenset(p.value for p in DatePrecision),
    "geo_precision": frozenset(p.value for p in GeoPrecision),
}
_BOOLS = ("success", "hostage", "suicide")
_COUNTS = ("deaths", "wounded", "perpetrator_deaths")
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}
_KEYS = ("source", "licence", "release", "delimiter", "date_format", "separator", "columns",
         "constants", "values")  # fmt: skip
_SOURCE_ID = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True, slots=True)
class CustomMapping:
    """A validated mapping file."""

    source: str = "custom"
    licence: str = Licence.OWN_DATA.value
    release: str | None = None
    delimiter: str = ","
    date_format: str | None = None
    separator: str = ";"
    columns: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)


def parse_mapping(doc: object, source: str = "mapping") -> CustomMapping:  # noqa: PLR0912 - one validation pass
    """Validate a parsed mapping document; raise ``ContentError`` listing every problem."""
    p = Problems(source)
    d = p.mapping(doc, "")
    p.keys(d, _KEYS, "")
    name = str(d.get("source", "custom"))
    if not _SOURCE_ID.match(name) or name in {"gtd", "acled", "rdwti", "ucdp", "gdelt1", "gdelt2"}:
        p.add("source", "expected a new dataset id of a-z, 0-9 and _ (not a built-in source)")
    licence = str(d.get("licence", Licence.OWN_DATA.value))
    if licence not in {item.value for item in Licence}:
        p.add("licence", f"unknown licence tag {licence!r}")
    columns: dict[str, str] = {}
    for key, column in p.mapping(d.get("columns", {}), "columns").items():
        if key not in FIELDS:
            p.add(f"columns.{key}", "not a canonical incident field")
        elif not isinstance(column, str) or not column.strip():
            p.add(f"columns.{key}", "expected a column name")
        else:
            columns[key] = column.strip()
    constants: dict[str, str] = {}
    for key, value in p.mapping(d.get("constants", {}), "constants").items():
        if key not in FIELDS or key in {"source_row_id", "date"}:
            p.add(f"constants.{key}", "not a field that can be a constant")
        elif key in columns:
            p.add(f"constants.{key}", "this field already has a column")
        else:
            constants[key] = str(value)
    for required in ("source_row_id", "date"):
        if required not in columns:
            p.add("columns", f"the {required} field needs a column")
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, table in p.mapping(d.get("values", {}), "values").items():
        if key not in FIELDS:
            p.add(f"values.{key}", "not a canonical incident field")
            continue
        out: dict[str, tuple[str, ...]] = {}
        for raw, mapped in p.mapping(table, f"values.{key}").items():
            items = mapped if isinstance(mapped, list) else [mapped]
            texts = tuple(
                ("true" if m else "false") if isinstance(m, bool) else str(m) for m in items
            )
            allowed = _LISTS.get(key) or _ENUMS.get(key)
            for text in texts:
                if allowed is not None and text not in allowed:
                    p.add(f"values.{key}.{raw}", f"{text!r} is not a valid {key} value")
            if key not in _LISTS and len(texts) != 1:
                p.add(f"values.{key}.{raw}", "this field takes one value")
            out[str(raw).strip().casefold()] = texts
        values[key] = out
    delimiter = str(d.get("delimiter", ","))
    if len(delimiter) != 1:
        p.add("delimiter", "expected one character")
    date_format = d.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        p.add("date_format", "expected a strptime format such as %d/%m/%Y")
    p.raise_if_any()
    return CustomMapping(
        source=name,
        licence=licence,
        release=str(d["release"]) if d.get("release") is not None else None,
        delimiter=delimiter,
        date_format=date_format,
        separator=str(d.get("separator", ";")) or ";",
        columns=columns,
        constants=constants,
        values=values,
    )


def load_mapping(path: Path) -> CustomMapping:
    """Read (YAML or JSON) and validate a mapping file."""
    return parse_mapping(read_yaml(path), path.name)


class _Row:
    """A row seen through the mapping: column or constant, then the value map."""

    def __init__(self, cells: Cells, mapping: CustomMapping) -> None:
        self.c = cells
        self.m = mapping

    def column(self, name: str) -> str:
        return self.m.columns.get(name, name)

    def raw(self, name: str) -> str:
        if name in self.m.columns:
            return self.c.raw(self.m.columns[name])
        return self.m.constants.get(name, "")

    def values(self, name: str) -> tuple[str, ...]:
        raw = self.raw(name)
        parts = [p.strip() for p in raw.split(self.m.separator)] if name in _LISTS else [raw]
        table = self.m.values.get(name)
        out: list[str] = []
        for part in parts:
            if not part:
                continue
            if table is not None:
                mapped = table.get(part.casefold())
                if mapped is None:
                    self.c.bad(self.column(name), f"{part!r} has no entry in the value map")
                    continue
                out.extend(mapped)
            else:
                out.append(part)
        return tuple(out)

    def one(self, name: str) -> str:
        vals = self.values(name)
        return vals[0] if vals else ""


def _row(r: _Row, countries: CountryResolver) -> Incident | None:  # noqa: PLR0912, PLR0915 - one pass per row
    c, m = r.c, r.m
    before = len(c.log.rows)
    row_id = r.raw("source_row_id")
    if not row_id:
        c.bad(r.column("source_row_id"), "a value is required")
    raw_date = r.raw("date")
    date: dt.date | None = None
    try:
        date = (
            dt.datetime.strptime(raw_date, m.date_format).date()  # noqa: DTZ007 - a calendar date
            if m.date_format
            else dt.date.fromisoformat(raw_date[:10])
        )
    except ValueError:
        c.bad(r.column("date"), f"expected a date as {m.date_format or 'YYYY-MM-DD'}, got "
              f"{raw_date!r}")  # fmt: skip
    lists: dict[str, tuple[str, ...]] = {}
    for name, allowed in _LISTS.items():
        vals = r.values(name)
        for v in vals:
            if v not in allowed:
                c.bad(r.column(name), f"{v!r} is not a valid {name} value")
        lists[name] = tuple(dict.fromkeys(v for v in vals if v in allowed))
    enums: dict[str, str] = {}
    for name, allowed in _ENUMS.items():
        value = r.one(name)
        if value and value not in allowed:
            c.bad(r.column(name), f"{value!r} is not a valid {name} value")
        enums[name] = value
    flags: dict[str, bool | None] = {}
    for name in _BOOLS:
        value = r.one(name).casefold()
        flags[name] = True if value in _TRUE else False if value in _FALSE else None
        if value and flags[name] is None:
            c.bad(r.column(name), f"expected yes/no (or map it in values), got {value!r}")
    counts: dict[str, int | None] = {}
    for name in _COUNTS:
        value = r.one(name)
        counts[name] = None
        if value:
            if value.isdigit():
                counts[name] = int(value)
            else:
                c.bad(r.column(name), f"expected a count ≥ 0, got {value!r}")
    coords: dict[str, float | None] = {}
    for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = r.one(name)
        coords[name] = None
        if value:
            try:
                number = float(value)
            except ValueError:
                number = float("nan")
            if not -limit <= number <= limit:
                c.bad(r.column(name), f"expected a number from {-limit:g} to {limit:g}")
            else:
                coords[name] = number
    country_text = r.one("country")
    country: str | None = None
    if country_text:
        found, country = (
            (True, country_text) if country_text in countries.iso3 else countries.name(country_text)
        )
        if not found:
            c.bad(r.column("country"), f"unknown country {country_text!r}")
    if len(c.log.rows) > before or date is None:
        return None
    lat, lon = coords["latitude"], coords["longitude"]
    geo = enums["geo_precision"] or ("exact" if lat is not None else "unknown")
    if lat is None or lon is None:
        lat = lon = None
        geo = GeoPrecision.UNKNOWN.value
    return Incident(
        source=m.source,
        source_row_id=row_id,
        licence=m.licence,
        date=date,
        date_precision=enums["date_precision"] or DatePrecision.DAY.value,
        country=country,
        region=r.one("region") or None,
        admin1=r.one("admin1") or None,
        admin2=r.one("admin2") or None,
        city=r.one("city") or None,
        latitude=lat,
        longitude=lon,
        geo_precision=geo,
        attack_modes=lists["attack_modes"],
        target_categories=lists["target_categories"] or ("unknown",),
        weapons=lists["weapons"],
        deaths=counts["deaths"],
        wounded=counts["wounded"],
        perpetrator_deaths=counts["perpetrator_deaths"],
        success=flags["success"],
        hostage=flags["hostage"],
        suicide=flags["suicide"],
        release=m.release,
    )


def read_custom(
    path: Path,
    mapping: CustomMapping,
    *,
    release: str | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate a national log through ``mapping``; all-or-nothing."""
    if release is not None:
        mapping = replace(mapping, release=release)
    log = ErrorLog(path.name)
    table = read_table(path, log, delimiter=mapping.delimiter)
    positions = check_header(log, table.header, tuple(mapping.columns.values()),
                             layout="file matching this mapping")  # fmt: skip
    countries = load_countries()
    tick = Ticker(progress)
    out: list[Incident] = []
    for number, cells in table.rows:
        incident = _row(_Row(Cells(log, number, cells, positions), mapping), countries)
        if incident is not None:
            out.append(incident)
        tick()
    tick.flush()
    log.raise_if_any()
    return out
