"""Vectorised reading and validation: a whole file as Arrow columns, checks as masks.

The fast path reads a CSV with ``pyarrow.csv`` (every needed column typed as text, the rest
skipped), validates whole columns at once and maps codes through dictionary look-ups on the
*unique* values of a column (a GTD code column has a handful of distinct values among a million
rows). Problems are still collected per row — file, row, column, value — and raised together,
all-or-nothing, exactly as the row-by-row adapters do.

Row numbers are spreadsheet rows (header = row 1). The fast path is used only when the file is
structurally regular (every record has the header's number of fields, no blank lines); anything
else — and every ``.xlsx`` — goes through the row-by-row readers of :mod:`._base`, which number
blank and malformed rows exactly, and is then validated with the same column code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from placeguard.core.errors import RowError
from placeguard.engines.intel.adapters._base import (
    UNKNOWN_CODES,
    ErrorLog,
    IncidentImportError,
    Table,
    check_header,
    read_delimited,
    read_xlsx,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "Frame",
    "IntColumn",
    "codes_key",
    "constant",
    "dates_from_parts",
    "iso_dates",
    "labels",
    "list_column",
    "read_frame",
    "unique_map",
]

_ENCODINGS = ("utf-8", "cp1252", "latin-1")


@dataclass(frozen=True, slots=True)
class IntColumn:
    """Whole numbers of one column: ``values`` (0 where unknown) and the ``known`` mask."""

    values: np.ndarray
    known: np.ndarray

    def filled(self, fill: int) -> np.ndarray:
        """Values with ``fill`` where unknown."""
        return np.where(self.known, self.values, fill)

    def to_arrow(self, type_: pa.DataType | None = None) -> pa.Array:
        """Nullable Arrow integers (int32 by default)."""
        import pyarrow as pa

        return pa.array(self.values, type=type_ or pa.int32(), mask=~self.known)

    def to_bool(self) -> pa.Array:
        """Nullable Arrow booleans (a 1/0 flag)."""
        import pyarrow as pa

        return pa.array(self.values == 1, type=pa.bool_(), mask=~self.known)


def constant(value: str | None, n: int) -> pa.Array:
    """A text column holding ``value`` (or null) ``n`` times."""
    import pyarrow as pa

    if value is None:
        return pa.nulls(n, pa.string())
    return pa.array([value], pa.string()).take(pa.array(np.zeros(n, dtype=np.int64)))


def labels(names: Sequence[str], index: np.ndarray) -> pa.Array:
    """A text column ``names[index[i]]``."""
    import pyarrow as pa

    return pa.array(list(names), pa.string()).take(pa.array(index.astype(np.int64)))


class Frame:
    """The needed columns of a file as stripped Arrow text, with validators that log problems.

    Parameters
    ----------
    log
        Collects the row problems of the file.
    rows
        Spreadsheet row number of every record.
    data
        Column name → Arrow string array (no nulls; blanks are ``""``).
    """

    def __init__(self, log: ErrorLog, rows: np.ndarray, data: dict[str, pa.Array]) -> None:
        self.log = log
        self.rows = rows
        self.data = data
        self.n = len(rows)

    # -- access -------------------------------------------------------------------------------
    def raw(self, column: str) -> pa.Array:
        """Stripped text of ``column`` (all ``""`` when the file lacks it)."""
        import pyarrow as pa

        found = self.data.get(column)
        if found is None:
            return pa.array([""] * self.n, pa.string())
        return found

    def text(self, column: str, *, unknown: Collection[str] = ()) -> pa.Array:
        """Free text; blanks (and, case-insensitively, any of ``unknown``) become null."""
        import pyarrow as pa
        import pyarrow.compute as pc

        col = self.raw(column)
        blank = pc.equal(col, "")
        if unknown:
            lowered = pc.utf8_lower(col)
            blank = pc.or_(blank, pc.is_in(lowered, pa.array([u.lower() for u in unknown])))
        return pc.if_else(blank, pa.scalar(None, pa.string()), col)

    # -- problems -----------------------------------------------------------------------------
    def bad(self, mask: np.ndarray, column: str, message: str | Callable[[int], str]) -> None:
        """Record a problem for every row where ``mask`` holds (``message`` may take the
        record index)."""
        for i in np.flatnonzero(mask):
            text = message if isinstance(message, str) else message(int(i))
            self.log.rows.append(RowError(int(self.rows[i]), column, text))

    def value(self, column: str, i: int) -> str:
        """The stripped text of ``column`` in record ``i`` (for messages)."""
        return str(self.raw(column)[i].as_py())

    def raise_if_any(self) -> None:
        """Raise every problem at once, in row order."""
        if self.log.rows:
            ordered = sorted(self.log.rows, key=lambda r: r.row)
            raise IncidentImportError(self.log.file, ordered)

    # -- per-unique parsing -------------------------------------------------------------------
    def by_unique(
        self, column: str, parse: Callable[[str], tuple[Any, str | None]]
    ) -> tuple[list[Any], np.ndarray]:
        """Apply ``parse`` once per distinct value; log its messages on every row concerned.

        Returns the parsed value of every distinct text and the per-row index into it.
        """
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(self.raw(column))
        uniques = encoded.dictionary.to_pylist()
        index = encoded.indices.to_numpy(zero_copy_only=False)
        values: list[Any] = []
        messages: list[str | None] = []
        for text in uniques:
            value, message = parse(text)
            values.append(value)
            messages.append(message)
        failing = [k for k, m in enumerate(messages) if m is not None]
        if failing:
            bad_rows = np.isin(index, np.array(failing))
            self.bad(bad_rows, column, lambda i: str(messages[index[i]]))
        return values, index

    def integer(
        self,
        column: str,
        *,
        allowed: Collection[int] | None = None,
        required: bool = False,
        unknown: Collection[int] = (),
    ) -> IntColumn:
        """Whole numbers (``3`` or ``3.0``); blank or an ``unknown`` code is unknown."""
        import pyarrow as pa
        import pyarrow.compute as pc

        col = self.raw(column)
        try:  # fast path: plain integers and blanks
            parsed = pc.cast(pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col),
                             pa.int64())  # fmt: skip
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return self._integer_by_unique(column, allowed, required=required, unknown=unknown)
        known = parsed.is_valid().to_numpy(zero_copy_only=False)
        values = parsed.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        if required:
            self.bad(~known, column, "a value is required")
        if unknown:
            known &= ~np.isin(values, np.fromiter(unknown, dtype=np.int64))
        if allowed is not None:
            outside = known & ~np.isin(values, np.fromiter(allowed, dtype=np.int64))
            if outside.any():
                self.bad(outside, column, lambda i: f"code {values[i]} is outside the codebook")
                known &= ~outside
        return IntColumn(np.where(known, values, 0), known)

    def _integer_by_unique(
        self,
        column: str,
        allowed: Collection[int] | None,
        *,
        required: bool,
        unknown: Collection[int],
    ) -> IntColumn:
        def parse(value: str) -> tuple[int | None, str | None]:
            if not value:
                return None, "a value is required" if required else None
            try:
                number = float(value)
            except ValueError:
                return None, f"expected a whole number, got {value!r}"
            if not math.isfinite(number) or not number.is_integer():
                return None, f"expected a whole number, got {value!r}"
            code = int(number)
            if code in unknown:
                return None, None
            if allowed is not None and code not in allowed:
                return None, f"code {code} is outside the codebook"
            return code, None

        values, index = self.by_unique(column, parse)
        if not len(values):
            return IntColumn(np.zeros(0, np.int64), np.zeros(0, bool))
        known_u = np.array([v is not None for v in values], dtype=bool)
        value_u = np.array([0 if v is None else v for v in values], dtype=np.int64)
        return IntColumn(value_u[index], known_u[index])

    def count(self, column: str) -> IntColumn:
        """A count ≥ 0; blank, −9 and −99 are unknown (never zero)."""
        col = self.integer(column, unknown=UNKNOWN_CODES)
        negative = col.known & (col.values < 0)
        if negative.any():
            self.bad(negative, column, lambda i: f"expected a count ≥ 0, got {col.values[i]}")
            col = IntColumn(col.values, col.known & ~negative)
        return col

    def flag(self, column: str, *, required: bool = False) -> IntColumn:
        """A 1/0 flag; −9 or blank is unknown."""
        return self.integer(column, allowed={0, 1}, required=required, unknown=UNKNOWN_CODES)

    def number(self, column: str, *, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
        """Finite numbers in ``[low, high]``: ``(values, known)``; blank is unknown."""
        import pyarrow as pa
        import pyarrow.compute as pc

        col = self.raw(column)
        blank = pc.equal(col, "")
        nullable = pc.if_else(blank, pa.scalar(None, pa.string()), col)
        try:  # fast path: every non-blank cell is a number
            parsed = pc.cast(nullable, pa.float64())
            values = parsed.to_numpy(zero_copy_only=False)
            known = ~np.asarray(pc.is_null(parsed).to_numpy(zero_copy_only=False), dtype=bool)
            values = np.where(known, values, 0.0)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):

            def parse(value: str) -> tuple[float | None, str | None]:
                if not value:
                    return None, None
                try:
                    return float(value), None
                except ValueError:
                    return None, f"expected a number, got {value!r}"

            found, index = self.by_unique(column, parse)
            known_u = np.array([v is not None for v in found], dtype=bool)
            value_u = np.array([0.0 if v is None else v for v in found], dtype=np.float64)
            values, known = (value_u[index], known_u[index]) if found else (
                np.zeros(0), np.zeros(0, bool))  # fmt: skip
        with np.errstate(invalid="ignore"):
            out = known & ~(np.isfinite(values) & (values >= low) & (values <= high))
        if out.any():
            self.bad(
                out,
                column,
                lambda i: (
                    f"expected a number from {low:g} to {high:g}, got {self.value(column, i)}"
                ),
            )
            known = known & ~out
        return values, known

    def duplicates(self, column: str, message: Callable[[int], str]) -> None:
        """Log every row whose ``column`` repeats an earlier row's (message gets the first
        row's spreadsheet number)."""
        import pyarrow.compute as pc

        index = pc.dictionary_encode(self.raw(column)).indices.to_numpy(zero_copy_only=False)
        _, first, inverse = np.unique(index, return_index=True, return_inverse=True)
        first_of_row = first[inverse]
        dup = first_of_row != np.arange(self.n)
        if dup.any():
            self.bad(dup, column, lambda i: message(int(self.rows[first_of_row[i]])))


def codes_key(columns: Sequence[np.ndarray], bits: Sequence[int]) -> np.ndarray:
    """Pack small non-negative code columns into one int64 key per row (for ``np.unique``)."""
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    shift = 0
    for col, width in zip(columns, bits, strict=True):
        key |= col.astype(np.int64) << shift
        shift += width
    if shift > 62:
        msg = "codes do not fit into one 64-bit key"
        raise ValueError(msg)
    return key


def list_column(
    key: np.ndarray, value_of: Callable[[int], Iterable[str]], *, first_row: bool = False
) -> pa.Array:
    """A ``list<string>`` column from a per-row key: ``value_of`` is called once per distinct
    key (with the key, or with the first row having it when ``first_row``)."""
    import pyarrow as pa

    uniques, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    per_unique = [
        list(value_of(int(first[k]) if first_row else int(u))) for k, u in enumerate(uniques)
    ]
    table = pa.array(per_unique, pa.list_(pa.string()))
    return table.take(pa.array(inverse.astype(np.int64)))


def unique_map(values: pa.Array, fn: Callable[[Any], Hashable]) -> tuple[list[Any], np.ndarray]:
    """``fn`` over the distinct values of an Arrow array; returns results and per-row index."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    results = [fn(v) for v in encoded.dictionary.to_pylist()]
    return results, encoded.indices.to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------------------------- reading
def _sniff_header(path: Path, log: ErrorLog, delimiter: str) -> tuple[list[str], str]:
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError as exc:
        raise log.fail(0, "*", f"cannot read the file: {exc.strerror}") from exc
    if not head.strip():
        raise log.fail(0, "*", "the file is empty")
    encoding = "utf-8"
    for candidate in _ENCODINGS:
        try:
            text = head.decode(candidate)
        except UnicodeDecodeError as exc:
            if candidate == "utf-8" and exc.start > len(head) - 4:  # cut inside a character
                text = head[: exc.start].decode("utf-8")
            else:
                continue
        encoding = candidate
        break
    text = text.removeprefix("\ufeff")
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error) as exc:
        raise log.fail(1, "*", f"not a readable CSV header: {exc}") from exc
    return [h.strip() for h in first], encoding


def _fast_csv(  # noqa: PLR0912 - encodings × parse modes
    path: Path, header: list[str], needed: Sequence[str], encoding: str, delimiter: str
) -> dict[str, pa.Array] | None:
    """Needed columns via pyarrow, or ``None`` when the file is not structurally regular."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = []
    seen: set[str] = set()
    for i, name in enumerate(header):
        names.append(name if name not in seen else f"{name}\x00{i}")
        seen.add(name)
    irregular: list[int] = []

    def on_invalid(_row: Any) -> str:
        irregular.append(1)
        return "skip"

    include = [c for c in needed if c in seen]
    # Try the faster parse first (no line breaks inside quoted values); files with such breaks
    # come out irregular and are re-read with ``newlines_in_values``.
    table = None
    for attempt in dict.fromkeys((encoding, *_ENCODINGS)):
        for multiline in (False, True):
            irregular.clear()
            try:
                table = pacsv.read_csv(
                    path,
                    read_options=pacsv.ReadOptions(
                        column_names=names, skip_rows=1, encoding=attempt, block_size=1 << 24
                    ),
                    parse_options=pacsv.ParseOptions(
                        delimiter=delimiter,
                        newlines_in_values=multiline,
                        ignore_empty_lines=False,
                        invalid_row_handler=on_invalid,
                    ),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=include,
                        column_types=dict.fromkeys(include, pa.string()),
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
            except UnicodeDecodeError:
                break
            except pa.ArrowInvalid as exc:
                if "utf8" in str(exc).lower():
                    break  # the next encoding
                if multiline:
                    return None
                continue
            if not irregular:
                break
            if multiline:
                return None
        if table is not None and not irregular:
            break
    if table is None or irregular:
        return None
    out: dict[str, pa.Array] = {}
    for name in include:
        col = table.column(name)
        combined = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        out[name] = pc.utf8_trim_whitespace(combined)
    if include and _has_blank_records(out, include):
        return None  # blank lines: the row-by-row reader skips them and keeps numbering exact
    return out


def _has_blank_records(data: dict[str, pa.Array], names: Sequence[str]) -> bool:
    """True when some record is empty in every column (a blank line in the file)."""
    import pyarrow.compute as pc

    blank = pc.equal(data[names[0]], "")
    if not pc.any(blank).as_py():
        return False
    for name in names[1:]:
        blank = pc.and_(blank, pc.equal(data[name], ""))
    return bool(pc.any(blank).as_py())


def _slow(table: Table, positions: dict[str, int], needed: Sequence[str]) -> tuple[
    np.ndarray, dict[str, pa.Array]]:  # fmt: skip
    import pyarrow as pa

    wanted = [(c, positions[c]) for c in needed if c in positions]
    numbers: list[int] = []
    columns: dict[str, list[str]] = {c: [] for c, _ in wanted}
    for number, cells in table.rows:
        numbers.append(number)
        width = len(cells)
        for name, i in wanted:
            columns[name].append(cells[i].strip() if i < width else "")
    data = {name: pa.array(values, pa.string()) for name, values in columns.items()}
    return np.array(numbers, dtype=np.int64), data


def read_frame(
    path: Path,
    log: ErrorLog,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
    layout: str,
    delimiter: str = ",",
) -> Frame:
    """The ``required`` and ``optional`` columns of a headed CSV/TSV or ``.xlsx`` file.

    A missing required column fails at once (row 1, every missing column named).
    """
    needed = list(dict.fromkeys((*required, *optional)))
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        table = read_xlsx(path, log)
        positions = check_header(log, table.header, required, layout=layout)
        rows, data = _slow(table, positions, needed)
        return Frame(log, rows, data)
    header, encoding = _sniff_header(path, log, delimiter)
    positions = check_header(log, header, required, layout=layout)
    data_or_none = _fast_csv(path, header, needed, encoding, delimiter)
    if data_or_none is not None:
        n = len(next(iter(data_or_none.values()))) if data_or_none else 0
        return Frame(log, np.arange(2, n + 2, dtype=np.int64), data_or_none)
    table = read_delimited(path, log, delimiter=delimiter)
    rows, data = _slow(table, positions, needed)
    return Frame(log, rows, data)


def dates_from_parts(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[D]`` dates of (year, month, day) and a mask of impossible calendar dates."""
    months = (year.astype(np.int64) - 1970) * 12 + (month.astype(np.int64) - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    dates = first + (day.astype(np.int64) - 1).astype("timedelta64[D]")
    invalid = dates.astype("datetime64[M]") != first.astype("datetime64[M]")
    return dates, invalid


def iso_dates(frame: Frame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM-DD`` dates (a trailing time ignored): ``(datetime64[D] values, known)``."""

    def parse(value: str) -> tuple[dt.date | None, str | None]:
        if not value:
            return None, "a date is required"
        try:
            return dt.date.fromisoformat(value[:10]), None
        except ValueError:
            return None, f"expected a date as YYYY-MM-DD, got {value!r}"

    values, index = frame.by_unique(column, parse)
    known_u = np.array([v is not None for v in values], dtype=bool)
    epoch = dt.date(1970, 1, 1)
    day_u = np.array([(v - epoch).days if v is not None else 0 for v in values], dtype=np.int64)
    if not values:
        return np.zeros(0, "datetime64[D]"), np.zeros(0, bool)
    return day_u[index].astype("datetime64[D]"), known_u[index]
