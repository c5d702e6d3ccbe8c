"""Shared machinery of the adapters: reading CSV/TSV/XLSX, per-cell parsing, error collection.

Every adapter validates every row and collects *all* problems before raising one
:class:`IncidentImportError` (an ``ImportValidationError`` that also names the file); nothing is
returned when any row is bad, so an import is all-or-nothing. Row numbers are spreadsheet rows:
the header is row 1, the first data row is row 2 (files without a header start at row 1);
row 0 means a file-level problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from placeguard.core.errors import ImportValidationError, RowError
from placeguard.engines.intel.countries import CountryResolver, load_countries
from placeguard.engines.intel.crosswalk import Crosswalk, load_crosswalk
from placeguard.engines.intel.schema import Incident

__all__ = [
    "Cells",
    "ErrorLog",
    "IncidentImportError",
    "Progress",
    "Table",
    "Ticker",
    "check_header",
    "map_rows",
    "read_delimited",
    "read_table",
    "read_xlsx",
    "split_words",
]

Progress = Callable[[int], None]
_PROGRESS_STEP = 2000
#: GTD's conventions for "unknown": −9 for categorical flags, −99 for numeric counts/values.
UNKNOWN_CODES = frozenset({-9, -99})


class IncidentImportError(ImportValidationError):
    """Rows of an incident file failed validation; ``file`` names the file, ``rows`` the rows."""

    def __init__(self, file: str, rows: Sequence[RowError]) -> None:
        super().__init__(rows)
        self.file = file
        self.message = f"{file}: {self.message}"
        self.args = (self.message,)


@dataclass
class ErrorLog:
    """Collects row problems for one file."""

    file: str
    rows: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        """Record one problem."""
        self.rows.append(RowError(row, column, message))

    def fail(self, row: int, column: str, message: str) -> IncidentImportError:
        """An error for a problem that stops reading at once (a file-level problem)."""
        self.add(row, column, message)
        return IncidentImportError(self.file, self.rows)

    def raise_if_any(self) -> None:
        """Raise :class:`IncidentImportError` with every problem recorded so far."""
        if self.rows:
            raise IncidentImportError(self.file, self.rows)


@dataclass
class Table:
    """Header and rows of a file: each row as (row number, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    total: int | None = None


def _decode(path: Path, log: ErrorLog) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise log.fail(0, "*", f"cannot read the file: {exc.strerror}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The GTD distribution CSV is Windows-1252, not UTF-8; cp1252 leaves five bytes
        # undefined, latin-1 none, so fall back through both.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def read_delimited(
    path: Path, log: ErrorLog, *, delimiter: str = ",", header: bool = True
) -> Table:
    """A CSV/TSV file; with ``header=False`` the header is empty and rows start at 1."""
    text = _decode(path, log)
    stream = io.StringIO(text, newline="")
    if delimiter == "\t" and not header:  # GDELT: tab-separated, quotes are data
        reader = csv.reader(stream, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(stream, delimiter=delimiter)
    names: list[str] = []
    first = 1
    if header:
        try:
            names = [h.strip() for h in next(reader)]
        except StopIteration:
            raise log.fail(0, "*", "the file is empty") from None
        except csv.Error as exc:
            raise log.fail(1, "*", f"not a readable CSV header: {exc}") from exc
        first = 2
    total = max(text.count("\n") - (1 if header else 0), 0)

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = first - 1
        try:
            for record in reader:
                number += 1
                if not record or not any(c.strip() for c in record):
                    continue
                yield number, record
        except csv.Error as exc:
            log.add(number + 1, "*", f"unreadable row: {exc}")

    return Table(names, rows(), total)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, log: ErrorLog) -> Table:
    """The first worksheet of an Excel workbook (values as text, like a CSV)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a non-workbook
        raise log.fail(0, "*", f"not a readable .xlsx workbook: {exc}") from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        names = [_cell(v).strip() for v in next(values)]
    except StopIteration:
        book.close()
        raise log.fail(0, "*", "the workbook is empty") from None
    while names and not names[-1]:
        names.pop()
    total = (sheet.max_row or 1) - 1

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, record in enumerate(values, start=2):
                cells = [_cell(v) for v in record[: len(names)]]
                if any(c.strip() for c in cells):
                    yield number, cells
        finally:
            book.close()

    return Table(names, rows(), total)


def read_table(path: Path, log: ErrorLog, *, delimiter: str = ",") -> Table:
    """CSV (or TSV) by default, the first sheet for ``.xlsx``/``.xlsm``."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(path, log)
    return read_delimited(path, log, delimiter=delimiter)


def check_header(
    log: ErrorLog, header: Sequence[str], required: Collection[str], *, layout: str
) -> dict[str, int]:
    """Column positions; raises at once (row 1) naming every missing required column."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name, i)
    missing = [c for c in required if c not in positions]
    for column in missing:
        log.add(1, column, f"required column is missing (is this a {layout} file?)")
    log.raise_if_any()
    return positions


class Cells:
    """One row's cells by column name, with parsers that record problems instead of raising."""

    __slots__ = ("cells", "log", "positions", "row")

    def __init__(
        self, log: ErrorLog, row: int, cells: Sequence[str], positions: Mapping[str, int]
    ) -> None:
        self.log = log
        self.row = row
        self.cells = cells
        self.positions = positions

    def raw(self, column: str) -> str:
        """The stripped text of ``column`` ('' when absent or blank)."""
        i = self.positions.get(column)
        if i is None or i >= len(self.cells):
            return ""
        return self.cells[i].strip()

    def bad(self, column: str, message: str) -> None:
        """Record a problem in this row."""
        self.log.add(self.row, column, message)

    def text(self, column: str) -> str | None:
        """Free text or ``None`` when blank."""
        return self.raw(column) or None

    def integer(
        self,
        column: str,
        *,
        allowed: Collection[int] | None = None,
        required: bool = False,
        unknown: Collection[int] = (),
    ) -> int | None:
        """A whole number (``3`` or ``3.0``); blank or an ``unknown`` code gives ``None``."""
        value = self.raw(column)
        if not value:
            if required:
                self.bad(column, "a value is required")
            return None
        try:
            number = float(value)
        except ValueError:
            self.bad(column, f"expected a whole number, got {value!r}")
            return None
        if not math.isfinite(number) or not number.is_integer():
            self.bad(column, f"expected a whole number, got {value!r}")
            return None
        code = int(number)
        if code in unknown:
            return None
        if allowed is not None and code not in allowed:
            self.bad(column, f"code {code} is outside the codebook")
            return None
        return code

    def count(self, column: str) -> int | None:
        """A non-negative count; blank, −9 and −99 are unknown (``None``), never zero."""
        value = self.integer(column, unknown=UNKNOWN_CODES)
        if value is not None and value < 0:
            self.bad(column, f"expected a count ≥ 0, got {value}")
            return None
        return value

    def flag(self, column: str, *, required: bool = False) -> bool | None:
        """A 1/0 flag; −9 (or blank) is unknown."""
        value = self.integer(column, allowed={0, 1}, required=required, unknown=UNKNOWN_CODES)
        return None if value is None else value == 1

    def number(self, column: str, *, low: float, high: float) -> float | None:
        """A finite number in ``[low, high]``, or ``None`` when blank."""
        value = self.raw(column)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            self.bad(column, f"expected a number, got {value!r}")
            return None
        if not (math.isfinite(number) and low <= number <= high):
            self.bad(column, f"expected a number from {low:g} to {high:g}, got {value}")
            return None
        return number

    def iso_date(self, column: str) -> dt.date | None:
        """A ``YYYY-MM-DD`` date (a trailing time is ignored)."""
        value = self.raw(column)
        if not value:
            self.bad(column, "a date is required")
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            self.bad(column, f"expected a date as YYYY-MM-DD, got {value!r}")
            return None


def split_words(text: str) -> tuple[str, ...]:
    """Whitespace-separated names as a tuple (long column lists stay readable)."""
    return tuple(text.split())


class Ticker:
    """Counts processed rows and reports them to ``progress`` in steps."""

    __slots__ = ("pending", "progress")

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.pending = 0

    def __call__(self, n: int = 1) -> None:
        """Count ``n`` more rows."""
        if self.progress is None:
            return
        self.pending += n
        if self.pending >= _PROGRESS_STEP:
            self.flush()

    def flush(self) -> None:
        """Report what is pending."""
        if self.progress is not None and self.pending:
            self.progress(self.pending)
            self.pending = 0


#: Maps one validated row to an incident (None when the row is skipped or bad).
RowMapper = Callable[["Cells", Crosswalk, CountryResolver, str | None], Incident | None]


def map_rows(
    table: Table,
    positions: Mapping[str, int],
    log: ErrorLog,
    row: RowMapper,
    *,
    release: str | None,
    crosswalk: Crosswalk | None,
    progress: Progress | None,
) -> list[Incident]:
    """Every row of ``table`` through ``row``; raise listing every bad row, or return them all."""
    xwalk = crosswalk or load_crosswalk()
    countries = load_countries()
    tick = Ticker(progress)
    out: list[Incident] = []
    for number, cells in table.rows:
        incident = row(Cells(log, number, cells, positions), xwalk, countries, release)
        if incident is not None:
            out.append(incident)
        tick()
    tick.flush()
    log.raise_if_any()
    return out
