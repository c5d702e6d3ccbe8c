"""ACLED exports (CSV or XLSX from the Data Export Tool or the API's CSV).

Mapping:

* ``event_date`` (``YYYY-MM-DD``, ``14 March 2023`` or ``14-March-2023``) with
  ``time_precision`` 1 → day, 2 → week, 3 → month;
* ``iso`` (ISO 3166-1 numeric) → ISO3, else ``country`` by name; ``region``, ``admin1``,
  ``admin2``, ``location`` → city; ``latitude``/``longitude`` with ``geo_precision``
  1 → city, 2 → admin2, 3 → admin1;
* ``event_type``/``sub_event_type`` must be a valid pair of the ACLED codebook; attack modes by
  the crosswalk (sub-event type plus keywords in ``notes``); target categories by keywords in
  ``notes`` (ACLED has no target field);
* ``fatalities`` → deaths (ACLED reports no wounded, no perpetrator deaths and no success);
  ``Suicide bomb`` → suicide, ``Abduction/forced disappearance`` → hostage.

ACLED is a living dataset (events are edited and deleted): record the export date as the
release. Licence tag: ``acled-terms`` (no raw-data access for others, no competing dataset).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from placeguard.engines.intel.adapters._base import (
    Cells,
    ErrorLog,
    Progress,
    check_header,
    map_rows,
    read_table,
    split_words,
)
from placeguard.engines.intel.countries import CountryResolver
from placeguard.engines.intel.crosswalk import ACLED_EVENT_TYPES, Crosswalk
from placeguard.engines.intel.schema import GeoPrecision, Incident, Licence

__all__ = ["ACLED_COLUMNS", "read_acled"]

#: Column order of a current ACLED export.
ACLED_COLUMNS: tuple[str, ...] = split_words(
    """
    event_id_cnty event_date year time_precision disorder_type event_type sub_event_type
    actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting
    iso region country admin1 admin2 admin3 location latitude longitude geo_precision source
    source_scale notes fatalities tags timestamp
    """
)
_REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "country",
             "latitude", "longitude", "fatalities")  # fmt: skip
TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
GEO_PRECISION = {1: GeoPrecision.CITY, 2: GeoPrecision.ADMIN2, 3: GeoPrecision.ADMIN1}
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")


def _date(c: Cells) -> dt.date | None:
    value = c.raw("event_date")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value[:10] if fmt == "%Y-%m-%d" else value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    c.bad("event_date", f"expected a date such as 2023-03-14 or 14 March 2023, got {value!r}")
    return None


def _country(c: Cells, countries: CountryResolver) -> str | None:
    iso = c.integer("iso", allowed=range(1, 1000))
    if iso is not None:
        found, code = countries.numeric(iso)
        if found:
            return code
    found, code = countries.name(c.raw("country"))
    if not found:
        c.bad("country", f"unknown country {c.raw('country')!r} (and no usable iso code)")
    return code


def _row(
    c: Cells, xwalk: Crosswalk, countries: CountryResolver, release: str | None
) -> Incident | None:
    before = len(c.log.rows)
    event_id = c.raw("event_id_cnty")
    if not event_id:
        c.bad("event_id_cnty", "a value is required")
    date = _date(c)
    event_type, sub = c.raw("event_type"), c.raw("sub_event_type")
    if event_type not in ACLED_EVENT_TYPES:
        c.bad("event_type", f"{event_type!r} is not an ACLED event type")
    elif sub not in ACLED_EVENT_TYPES[event_type]:
        c.bad("sub_event_type", f"{sub!r} is not a sub-event type of {event_type!r}")
    precision = c.integer("time_precision", allowed=TIME_PRECISION) or 1
    geo_code = c.integer("geo_precision", allowed=GEO_PRECISION)
    lat = c.number("latitude", low=-90, high=90)
    lon = c.number("longitude", low=-180, high=180)
    country = _country(c, countries)
    deaths = c.count("fatalities")
    if len(c.log.rows) > before or date is None:
        return None
    geo = GEO_PRECISION.get(geo_code or 0, GeoPrecision.UNKNOWN)
    if lat is None or lon is None:
        lat = lon = None
        geo = GeoPrecision.UNKNOWN
    notes = c.raw("notes")
    return Incident(
        source="acled",
        source_row_id=event_id,
        licence=Licence.ACLED_TERMS.value,
        date=date,
        date_precision=TIME_PRECISION[precision],
        country=country,
        region=c.text("region"),
        admin1=c.text("admin1"),
        admin2=c.text("admin2"),
        city=c.text("location"),
        latitude=lat,
        longitude=lon,
        geo_precision=geo.value,
        attack_modes=xwalk.acled_attack_modes(sub, notes),
        target_categories=xwalk.keyword_targets(notes),
        weapons=(),
        deaths=deaths,
        suicide=True if sub == "Suicide bomb" else None,
        hostage=True if sub == "Abduction/forced disappearance" else None,
        release=release,
    )


def read_acled(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate an ACLED export; raise ``IncidentImportError`` listing every bad row."""
    log = ErrorLog(path.name)
    table = read_table(path, log)
    positions = check_header(log, table.header, _REQUIRED, layout="ACLED export")
    return map_rows(
        table, positions, log, _row, release=release, crosswalk=crosswalk, progress=progress
    )
