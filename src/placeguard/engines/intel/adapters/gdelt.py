"""GDELT 1.0 and 2.0 event files: tab-separated, no header, fixed column orders.

GDELT 1.0 daily files have 57 columns (58 with ``SOURCEURL``, from April 2013); GDELT 2.0
15-minute ``export`` files have 61 (each geography block gains ``ADM2Code``; ``DATEADDED``
becomes ``YYYYMMDDHHMMSS``). Rows are validated whole; only events whose ``EventRootCode`` the
crosswalk keeps (18 assault, 19 fight, 20 unconventional mass violence by default) are returned.

Mapping: ``SQLDATE`` → date (day precision); ``ActionGeo_CountryCode`` (FIPS 10-4) → ISO3 (an
unknown or blank FIPS code gives no country rather than an error: GDELT is machine-coded);
``ActionGeo_ADM1Code`` → admin1, ``ActionGeo_FullName`` → city; ``ActionGeo_Lat``/``Long`` with
``ActionGeo_Type`` 1 → country, 2/5 → admin1, 3/4 → city; attack modes from the CAMEO
``EventCode`` (longest crosswalk prefix); target category from ``Actor2Type1Code`` (REL, EDU,
COP/MIL/GOV), else ``unknown``. GDELT has no casualty counts: deaths and wounded stay unknown.
GDELT counts are media-attention signals, not incident counts; the same event can recur with
different ids (deduplication is not done here).

Licence tag: ``gdelt-open`` (free and open; cite the GDELT Project).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from placeguard.engines.intel.adapters._base import (
    Cells,
    ErrorLog,
    Progress,
    Ticker,
    read_delimited,
)
from placeguard.engines.intel.countries import CountryResolver, load_countries
from placeguard.engines.intel.crosswalk import Crosswalk, load_crosswalk
from placeguard.engines.intel.schema import GeoPrecision, Incident, Licence

__all__ = ["GDELT1_COLUMNS", "GDELT2_COLUMNS", "read_gdelt"]


def _actor(n: int) -> list[str]:
    return [f"Actor{n}{s}" for s in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
            "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code")]  # fmt: skip


def _geo(prefix: str, *, adm2: bool) -> list[str]:
    parts = ["Type", "FullName", "CountryCode", "ADM1Code", *(["ADM2Code"] if adm2 else []),
             "Lat", "Long", "FeatureID"]  # fmt: skip
    return [f"{prefix}_{p}" for p in parts]


_EVENT = ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
          "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]  # fmt: skip
_HEAD = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]

#: GDELT 1.0 event columns (57; a 58th, SOURCEURL, from April 2013).
GDELT1_COLUMNS: tuple[str, ...] = (
    *_HEAD, *_actor(1), *_actor(2), *_EVENT,
    *_geo("Actor1Geo", adm2=False), *_geo("Actor2Geo", adm2=False), *_geo("ActionGeo", adm2=False),
    "DATEADDED",
)  # fmt: skip
#: GDELT 2.0 event columns (61).
GDELT2_COLUMNS: tuple[str, ...] = (
    *_HEAD, *_actor(1), *_actor(2), *_EVENT,
    *_geo("Actor1Geo", adm2=True), *_geo("Actor2Geo", adm2=True), *_geo("ActionGeo", adm2=True),
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
GEO_TYPE = {
    1: GeoPrecision.COUNTRY,
    2: GeoPrecision.ADMIN1,
    3: GeoPrecision.CITY,
    4: GeoPrecision.CITY,
    5: GeoPrecision.ADMIN1,
}


def _row(
    c: Cells, version: int, xwalk: Crosswalk, countries: CountryResolver, release: str | None
) -> Incident | None:
    before = len(c.log.rows)
    event_id = c.integer("GLOBALEVENTID", required=True)
    raw_date = c.raw("SQLDATE")
    date: dt.date | None = None
    try:
        date = dt.datetime.strptime(raw_date, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        c.bad("SQLDATE", f"expected YYYYMMDD, got {raw_date!r}")
    code, root = c.raw("EventCode"), c.raw("EventRootCode")
    if not (code.isdigit() and 2 <= len(code) <= 4):
        c.bad("EventCode", f"expected a CAMEO code of 2-4 digits, got {code!r}")
    elif not (root.isdigit() and code.startswith(root)):
        c.bad("EventRootCode", f"{root!r} is not the root of EventCode {code!r}")
    c.integer("QuadClass", required=True, allowed={1, 2, 3, 4})
    geo_type = c.integer("ActionGeo_Type", allowed=range(6))
    lat = c.number("ActionGeo_Lat", low=-90, high=90)
    lon = c.number("ActionGeo_Long", low=-180, high=180)
    if version == 2:
        added = c.raw("DATEADDED")
        if not (added.isdigit() and len(added) == 14):
            c.bad("DATEADDED", f"expected YYYYMMDDHHMMSS, got {added!r}")
    if len(c.log.rows) > before or date is None or root not in xwalk.gdelt_keep_roots:
        return None
    geo = GEO_TYPE.get(geo_type or 0, GeoPrecision.UNKNOWN)
    if lat is None or lon is None:
        lat = lon = None
        geo = GeoPrecision.UNKNOWN
    fips = c.raw("ActionGeo_CountryCode")
    country = countries.fips(fips)[1] if fips else None
    actor2 = xwalk.gdelt_actor2_type.get(c.raw("Actor2Type1Code"), "unknown")
    return Incident(
        source=f"gdelt{version}",
        source_row_id=str(event_id),
        licence=Licence.GDELT_OPEN.value,
        date=date,
        date_precision="day",
        country=country,
        admin1=c.text("ActionGeo_ADM1Code"),
        city=c.text("ActionGeo_FullName") if geo is GeoPrecision.CITY else None,
        latitude=lat,
        longitude=lon,
        geo_precision=geo.value,
        attack_modes=xwalk.gdelt_attack_modes(code),
        target_categories=(actor2,),
        suicide=True if code == "1831" else None,
        release=release,
    )


def read_gdelt(
    path: Path,
    *,
    version: int,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate a GDELT 1.0 (``version=1``) or 2.0 (``version=2``) event file."""
    if version not in {1, 2}:
        msg = f"GDELT version must be 1 or 2, not {version}"
        raise ValueError(msg)
    log = ErrorLog(path.name)
    table = read_delimited(path, log, delimiter="\t", header=False)
    columns = GDELT1_COLUMNS if version == 1 else GDELT2_COLUMNS
    widths = {57, 58} if version == 1 else {61}
    positions = {name: i for i, name in enumerate(columns)}
    xwalk = crosswalk or load_crosswalk()
    countries = load_countries()
    tick = Ticker(progress)
    out: list[Incident] = []
    for number, cells in table.rows:
        tick()
        if len(cells) not in widths:
            expected = " or ".join(str(w) for w in sorted(widths))
            log.add(number, "*", f"{len(cells)} tab-separated fields, expected {expected} "
                    f"(is this a GDELT {version}.0 event file?)")  # fmt: skip
            if len(log.rows) >= 20 and all(r.column == "*" for r in log.rows):
                break  # clearly the wrong layout: do not list a million rows
            continue
        incident = _row(Cells(log, number, cells, positions), version, xwalk, countries, release)
        if incident is not None:
            out.append(incident)
    tick.flush()
    log.raise_if_any()
    return out
