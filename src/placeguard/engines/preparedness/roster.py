"""Participants rosters as CSV: the offline input of training indicators.

One row per participant per course. Columns (header names, any order; only ``participant``
and ``course`` are required)::

    participant, course, country, sector, topic, organisation, role, gender,
    attended, completed, pre, post, max_score, satisfaction

``gender`` is optional and never required (blank = "not stated"); ``attended`` and
``completed`` accept yes/no, true/false, 1/0 (blank: attended = yes, completed = no).
Every problem of every row is collected before :class:`ImportValidationError` is raised.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from placeguard.core.errors import ImportValidationError, RowError
from placeguard.core.spreadsheet import unguard_formula
from placeguard.engines.preparedness.training import TrainingRecord

__all__ = ["COLUMNS", "RosterRow", "parse_roster"]

COLUMNS = (
    "participant",
    "course",
    "country",
    "sector",
    "topic",
    "organisation",
    "role",
    "gender",
    "attended",
    "completed",
    "pre",
    "post",
    "max_score",
    "satisfaction",
)
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One parsed row: the indicator record plus the fields indicators do not use."""

    record: TrainingRecord
    organisation: str = ""
    role: str = ""
    completed: bool = False


def _flag(raw: str, default: bool) -> bool | None:
    value = raw.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _number(raw: str) -> tuple[float | None, bool]:
    """``(value, ok)``; blank is ``(None, True)``."""
    value = raw.strip()
    if not value:
        return None, True
    try:
        number = float(value)
    except ValueError:
        return None, False
    return (number, True) if math.isfinite(number) else (None, False)


def _row(
    n: int,
    row: dict[str, str],
    problems: list[RowError],
    *,
    required: tuple[str, ...],
    default_max: float,
) -> RosterRow | None:
    def text(key: str) -> str:
        return unguard_formula((row.get(key) or "").strip())

    before = len(problems)
    for key in required:
        if not text(key):
            problems.append(RowError(n, key, "is required"))
    flags: dict[str, bool] = {}
    for key, default in (("attended", True), ("completed", False)):
        flag = _flag(row.get(key) or "", default)
        if flag is None:
            problems.append(RowError(n, key, "must be yes or no"))
        flags[key] = bool(flag)
    numbers: dict[str, float | None] = {}
    for key in ("pre", "post", "max_score", "satisfaction"):
        value, ok = _number(row.get(key) or "")
        if not ok:
            problems.append(RowError(n, key, "must be a number"))
        numbers[key] = value
    max_score = numbers["max_score"] if numbers["max_score"] is not None else default_max
    if max_score <= 0:
        problems.append(RowError(n, "max_score", "must be > 0"))
    for key in ("pre", "post"):
        value = numbers[key]
        if value is not None and not 0 <= value <= max_score:
            problems.append(RowError(n, key, f"must be between 0 and {max_score:g}"))
    sat = numbers["satisfaction"]
    if sat is not None and not 1 <= sat <= 5:
        problems.append(RowError(n, "satisfaction", "must be between 1 and 5"))
    if len(problems) > before:
        return None
    record = TrainingRecord(
        participant=text("participant"),
        course=text("course"),
        country=text("country"),
        sector=text("sector"),
        topic=text("topic"),
        attended=flags["attended"],
        gender=text("gender") or None,
        satisfaction=sat,
        pre=numbers["pre"],
        post=numbers["post"],
        max_score=max_score,
    )
    return RosterRow(record, text("organisation"), text("role"), flags["completed"])


def parse_roster(
    text: str, *, require_course: bool = True, default_max_score: float = 100.0
) -> tuple[RosterRow, ...]:
    """Parse a roster (see the module docstring); raises :class:`ImportValidationError`.

    ``require_course=False`` reads one course's list (the web import); ``default_max_score``
    is the maximum when the ``max_score`` cell is blank.
    """
    required = ("participant", "course") if require_course else ("participant",)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportValidationError([RowError(0, c, "column is missing") for c in missing])
    problems: list[RowError] = []
    rows: list[RosterRow] = []
    for n, raw in enumerate(reader, start=1):
        clean = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k}
        parsed = _row(n, clean, problems, required=required, default_max=default_max_score)
        if parsed is not None:
            rows.append(parsed)
    if problems:
        raise ImportValidationError(problems)
    return tuple(rows)
