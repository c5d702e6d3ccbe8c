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

Read column-wise (:mod:`._columnar`): codes and numbers as whole-column masks, dates, countries
and the keyword rules once per distinct value; every bad cell is still reported with its file
row and nothing is returned unless every row is valid.

ACLED is a living dataset (events are edited and deleted): record the export date as the
release. Licence tag: ``acled-terms`` (no raw-data access for others, no competing dataset).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from placeguard.engines.intel.adapters._base import ErrorLog, Progress, split_words
from placeguard.engines.intel.adapters._columnar import (
    Frame,
    constant,
    labels,
    read_frame,
    unique_map,
)
from placeguard.engines.intel.countries import CountryResolver, load_countries
from placeguard.engines.intel.crosswalk import ACLED_EVENT_TYPES, Crosswalk, load_crosswalk
from placeguard.engines.intel.schema import (
    GeoPrecision,
    Incident,
    Licence,
    arrow_schema,
    table_to_incidents,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ACLED_COLUMNS", "read_acled", "read_acled_table"]

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
_OPTIONAL = ("time_precision", "iso", "region", "admin1", "admin2", "location", "geo_precision",
             "notes")  # fmt: skip
TIME_PRECISION = {1: "day", 2: "week", 3: "month"}
GEO_PRECISION = {1: GeoPrecision.CITY, 2: GeoPrecision.ADMIN2, 3: GeoPrecision.ADMIN1}
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")
_DATE_LABELS = ("day", "week", "month")
_GEO_LABELS = tuple(g.value for g in GeoPrecision)
_EPOCH = dt.date(1970, 1, 1)


def _parse_date(value: str) -> tuple[int | None, str | None]:
    """Days since 1970 of an ACLED date, or the problem."""
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value[:10] if fmt == "%Y-%m-%d" else value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        return (day - _EPOCH).days, None
    return None, f"expected a date such as 2023-03-14 or 14 March 2023, got {value!r}"


def _event_types(f: Frame) -> None:
    """``event_type`` must be ACLED's, ``sub_event_type`` one of its sub-event types."""
    import pyarrow.compute as pc

    pairs = pc.binary_join_element_wise(f.raw("event_type"), f.raw("sub_event_type"), "\x1f")
    checked, index = unique_map(pairs, lambda text: _pair_problem(*str(text).split("\x1f", 1)))
    for column in ("event_type", "sub_event_type"):
        failing = [k for k, (col, _m) in enumerate(checked) if col == column]
        if failing:
            mask = np.isin(index, np.array(failing))
            f.bad(mask, column, lambda i: str(checked[index[i]][1]))


def _pair_problem(event_type: str, sub: str) -> tuple[str | None, str | None]:
    if event_type not in ACLED_EVENT_TYPES:
        return "event_type", f"{event_type!r} is not an ACLED event type"
    if sub not in ACLED_EVENT_TYPES[event_type]:
        return "sub_event_type", f"{sub!r} is not a sub-event type of {event_type!r}"
    return None, None


def _countries(f: Frame, countries: CountryResolver) -> pa.Array:
    """ISO3 per row: from the numeric ``iso`` code when it resolves, else from the name."""
    import pyarrow as pa
    import pyarrow.compute as pc

    iso = f.integer("iso", allowed=range(1, 1000))
    codes_u, code_index = np.unique(np.where(iso.known, iso.values, 0), return_inverse=True)
    numeric = [countries.numeric(int(c)) if c else (False, None) for c in codes_u]
    from_code = np.array([found for found, _ in numeric], dtype=bool)[code_index]
    names, name_index = unique_map(f.raw("country"), countries.name)
    if len(names):
        unresolved = np.array([not found for found, _ in names], dtype=bool)[name_index]
        f.bad(
            unresolved & ~from_code,
            "country",
            lambda i: f"unknown country {f.value('country', i)!r} (and no usable iso code)",
        )
    by_code = pa.array([code for _, code in numeric], pa.string()).take(
        pa.array(code_index.astype(np.int64))
    )
    by_name = (
        pa.array([code for _, code in names], pa.string()).take(pa.array(name_index))
        if len(names)
        else pa.nulls(0, pa.string())
    )
    return pc.if_else(pa.array(from_code, pa.bool_()), by_code, by_name)


def read_acled_table(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """Read and validate an ACLED export into a canonical Arrow table; raise
    ``IncidentImportError`` listing every bad row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    log = ErrorLog(path.name)
    f = read_frame(path, log, required=_REQUIRED, optional=_OPTIONAL, layout="ACLED export")
    xwalk = crosswalk or load_crosswalk()
    # the checks run in the row-by-row adapter's column order: a row's problems keep that order
    f.bad(pc.equal(f.raw("event_id_cnty"), "").to_numpy(zero_copy_only=False),
          "event_id_cnty", "a value is required")  # fmt: skip
    days, day_index = f.by_unique("event_date", _parse_date)
    _event_types(f)
    precision = f.integer("time_precision", allowed=TIME_PRECISION)
    geo_code = f.integer("geo_precision", allowed=GEO_PRECISION)
    lat, lat_known = f.number("latitude", low=-90, high=90)
    lon, lon_known = f.number("longitude", low=-180, high=180)
    country = _countries(f, load_countries())
    deaths = f.count("fatalities")
    f.raise_if_any()

    day_u = np.array([d if d is not None else 0 for d in days], dtype=np.int64)
    dates = day_u[day_index].astype("datetime64[D]") if len(days) else np.zeros(0, "datetime64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    precision_index = np.zeros(f.n, dtype=np.int64)
    for code, label in TIME_PRECISION.items():
        precision_index[precision.filled(1) == code] = _DATE_LABELS.index(label)
    located = lat_known & lon_known
    geo_index = np.full(f.n, _GEO_LABELS.index(GeoPrecision.UNKNOWN.value), dtype=np.int64)
    for code, geo in GEO_PRECISION.items():
        geo_index[located & geo_code.known & (geo_code.values == code)] = _GEO_LABELS.index(
            geo.value
        )
    sub = f.raw("sub_event_type")
    notes = f.raw("notes")
    pairs = pc.binary_join_element_wise(sub, notes, "\x1f")
    modes, mode_index = unique_map(
        pairs, lambda text: xwalk.acled_attack_modes(*str(text).split("\x1f", 1))
    )
    targets, target_index = unique_map(notes, lambda text: xwalk.keyword_targets(str(text)))
    suicide = pc.equal(sub, "Suicide bomb")
    hostage = pc.equal(sub, "Abduction/forced disappearance")
    yes, null = pa.scalar(True, pa.bool_()), pa.scalar(None, pa.bool_())
    columns = {
        "source": constant("acled", f.n),
        "source_row_id": f.raw("event_id_cnty"),
        "licence": constant(Licence.ACLED_TERMS.value, f.n),
        "date": pa.array(dates, pa.date32()),
        "date_precision": labels(_DATE_LABELS, precision_index),
        "country": country,
        "region": f.text("region"),
        "admin1": f.text("admin1"),
        "admin2": f.text("admin2"),
        "city": f.text("location"),
        "latitude": pa.array(lat, pa.float64(), mask=~located),
        "longitude": pa.array(lon, pa.float64(), mask=~located),
        "geo_precision": labels(_GEO_LABELS, geo_index),
        "attack_modes": pa.array([list(m) for m in modes], pa.list_(pa.string())).take(
            pa.array(mode_index)
        ),
        "target_categories": pa.array([list(t) for t in targets], pa.list_(pa.string())).take(
            pa.array(target_index)
        ),
        "weapons": pa.array([[]], pa.list_(pa.string())).take(
            pa.array(np.zeros(f.n, dtype=np.int64))
        ),
        "deaths": deaths.to_arrow(),
        "wounded": pa.nulls(f.n, pa.int32()),
        "perpetrator_deaths": pa.nulls(f.n, pa.int32()),
        "success": pa.nulls(f.n, pa.bool_()),
        "hostage": pc.if_else(hostage, yes, null),
        "suicide": pc.if_else(suicide, yes, null),
        "release": constant(release, f.n),
        "urban": pa.nulls(f.n, pa.bool_()),
        "urban_method": pa.nulls(f.n, pa.string()),
        "year": pa.array(year, pa.int16()),
    }
    schema = arrow_schema()
    table = pa.Table.from_arrays([columns[field.name] for field in schema], schema=schema)
    if progress is not None and f.n:
        progress(f.n)
    return table


def read_acled(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate an ACLED export; raise ``IncidentImportError`` listing every bad row."""
    table = read_acled_table(path, release=release, crosswalk=crosswalk, progress=progress)
    return table_to_incidents(table)
