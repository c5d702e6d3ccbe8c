"""UCDP Georeferenced Event Dataset (GED) CSV, the 49-column layout (GED 19.1 onwards).

Mapping:

* ``date_start`` with ``date_prec`` 1 → day, 2–3 → week, 4 → month, 5 → year;
* ``country`` by name → ISO3 (UCDP's "DR Congo (Zaire)" style names resolve through the alias
  file); ``region``, ``adm_1`` → admin1, ``adm_2`` → admin2, ``where_coordinates`` → city;
  ``latitude``/``longitude`` with ``where_prec`` 1 → exact, 2 → city (within 25 km), 3 → admin2,
  4–5 → admin1, 6 → country, 7 → unknown (international waters or airspace);
* ``best`` → deaths; for one-sided violence (``type_of_violence`` 3) ``deaths_a`` (the
  perpetrating side) → perpetrator deaths; GED has no wounded, success or weapon fields;
* no attack modes (GED does not code them); target categories by keywords in
  ``where_description`` and ``source_headline``.

Licence tag: ``cc-by-4.0`` (attribution: UCDP, Sundberg & Melander 2013).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from placeguard.engines.intel.adapters._base import ErrorLog, Progress, split_words
from placeguard.engines.intel.adapters._columnar import (
    constant,
    iso_dates,
    labels,
    read_frame,
    unique_map,
)
from placeguard.engines.intel.countries import load_countries
from placeguard.engines.intel.crosswalk import Crosswalk, load_crosswalk
from placeguard.engines.intel.schema import (
    GeoPrecision,
    Incident,
    Licence,
    arrow_schema,
    table_to_incidents,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["UCDP_COLUMNS", "read_ucdp", "read_ucdp_table"]

UCDP_COLUMNS: tuple[str, ...] = split_words(
    """
    id relid year active_year code_status type_of_violence conflict_dset_id conflict_new_id
    conflict_name dyad_dset_id dyad_new_id dyad_name side_a_dset_id side_a_new_id side_a
    side_b_dset_id side_b_new_id side_b number_of_sources source_article source_office
    source_date source_headline source_original where_prec where_coordinates
    where_description adm_1 adm_2 latitude longitude geom_wkt priogrid_gid country
    country_id region event_clarity date_prec date_start date_end deaths_a deaths_b
    deaths_civilians deaths_unknown best high low gwnoa gwnob
    """
)
_REQUIRED = ("id", "year", "type_of_violence", "where_prec", "latitude", "longitude", "country",
             "region", "date_prec", "date_start", "deaths_a", "best")  # fmt: skip
DATE_PRECISION = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
WHERE_PRECISION = {
    1: GeoPrecision.EXACT,
    2: GeoPrecision.CITY,
    3: GeoPrecision.ADMIN2,
    4: GeoPrecision.ADMIN1,
    5: GeoPrecision.ADMIN1,
    6: GeoPrecision.COUNTRY,
    7: GeoPrecision.UNKNOWN,
}


_OPTIONAL = ("adm_1", "adm_2", "where_coordinates", "where_description", "source_headline")
_DATE_LABELS = ("day", "week", "month", "year")
_GEO_LABELS = tuple(g.value for g in GeoPrecision)


def read_ucdp_table(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """Read and validate a UCDP GED CSV into a canonical Arrow table; raise
    ``IncidentImportError`` listing every bad row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    log = ErrorLog(path.name)
    f = read_frame(path, log, required=_REQUIRED, optional=_OPTIONAL, layout="UCDP GED")
    xwalk = crosswalk or load_crosswalk()
    countries = load_countries()
    f.integer("id", required=True)
    year = f.integer("year", required=True, allowed=range(1946, 2101))
    violence = f.integer("type_of_violence", required=True, allowed={1, 2, 3})
    where = f.integer("where_prec", required=True, allowed=WHERE_PRECISION)
    date_prec = f.integer("date_prec", required=True, allowed=DATE_PRECISION)
    dates, date_known = iso_dates(f, "date_start")
    date_year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    other_year = date_known & year.known & (date_year != year.values)
    f.bad(
        other_year,
        "date_start",
        lambda i: f"year {date_year[i]} differs from the year column ({year.values[i]})",
    )
    lat, lat_known = f.number("latitude", low=-90, high=90)
    lon, lon_known = f.number("longitude", low=-180, high=180)
    resolved, country_index = unique_map(f.raw("country"), countries.name)
    unresolved = np.array([not found for found, _ in resolved], dtype=bool)
    if len(resolved) and unresolved.any():
        f.bad(
            unresolved[country_index],
            "country",
            lambda i: f"unknown country name {f.value('country', i)!r}",
        )
    best = f.count("best")
    blank_best = pc.equal(f.raw("best"), "").to_numpy(zero_copy_only=False)
    f.bad(blank_best, "best", "a value is required")
    deaths_a = f.count("deaths_a")
    f.duplicates("id", lambda _first: "duplicate event id")
    f.raise_if_any()

    where_code = where.filled(7)
    geo_index = np.zeros(f.n, dtype=np.int64)
    for code, geo in WHERE_PRECISION.items():
        geo_index[where_code == code] = _GEO_LABELS.index(geo.value)
    located = lat_known & lon_known & (where_code != 7)
    geo_index[~located] = _GEO_LABELS.index(GeoPrecision.UNKNOWN.value)
    precision_index = np.zeros(f.n, dtype=np.int64)
    for code, label in DATE_PRECISION.items():
        precision_index[date_prec.filled(1) == code] = _DATE_LABELS.index(label)
    text = pc.binary_join_element_wise(f.raw("where_description"), f.raw("source_headline"), " ")
    targets, target_index = unique_map(text, xwalk.keyword_targets)
    one_sided = violence.known & (violence.values == 3)
    iso = pa.array([code for _, code in resolved], pa.string())
    columns = {
        "source": constant("ucdp", f.n),
        "source_row_id": f.raw("id"),
        "licence": constant(Licence.CC_BY_4_0.value, f.n),
        "date": pa.array(dates, pa.date32()),
        "date_precision": labels(_DATE_LABELS, precision_index),
        "country": iso.take(pa.array(country_index)) if len(resolved) else pa.nulls(0, pa.string()),
        "region": f.text("region"),
        "admin1": f.text("adm_1"),
        "admin2": f.text("adm_2"),
        "city": f.text("where_coordinates"),
        "latitude": pa.array(lat, pa.float64(), mask=~located),
        "longitude": pa.array(lon, pa.float64(), mask=~located),
        "geo_precision": labels(_GEO_LABELS, geo_index),
        "attack_modes": pa.array([[]], pa.list_(pa.string())).take(
            pa.array(np.zeros(f.n, dtype=np.int64))
        ),
        "target_categories": pa.array([list(t) for t in targets], pa.list_(pa.string())).take(
            pa.array(target_index)
        ),
        "weapons": pa.array([[]], pa.list_(pa.string())).take(
            pa.array(np.zeros(f.n, dtype=np.int64))
        ),
        "deaths": best.to_arrow(),
        "wounded": pa.nulls(f.n, pa.int32()),
        "perpetrator_deaths": pa.array(
            deaths_a.values, pa.int32(), mask=~(deaths_a.known & one_sided)
        ),
        "success": pa.nulls(f.n, pa.bool_()),
        "hostage": pa.nulls(f.n, pa.bool_()),
        "suicide": pa.nulls(f.n, pa.bool_()),
        "release": constant(release, f.n),
        "urban": pa.nulls(f.n, pa.bool_()),
        "urban_method": pa.nulls(f.n, pa.string()),
        "year": pa.array(date_year, pa.int16()),
    }
    schema = arrow_schema()
    table = pa.Table.from_arrays([columns[field.name] for field in schema], schema=schema)
    if progress is not None and f.n:
        progress(f.n)
    return table


def read_ucdp(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate a UCDP GED CSV; raise ``IncidentImportError`` listing every bad row."""
    table = read_ucdp_table(path, release=release, crosswalk=crosswalk, progress=progress)
    return table_to_incidents(table)
