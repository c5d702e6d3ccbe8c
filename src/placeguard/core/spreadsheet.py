"""Defusing spreadsheet formula injection in exported text cells (OWASP "CSV injection").

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by spreadsheet programs; prefixing ``'`` makes it plain text. Every CSV/XLSX writer
passes its rows through :func:`neutralise_row` (one cell: :func:`neutralise_cell`): numbers,
booleans, dates and ``None`` stay typed, text that is a plain number literal (``-12.5``,
``1e-05``) stays as it is, and any other text starting with a formula character gets the
apostrophe. Importers undo it with :func:`unguard_formula` so that an exported file
re-imports to the same text. Guarding is idempotent: a guarded cell starts with ``'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "FORMULA_PREFIXES",
    "guard_formula",
    "neutralise_cell",
    "neutralise_row",
    "unguard_formula",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value: str) -> str:
    """Prefix ``'`` to a text cell that a spreadsheet would otherwise run as a formula."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unguard_formula(value: str) -> str:
    """Undo :func:`guard_formula`."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def neutralise_cell(value: object) -> object:
    """One cell made safe for a spreadsheet: text guarded unless it is a plain number.

    Non-text values (int, float, Decimal, bool, date, None) are returned unchanged, so that
    spreadsheet writers keep them typed.
    """
    if not isinstance(value, str):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return guard_formula(value)


def neutralise_row(row: Iterable[object]) -> list[object]:
    """Every cell of ``row`` through :func:`neutralise_cell`."""
    return [neutralise_cell(v) for v in row]
