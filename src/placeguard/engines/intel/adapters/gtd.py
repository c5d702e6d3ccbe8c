"""Global Terrorism Database (START) distribution files: CSV or XLSX, the 135-column layout.

Mapping (codes per the GTD codebook; labels are never shipped — ``*_txt`` columns are read
from the user's file):

* date from ``iyear``/``imonth``/``iday``; ``imonth = 0`` → year precision, ``iday = 0`` →
  month precision (the date is then the first day of the known period);
* location: ``country_txt`` → ISO3, ``region_txt``, ``provstate`` → admin1, ``city``,
  ``latitude``/``longitude`` with ``specificity`` 1 → city, 2–3 → admin2, 4 → admin1,
  5 → unknown (coordinates dropped);
* attack modes from ``attacktype1-3``, ``weaptype1-4``, ``weapsubtype1-4`` and ``suicide`` by
  the crosswalk rules; weapons from ``weaptype1-4``; target categories from
  ``targsubtype1-3`` first, ``targtype1-3`` second;
* ``nkill`` → deaths (perpetrators included), ``nkillter`` → perpetrator deaths, ``nwound``
  → wounded; blank, −9 and −99 are unknown, never zero;
* ``success``, ``suicide``, ``ishostkid`` (−9 unknown) → success, suicide, hostage.

Licence tag: ``gtd-eua`` (no redistribution of rows, codebook or derived tables).
"""

from __future__ import annotations

import datetime as dt
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

__all__ = ["GTD_COLUMNS", "read_gtd"]

#: The 135 columns of the GTD distribution file, in file order.
GTD_COLUMNS: tuple[str, ...] = split_words(
    """
    eventid iyear imonth iday approxdate extended resolution country country_txt region
    region_txt provstate city latitude longitude specificity vicinity location summary crit1
    crit2 crit3 doubtterr alternative alternative_txt multiple success suicide attacktype1
    attacktype1_txt attacktype2 attacktype2_txt attacktype3 attacktype3_txt targtype1
    targtype1_txt targsubtype1 targsubtype1_txt corp1 target1 natlty1 natlty1_txt targtype2
    targtype2_txt targsubtype2 targsubtype2_txt corp2 target2 natlty2 natlty2_txt targtype3
    targtype3_txt targsubtype3 targsubtype3_txt corp3 target3 natlty3 natlty3_txt gname
    gsubname gname2 gsubname2 gname3 gsubname3 motive guncertain1 guncertain2 guncertain3
    individual nperps nperpcap claimed claimmode claimmode_txt claim2 claimmode2
    claimmode2_txt claim3 claimmode3 claimmode3_txt compclaim weaptype1 weaptype1_txt
    weapsubtype1 weapsubtype1_txt weaptype2 weaptype2_txt weapsubtype2 weapsubtype2_txt
    weaptype3 weaptype3_txt weapsubtype3 weapsubtype3_txt weaptype4 weaptype4_txt
    weapsubtype4 weapsubtype4_txt weapdetail nkill nkillus nkillter nwound nwoundus nwoundte
    property propextent propextent_txt propvalue propcomment ishostkid nhostkid nhostkidus
    nhours ndays divert kidhijcountry ransom ransomamt ransomamtus ransompaid ransompaidus
    ransomnote hostkidoutcome hostkidoutcome_txt nreleased addnotes scite1 scite2 scite3
    dbsource INT_LOG INT_IDEO INT_MISC INT_ANY related
    """
)

ATTACK_TYPES = range(1, 10)
WEAPON_TYPES = range(1, 14)
WEAPON_SUBTYPES = range(1, 32)
TARGET_TYPES = range(1, 23)
TARGET_SUBTYPES = range(1, 114)
SPECIFICITY = {
    1: GeoPrecision.CITY,
    2: GeoPrecision.ADMIN2,
    3: GeoPrecision.ADMIN2,
    4: GeoPrecision.ADMIN1,
    5: GeoPrecision.UNKNOWN,
}
_REQUIRED = split_words(
    """
    eventid iyear imonth iday country_txt region_txt provstate city latitude longitude
    specificity success suicide attacktype1 attacktype2 attacktype3 targtype1 targsubtype1
    targtype2 targsubtype2 targtype3 targsubtype3 weaptype1 weapsubtype1 weaptype2
    weapsubtype2 weaptype3 weapsubtype3 weaptype4 weapsubtype4 nkill nkillter nwound
    ishostkid
    """
)


def _date(c: Cells) -> tuple[dt.date | None, str]:
    year = c.integer("iyear", required=True, allowed=range(1900, 2101))
    month = c.integer("imonth", required=True, allowed=range(13))
    day = c.integer("iday", required=True, allowed=range(32))
    if year is None or month is None or day is None:
        return None, "day"
    if month == 0:
        return dt.date(year, 1, 1), "year"
    if day == 0:
        return dt.date(year, month, 1), "month"
    try:
        return dt.date(year, month, day), "day"
    except ValueError:
        c.bad("iday", f"{year}-{month:02d}-{day:02d} is not a calendar date")
        return None, "day"


def _place(c: Cells, text: str) -> str | None:
    value = c.text(text)
    return None if value is None or value.casefold() == "unknown" else value


def _row(
    c: Cells, xwalk: Crosswalk, countries: CountryResolver, release: str | None
) -> Incident | None:
    errors_before = len(c.log.rows)
    event_id = c.raw("eventid")
    if not (event_id.isdigit() and len(event_id) == 12):
        c.bad("eventid", f"expected 12 digits (YYYYMMDD + sequence), got {event_id!r}")
    date, precision = _date(c)
    found, country = countries.name(c.raw("country_txt"))
    if not found:
        c.bad("country_txt", f"unknown country name {c.raw('country_txt')!r}")
    specificity = c.integer("specificity", allowed=SPECIFICITY)
    geo = SPECIFICITY.get(specificity or 5, GeoPrecision.UNKNOWN)
    lat = c.number("latitude", low=-90, high=90)
    lon = c.number("longitude", low=-180, high=180)
    if geo is GeoPrecision.UNKNOWN or lat is None or lon is None:
        lat = lon = None
        geo = GeoPrecision.UNKNOWN
    attack = [
        c.integer("attacktype1", allowed=ATTACK_TYPES, required=True),
        c.integer("attacktype2", allowed=ATTACK_TYPES),
        c.integer("attacktype3", allowed=ATTACK_TYPES),
    ]
    weapons = [
        c.integer(f"weaptype{i}", allowed=WEAPON_TYPES, required=i == 1) for i in range(1, 5)
    ]
    subweapons = [c.integer(f"weapsubtype{i}", allowed=WEAPON_SUBTYPES) for i in range(1, 5)]
    targ: list[int] = []
    sub: list[int | None] = []
    for i in range(1, 4):
        ttype = c.integer(f"targtype{i}", allowed=TARGET_TYPES, required=i == 1)
        tsub = c.integer(f"targsubtype{i}", allowed=TARGET_SUBTYPES)
        if ttype is not None:
            targ.append(ttype)
            sub.append(tsub)
    success = c.flag("success", required=True)
    suicide = c.flag("suicide", required=True)
    hostage = c.flag("ishostkid")
    deaths, perp, wounded = c.count("nkill"), c.count("nkillter"), c.count("nwound")
    if len(c.log.rows) > errors_before or date is None:
        return None
    attack_codes = [a for a in attack if a is not None]
    weapon_codes = [w for w in weapons if w is not None]
    return Incident(
        source="gtd",
        source_row_id=event_id,
        licence=Licence.GTD_EUA.value,
        date=date,
        date_precision=precision,
        country=country,
        region=c.text("region_txt"),
        admin1=_place(c, "provstate"),
        city=_place(c, "city"),
        latitude=lat,
        longitude=lon,
        geo_precision=geo.value,
        attack_modes=xwalk.gtd_attack_modes(
            attack_codes, weapon_codes, [s for s in subweapons if s is not None], suicide=suicide
        ),
        target_categories=xwalk.gtd_targets(targ, sub),
        weapons=tuple(dict.fromkeys(xwalk.gtd_weapons[w] for w in weapon_codes)),
        deaths=deaths,
        wounded=wounded,
        perpetrator_deaths=perp,
        success=success,
        hostage=hostage,
        suicide=suicide,
        release=release,
    )


def read_gtd(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate a GTD distribution file; raise ``IncidentImportError`` listing every
    bad row (nothing is returned then)."""
    log = ErrorLog(path.name)
    table = read_table(path, log)
    positions = check_header(log, table.header, _REQUIRED, layout="GTD distribution")
    xwalk = crosswalk or load_crosswalk()
    countries = load_countries()
    tick = Ticker(progress)
    out: list[Incident] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        c = Cells(log, number, cells, positions)
        incident = _row(c, xwalk, countries, release)
        event_id = c.raw("eventid")
        if event_id in seen:
            c.bad("eventid", f"duplicate eventid (first in row {seen[event_id]})")
        else:
            seen[event_id] = number
        if incident is not None:
            out.append(incident)
        tick()
    tick.flush()
    log.raise_if_any()
    return out
