"""CSV and GeoJSON exports of sites, in the shape the importer reads back.

The columns are ``id``, ``uuid`` and ``status`` followed by :data:`validation.FIELDS`; an
importer drops the first three and hands the rest to :func:`validation.parse_site`. In CSV,
lists (``responsible_le``, ``tags``) are joined with ``;`` and ``time_profile`` is a JSON
string; in GeoJSON they stay a list and an object.

Callers pass sites that they have already scoped with ``queries.site_list(user)`` (web) or
chosen as the local system (CLI); nothing here decides visibility.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from placeguard.core.spreadsheet import (
    FORMULA_PREFIXES,
    guard_formula,
    neutralise_row,
    unguard_formula,
)
from placeguard.web.sites.models import Site
from placeguard.web.sites.validation import FIELDS, as_raw

__all__ = [
    "CSV_HEADER",
    "FORMULA_PREFIXES",
    "TEXT_FIELDS",
    "guard_formula",
    "site_properties",
    "sites_to_csv_rows",
    "sites_to_geojson",
    "sites_to_xlsx",
    "unguard_formula",
]

#: CSV columns, in order.
CSV_HEADER: tuple[str, ...] = ("id", "uuid", "status", *FIELDS)
#: Free-text columns that a spreadsheet could mistake for a formula.
TEXT_FIELDS = frozenset({"name", "address", "notes"})


def site_properties(site: Site) -> dict[str, Any]:
    """``id``, ``uuid``, ``status`` and the importer's input fields of one site."""
    raw = as_raw(site)
    return {"id": site.pk, "uuid": str(site.uuid), "status": site.status, **raw}


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in {"responsible_le", "tags"}:
        return ";".join(str(v) for v in value)
    if name == "time_profile":
        return json.dumps(value or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = str(value)
    return guard_formula(text) if name in TEXT_FIELDS else text


def sites_to_csv_rows(sites: Iterable[Site]) -> Iterator[list[str]]:
    """The header row, then one row of strings per site (feed it to ``csv.writer``)."""
    yield list(CSV_HEADER)
    for site in sites:
        props = site_properties(site)
        yield [_cell(name, props[name]) for name in CSV_HEADER]


def sites_to_geojson(sites: Iterable[Site]) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` with one ``Point`` ``[lon, lat]`` feature per site."""
    features = []
    for site in sites:
        props = site_properties(site)
        props["time_profile"] = props["time_profile"] or {}
        features.append(
            {
                "type": "Feature",
                "id": site.pk,
                "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sites_to_xlsx(sites: Iterable[Site]) -> bytes:
    """An Excel workbook (one sheet, the CSV columns) with numbers stored as numbers.

    Text cells get the same formula guard as the CSV: spreadsheet programs would otherwise
    evaluate a site name such as ``=HYPERLINK(…)``.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("sites")
    sheet.append(list(CSV_HEADER))
    numeric = {"id", "latitude", "longitude", "capacity"}
    for site in sites:
        props = site_properties(site)
        sheet.append(
            neutralise_row(props[n] if n in numeric else _cell(n, props[n]) for n in CSV_HEADER)
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
