"""Formula-injection neutralisation: the one function every CSV/XLSX writer uses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placeguard.core.spreadsheet import (
    FORMULA_PREFIXES,
    guard_formula,
    neutralise_cell,
    neutralise_row,
    unguard_formula,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("Mall", "Mall"),
        ("", ""),
        ("a=1", "a=1"),
        ("-12.5", "-12.5"),  # a plain number stays a number
        ("+3", "+3"),
        ("1e-05", "1e-05"),
        ("-1e5", "-1e5"),
        ("-.5", "-.5"),
        ("-", "'-"),
        ("-1-1", "'-1-1"),
        ("'=x", "'=x"),  # already guarded: unchanged (idempotent)
    ],
)
def test_neutralise_text(value: str, expected: str) -> None:
    assert neutralise_cell(value) == expected


@pytest.mark.parametrize("value", [3, -3, -2.5, Decimal("-1.5"), True, None, date(2026, 1, 2)])
def test_non_text_stays_typed(value: object) -> None:
    assert neutralise_cell(value) is value


def test_row() -> None:
    assert neutralise_row(["=a", 1, "b", -2.0]) == ["'=a", 1, "b", -2.0]


@given(st.text())
def test_no_cell_starts_a_formula(text: str) -> None:
    out = neutralise_cell(text)
    assert isinstance(out, str)
    if out.startswith(FORMULA_PREFIXES):
        float(out)  # only plain numbers may keep a sign: they parse as numbers
    assert neutralise_cell(out) == out  # idempotent


@given(st.text())
def test_guard_round_trips(text: str) -> None:
    assert unguard_formula(guard_formula(text)) == text
