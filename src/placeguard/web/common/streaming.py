"""Streaming CSV responses: rows are written as they are produced, never held in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from placeguard.core.spreadsheet import neutralise_row

__all__ = ["csv_lines"]


class _Echo:
    """A file-like object whose ``write`` returns what it was given (for ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Each row as one CSV-formatted line, for ``StreamingHttpResponse``.

    Every cell goes through :func:`placeguard.core.spreadsheet.neutralise_cell` (formula
    injection), whatever the caller already did.
    """
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(neutralise_row(row))
