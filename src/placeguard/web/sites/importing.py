"""Reading site files (CSV, GeoJSON) into the validator's raw rows.

File-level problems (undecodable text, malformed JSON, a non-Point geometry, a missing
required column) are reported as row errors too, so the user gets one complete report.
CSV row numbers are spreadsheet line numbers (the header is line 1); GeoJSON row numbers
are 1-based feature positions.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from placeguard.core.errors import ImportValidationError, RowError
from placeguard.web.sites.exporting import TEXT_FIELDS, unguard_formula
from placeguard.web.sites.validation import FIELDS, REQUIRED

__all__ = ["ParsedFile", "read_site_file"]

#: Columns an export adds that an import ignores (they identify, they do not describe).
EXPORT_ONLY = frozenset({"id", "uuid", "status"})


@dataclass(frozen=True)
class ParsedFile:
    """Raw rows and, for each, the number to report problems against."""

    rows: list[dict[str, Any]]
    numbers: list[int]
    kind: str


def _detect(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in {".geojson", ".json"}:
        return "geojson"
    if suffix == ".csv":
        return "csv"
    return "geojson" if text.lstrip().startswith("{") else "csv"


def read_site_file(path: Path, *, kind: str = "auto") -> ParsedFile:
    """Parse ``path`` into raw site rows; raise ``ImportValidationError`` on file-level problems."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportValidationError(
            [RowError(0, "*", f"file is not UTF-8 text ({exc.reason})")]
        ) from exc
    kind = _detect(path, text) if kind == "auto" else kind
    if kind == "csv":
        return _read_csv(text)
    if kind == "geojson":
        return _read_geojson(text)
    raise ImportValidationError([RowError(0, "*", f"unknown format {kind!r} (use csv or geojson)")])


def _read_csv(text: str) -> ParsedFile:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    problems: list[RowError] = []
    missing = sorted(REQUIRED - set(header))
    problems.extend(RowError(1, col, "required column is missing") for col in missing)
    unknown = [h for h in header if h not in FIELDS and h not in EXPORT_ONLY]
    problems.extend(RowError(1, col, "unknown column") for col in unknown)
    if problems:
        raise ImportValidationError(problems)
    reader.fieldnames = header
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for record in reader:
        if None in record:  # more cells than header columns
            raise ImportValidationError(
                [RowError(reader.line_num, "*", "more cells than header columns")]
            )
        if not any((v or "").strip() for v in record.values()):
            continue  # blank line
        row = {k: v for k, v in record.items() if k not in EXPORT_ONLY}
        for name in TEXT_FIELDS & row.keys():
            row[name] = unguard_formula(row[name] or "")
        rows.append(row)
        numbers.append(reader.line_num)
    return ParsedFile(rows, numbers, "csv")


def _read_geojson(text: str) -> ParsedFile:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportValidationError(
            [RowError(0, "*", f"not valid JSON: {exc.msg} (line {exc.lineno})")]
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportValidationError([RowError(0, "*", "expected a GeoJSON FeatureCollection")])
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportValidationError([RowError(0, "features", "expected a list of features")])
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    problems: list[RowError] = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(RowError(number, "*", "expected a Feature"))
            continue
        geometry = feature.get("geometry")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(RowError(number, "properties", "expected an object"))
            continue
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            problems.append(RowError(number, "geometry", "expected a Point geometry"))
            continue
        if not isinstance(coords, list) or len(coords) < 2:
            problems.append(RowError(number, "geometry", "a Point needs [longitude, latitude]"))
            continue
        row = {k: v for k, v in props.items() if k not in EXPORT_ONLY}
        row["longitude"], row["latitude"] = coords[0], coords[1]
        rows.append(row)
        numbers.append(number)
    if problems:
        raise ImportValidationError(problems)
    return ParsedFile(rows, numbers, "geojson")
