"""Number formats of the report."""

from __future__ import annotations

import pytest

from placeguard.web.reports.charts import level_ranges
from placeguard.web.reports.formatting import compact, money, percent, sci, threshold


@pytest.mark.parametrize(
    ("value", "plain", "text"),
    [
        (0.0, True, "0"),
        (2.73e-4, True, "2.7 × 10⁻⁴"),
        (9.99e-5, True, "1.0 × 10⁻⁴"),  # rounding carries into the next decade
        (0.0151, True, "0.015"),
        (35.2, True, "35"),
        (1234.0, True, "1.2 × 10³"),
        (0.0151, False, "1.5 × 10⁻²"),
        (3.5, False, "3.5 × 10⁰"),
    ],
)
def test_sci(value: float, plain: bool, text: str) -> None:
    assert sci(value, plain=plain) == text


def test_other_formats() -> None:
    assert money(19907.6, "EUR") == "19,908 EUR"
    assert percent(0.594) == "59%"
    assert percent(0.001) == "<1%"
    assert percent(0.0) == "0%"
    assert compact(25_000) == "25k"
    assert compact(1_500_000) == "1.5M"
    assert threshold(1e-5) == "10⁻⁵"
    assert threshold(0.25) == "0.25"
    assert level_ranges((1.0, 5.0, 20.0, 100.0)) == ["< 1", "1–5", "5–20", "20–100", "≥ 100"]
