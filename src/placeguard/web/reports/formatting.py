"""Number formats of the report: powers of ten, money, shares (locale-neutral)."""

from __future__ import annotations

import math

__all__ = ["compact", "decimal", "money", "percent", "power_of_ten", "sci", "threshold"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: int) -> str:
    """``10⁻⁴`` for -4."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def sci(value: float, digits: int = 2, *, plain: bool = True) -> str:
    """Scientific notation a reader can take in: ``2.7 × 10⁻⁴``; ``0`` for zero.

    With ``plain``, values from 0.01 to 1,000 are written as decimals with ``digits``
    significant figures, because ``3.5`` reads better than ``3.5 × 10⁰``; without it (for a
    column of risks, whose values should line up) every non-zero value is in powers of ten.
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, digits - 1)
    if abs(mantissa) >= 10:  # rounding carried into the next decade
        mantissa /= 10
        exponent += 1
    if plain and -2 <= exponent < 3:
        return f"{value:.{max(digits - 1 - exponent, 0)}f}"
    text = f"{mantissa:.{digits - 1}f}"
    return f"{text} × {power_of_ten(exponent)}"


def decimal(value: float, places: int = 2) -> str:
    """A plain decimal with thousands separators."""
    return f"{value:,.{places}f}"


def money(value: float, currency: str) -> str:
    """Whole units with thousands separators and the ISO currency code: ``12,500 EUR``."""
    return f"{value:,.0f} {currency}"


def percent(share: float) -> str:
    """``72%`` (no decimals; ``<1%`` for a small positive share)."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def compact(value: float) -> str:
    """Axis labels: ``0``, ``750``, ``25k``, ``1.5M``."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def threshold(value: float) -> str:
    """A scale threshold: ``10⁻⁵`` for an exact power of ten below 1, else ``5`` or ``0.25``."""
    if 0 < value < 1:
        exponent = math.log10(value)
        if math.isclose(exponent, round(exponent), abs_tol=1e-9):
            return power_of_ten(round(exponent))
    return f"{value:g}"
