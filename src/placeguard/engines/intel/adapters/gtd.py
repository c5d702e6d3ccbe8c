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

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from placeguard.engines.intel.adapters._base import ErrorLog, Progress, split_words
from placeguard.engines.intel.adapters._columnar import (
    Frame,
    IntColumn,
    codes_key,
    constant,
    dates_from_parts,
    labels,
    list_column,
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

__all__ = ["GTD_COLUMNS", "read_gtd", "read_gtd_table"]

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


_PRECISIONS = ("day", "month", "year")
_GEO_LABELS = tuple(g.value for g in GeoPrecision)


def _date(f: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates, precision index (0 day, 1 month, 2 year) and the mask of usable dates."""
    year = f.integer("iyear", required=True, allowed=range(1900, 2101))
    month = f.integer("imonth", required=True, allowed=range(13))
    day = f.integer("iday", required=True, allowed=range(32))
    known = year.known & month.known & day.known
    m = month.filled(1)
    d = day.filled(1)
    precision = np.where(m == 0, 2, np.where(d == 0, 1, 0))
    dates, invalid = dates_from_parts(
        year.filled(2000), np.where(m == 0, 1, m), np.where((m == 0) | (d == 0), 1, d)
    )
    impossible = known & invalid
    f.bad(
        impossible,
        "iday",
        lambda i: f"{year.values[i]}-{m[i]:02d}-{d[i]:02d} is not a calendar date",
    )
    return dates, precision, known & ~impossible


def _codes(cols: list[IntColumn]) -> list[np.ndarray]:
    return [c.filled(0) for c in cols]


def read_gtd_table(  # noqa: PLR0915 - one pass over the columns
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """Read and validate a GTD distribution file into a canonical Arrow table
    (:func:`~placeguard.engines.intel.schema.arrow_schema`); raise ``IncidentImportError``
    listing every bad row (nothing is returned then). Vectorised: see the module docstring."""
    import pyarrow as pa
    import pyarrow.compute as pc

    log = ErrorLog(path.name)
    f = read_frame(path, log, required=_REQUIRED, layout="GTD distribution")
    xwalk = crosswalk or load_crosswalk()
    countries = load_countries()
    event_id = f.raw("eventid")
    shaped = pc.match_substring_regex(event_id, r"^\d{12}$").to_numpy(zero_copy_only=False)
    f.bad(
        ~shaped,
        "eventid",
        lambda i: f"expected 12 digits (YYYYMMDD + sequence), got {f.value('eventid', i)!r}",
    )
    dates, precision, date_ok = _date(f)
    resolved, country_index = unique_map(f.raw("country_txt"), countries.name)
    unresolved = np.array([not found for found, _ in resolved], dtype=bool)
    if len(resolved) and unresolved.any():
        f.bad(
            unresolved[country_index],
            "country_txt",
            lambda i: f"unknown country name {f.value('country_txt', i)!r}",
        )
    specificity = f.integer("specificity", allowed=SPECIFICITY)
    lat, lat_known = f.number("latitude", low=-90, high=90)
    lon, lon_known = f.number("longitude", low=-180, high=180)
    attack = [
        f.integer("attacktype1", allowed=ATTACK_TYPES, required=True),
        f.integer("attacktype2", allowed=ATTACK_TYPES),
        f.integer("attacktype3", allowed=ATTACK_TYPES),
    ]
    weapons = [
        f.integer(f"weaptype{i}", allowed=WEAPON_TYPES, required=i == 1) for i in range(1, 5)
    ]
    subweapons = [f.integer(f"weapsubtype{i}", allowed=WEAPON_SUBTYPES) for i in range(1, 5)]
    targ: list[IntColumn] = []
    sub: list[IntColumn] = []
    for i in range(1, 4):
        targ.append(f.integer(f"targtype{i}", allowed=TARGET_TYPES, required=i == 1))
        sub.append(f.integer(f"targsubtype{i}", allowed=TARGET_SUBTYPES))
    success = f.flag("success", required=True)
    suicide = f.flag("suicide", required=True)
    hostage = f.flag("ishostkid")
    deaths, perp, wounded = f.count("nkill"), f.count("nkillter"), f.count("nwound")
    f.duplicates("eventid", lambda first: f"duplicate eventid (first in row {first})")
    f.raise_if_any()
    del date_ok  # every row is valid here

    # -- geography
    spec = specificity.filled(5)
    geo_index = np.full(f.n, _GEO_LABELS.index(GeoPrecision.UNKNOWN.value), dtype=np.int64)
    for code, geo in SPECIFICITY.items():
        geo_index[spec == code] = _GEO_LABELS.index(geo.value)
    located = lat_known & lon_known & (spec != 5)
    geo_index[~located] = _GEO_LABELS.index(GeoPrecision.UNKNOWN.value)

    # -- attack modes and weapons: one crosswalk call per distinct code combination
    a, w, s = _codes(attack), _codes(weapons), _codes(subweapons)
    suicide_code = np.where(suicide.known, suicide.values + 1, 0)
    mode_key = codes_key([*a, *w, *s, suicide_code], [4] * 3 + [4] * 4 + [5] * 4 + [2])

    def modes_of(row: int) -> tuple[str, ...]:
        flag = None if suicide_code[row] == 0 else bool(suicide_code[row] == 2)
        return xwalk.gtd_attack_modes(
            [int(c[row]) for c in a if c[row]],
            [int(c[row]) for c in w if c[row]],
            [int(c[row]) for c in s if c[row]],
            suicide=flag,
        )

    def weapons_of(row: int) -> tuple[str, ...]:
        return tuple(dict.fromkeys(xwalk.gtd_weapons[int(c[row])] for c in w if c[row]))

    t = _codes(targ)
    ts = [np.where(tc.known, sc.filled(0), 0) for tc, sc in zip(targ, sub, strict=True)]
    target_key = codes_key([*t, *ts], [5] * 3 + [7] * 3)

    def targets_of(row: int) -> tuple[str, ...]:
        types = [int(c[row]) for c in t if c[row]]
        subs = [int(sc[row]) or None for c, sc in zip(t, ts, strict=True) if c[row]]
        return xwalk.gtd_targets(types, subs)

    weapon_key = codes_key(w, [4] * 4)
    iso = pa.array([code for _, code in resolved], pa.string())
    columns = {
        "source": constant("gtd", f.n),
        "source_row_id": event_id,
        "licence": constant(Licence.GTD_EUA.value, f.n),
        "date": pa.array(dates, pa.date32()),
        "date_precision": labels(_PRECISIONS, precision),
        "country": iso.take(pa.array(country_index)) if len(resolved) else pa.nulls(0, pa.string()),
        "region": f.text("region_txt"),
        "admin1": f.text("provstate", unknown={"unknown"}),
        "admin2": pa.nulls(f.n, pa.string()),
        "city": f.text("city", unknown={"unknown"}),
        "latitude": pa.array(lat, pa.float64(), mask=~located),
        "longitude": pa.array(lon, pa.float64(), mask=~located),
        "geo_precision": labels(_GEO_LABELS, geo_index),
        "attack_modes": list_column(mode_key, modes_of, first_row=True),
        "target_categories": list_column(target_key, targets_of, first_row=True),
        "weapons": list_column(weapon_key, weapons_of, first_row=True),
        "deaths": deaths.to_arrow(),
        "wounded": wounded.to_arrow(),
        "perpetrator_deaths": perp.to_arrow(),
        "success": success.to_bool(),
        "hostage": hostage.to_bool(),
        "suicide": suicide.to_bool(),
        "release": constant(release, f.n),
        "urban": pa.nulls(f.n, pa.bool_()),
        "urban_method": pa.nulls(f.n, pa.string()),
        "year": pa.array(dates.astype("datetime64[Y]").astype(np.int64) + 1970, pa.int16()),
    }
    schema = arrow_schema()
    table = pa.Table.from_arrays([columns[field.name] for field in schema], schema=schema)
    if progress is not None and f.n:
        progress(f.n)
    return table


def read_gtd(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate a GTD distribution file; raise ``IncidentImportError`` listing every
    bad row (nothing is returned then)."""
    table = read_gtd_table(path, release=release, crosswalk=crosswalk, progress=progress)
    return table_to_incidents(table)
