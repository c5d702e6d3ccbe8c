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

from placeguard.engines.intel.adapters._base import (
    Cells,
    ErrorLog,
    Progress,
    Ticker,
    check_header,
    read_table,
    split_words,
)
from placeguard.engines.intel.countries import CountryResolver, load_countries
from placeguard.engines.intel.crosswalk import Crosswalk, load_crosswalk
from placeguard.engines.intel.schema import GeoPrecision, Incident, Licence

__all__ = ["UCDP_COLUMNS", "read_ucdp"]

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


def _row(
    c: Cells, xwalk: Crosswalk, countries: CountryResolver, release: str | None
) -> Incident | None:
    before = len(c.log.rows)
    event_id = c.integer("id", required=True)
    year = c.integer("year", required=True, allowed=range(1946, 2101))
    violence = c.integer("type_of_violence", required=True, allowed={1, 2, 3})
    where = c.integer("where_prec", required=True, allowed=WHERE_PRECISION)
    date_prec = c.integer("date_prec", required=True, allowed=DATE_PRECISION)
    date = c.iso_date("date_start")
    if date is not None and year is not None and date.year != year:
        c.bad("date_start", f"year {date.year} differs from the year column ({year})")
    lat = c.number("latitude", low=-90, high=90)
    lon = c.number("longitude", low=-180, high=180)
    found, country = countries.name(c.raw("country"))
    if not found:
        c.bad("country", f"unknown country name {c.raw('country')!r}")
    best = c.count("best")
    if best is None and not c.raw("best"):
        c.bad("best", "a value is required")
    deaths_a = c.count("deaths_a")
    if len(c.log.rows) > before or date is None or where is None or date_prec is None:
        return None
    geo = WHERE_PRECISION[where]
    if lat is None or lon is None or geo is GeoPrecision.UNKNOWN:
        lat = lon = None
        geo = GeoPrecision.UNKNOWN
    return Incident(
        source="ucdp",
        source_row_id=str(event_id),
        licence=Licence.CC_BY_4_0.value,
        date=date,
        date_precision=DATE_PRECISION[date_prec],
        country=country,
        region=c.text("region"),
        admin1=c.text("adm_1"),
        admin2=c.text("adm_2"),
        city=c.text("where_coordinates"),
        latitude=lat,
        longitude=lon,
        geo_precision=geo.value,
        target_categories=xwalk.keyword_targets(
            c.raw("where_description"), c.raw("source_headline")
        ),
        deaths=best,
        perpetrator_deaths=deaths_a if violence == 3 else None,
        release=release,
    )


def read_ucdp(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate a UCDP GED CSV; raise ``IncidentImportError`` listing every bad row."""
    log = ErrorLog(path.name)
    table = read_table(path, log)
    positions = check_header(log, table.header, _REQUIRED, layout="UCDP GED")
    xwalk = crosswalk or load_crosswalk()
    countries = load_countries()
    tick = Ticker(progress)
    out: list[Incident] = []
    seen: set[str] = set()
    for number, cells in table.rows:
        c = Cells(log, number, cells, positions)
        incident = _row(c, xwalk, countries, release)
        if c.raw("id") in seen:
            c.bad("id", "duplicate event id")
        seen.add(c.raw("id"))
        if incident is not None:
            out.append(incident)
        tick()
    tick.flush()
    log.raise_if_any()
    return out
