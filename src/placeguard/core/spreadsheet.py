"""Defusing spreadsheet formula injection in exported text cells (OWASP "CSV injection").

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by spreadsheet programs; prefixing ``'`` makes it plain text. Every CSV/XLSX export
of user-typed text uses :func:`guard_formula`; importers undo it with
:func:`unguard_formula` so that an exported file re-imports to the same text.
"""

from __future__ import annotations

__all__ = ["FORMULA_PREFIXES", "guard_formula", "unguard_formula"]

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
