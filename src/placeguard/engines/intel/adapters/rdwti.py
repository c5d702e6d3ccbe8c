"""RAND Database of Worldwide Terrorism Incidents (RDWTI) exports (CSV or XLSX).

The export layout is taken from RAND's site description (incident date, city, country,
perpetrator, weapon, injuries, fatalities, description) and is **not verified against a
current download**; header names are therefore matched case-insensitively against a few
spellings (``Date``/``Incident Date``, ``Injuries``/``Injured`` …).

Mapping: date (ISO, ``1/31/1998``, ``31-Jan-1998``, ``Jan 31, 1998``; two-digit years are read
as 1968–2009, RDWTI's coverage); ``Country`` by name → ISO3; ``City``; no coordinates;
``Weapon`` label → weapon and scenarios by the crosswalk (an unlisted label is an error);
``vbied``/``pbied`` keywords in the description refine an explosives attack; target categories
by keywords in the description; ``Fatalities`` → deaths, ``Injuries`` → wounded.

Licence tag: ``rdwti-ua`` (RAND's user agreement forbids reselling or redistributing the data).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from placeguard.engines.intel.adapters._base import Cells, ErrorLog, Progress, map_rows, read_table
from placeguard.engines.intel.countries import CountryResolver
from placeguard.engines.intel.crosswalk import Crosswalk
from placeguard.engines.intel.schema import GeoPrecision, Incident, Licence

__all__ = ["RDWTI_COLUMNS", "read_rdwti"]

#: The export columns as written by our test generator (canonical spelling).
RDWTI_COLUMNS = ("Date", "City", "Country", "Perpetrator", "Weapon", "Injuries", "Fatalities",
                 "Description")  # fmt: skip
_ALIASES = {
    "id": ("incident id", "id", "incident_id"),
    "date": ("date", "incident date"),
    "city": ("city",),
    "country": ("country",),
    "perpetrator": ("perpetrator", "perpetrator group"),
    "weapon": ("weapon", "weapon type"),
    "injuries": ("injuries", "injured"),
    "fatalities": ("fatalities", "killed", "deaths"),
    "description": ("description", "narrative"),
}
_REQUIRED = ("date", "country", "weapon", "injuries", "fatalities")
_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%d %B %Y", "%m/%d/%y")
_SPACE = re.compile(r"\s+")


def _date(c: Cells) -> dt.date | None:
    value = _SPACE.sub(" ", c.raw("date"))
    for fmt in _FORMATS:
        try:
            date = dt.datetime.strptime(value[:10] if fmt == "%Y-%m-%d" else value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
        if fmt.endswith("%y") and date.year > 2010:
            date = date.replace(year=date.year - 100)
        return date
    c.bad("date", f"expected a date such as 1998-01-31 or 31-Jan-1998, got {value!r}")
    return None


def _row(
    c: Cells, xwalk: Crosswalk, countries: CountryResolver, release: str | None
) -> Incident | None:
    before = len(c.log.rows)
    date = _date(c)
    found, country = countries.name(c.raw("country"))
    if not found:
        c.bad("country", f"unknown country name {c.raw('country')!r}")
    label = c.raw("weapon")
    weapon, modes = xwalk.rdwti_weapons.get(label.lower() or "unknown", ("", ()))
    if not weapon:
        known = ", ".join(sorted(xwalk.rdwti_weapons))
        c.bad("weapon", f"unknown weapon {label!r} (the crosswalk lists: {known})")
    deaths, wounded = c.count("fatalities"), c.count("injuries")
    if len(c.log.rows) > before or date is None:
        return None
    description = c.raw("description")
    text = description.lower()
    refined = tuple(
        s for s, words in xwalk.rdwti_keyword_modes.items() if any(w in text for w in words)
    )
    if refined and weapon == "explosives":
        modes = refined
    return Incident(
        source="rdwti",
        source_row_id=c.raw("id") or f"row-{c.row}",
        licence=Licence.RDWTI_UA.value,
        date=date,
        date_precision="day",
        country=country,
        city=c.text("city"),
        geo_precision=GeoPrecision.UNKNOWN.value,
        attack_modes=modes,
        target_categories=xwalk.keyword_targets(description),
        weapons=(weapon,),
        deaths=deaths,
        wounded=wounded,
        suicide=True if "pbied" in modes else None,
        release=release,
    )


def read_rdwti(
    path: Path,
    *,
    release: str | None = None,
    crosswalk: Crosswalk | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read and validate an RDWTI export; raise ``IncidentImportError`` listing every bad row."""
    log = ErrorLog(path.name)
    table = read_table(path, log)
    lowered = {h.strip().lower(): i for i, h in enumerate(table.header)}
    positions: dict[str, int] = {}
    for field, names in _ALIASES.items():
        for name in names:
            if name in lowered:
                positions[field] = lowered[name]
                break
    for field in _REQUIRED:
        if field not in positions:
            log.add(1, _ALIASES[field][0].title(), "required column is missing (RDWTI export)")
    log.raise_if_any()
    return map_rows(
        table, positions, log, _row, release=release, crosswalk=crosswalk, progress=progress
    )
