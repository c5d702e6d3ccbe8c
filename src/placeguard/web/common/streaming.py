"""Streaming CSV responses: rows are written as they are produced, never held in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

__all__ = ["csv_lines"]


class _Echo:
    """A file-like object whose ``write`` returns what it was given (for ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """Each row as one CSV-formatted line, for ``StreamingHttpResponse``."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
