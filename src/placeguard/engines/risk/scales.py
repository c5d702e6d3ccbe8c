"""Display scales: 1–5 levels, the 5×5 matrix and the 1–125 score with bands.

The computation layer works in probabilities and expected casualties; these anchored scales
turn them into the forms practitioners know. Thresholds are upper bounds of levels 1–4; a
value at or above the last threshold is level 5. They are decades for probabilities and
casualties because the quantities span orders of magnitude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["BANDS", "Scales", "band_of", "level"]

#: Score bands on the 1–125 scale (upper bounds), as in ASIS-style 5×5×5 products.
BANDS: tuple[tuple[int, str], ...] = (
    (10, "low"),
    (25, "moderate"),
    (63, "high"),
    (125, "very high"),
)


@dataclass(frozen=True, slots=True)
class Scales:
    """Upper bounds of levels 1–4 for each quantity (configurable per jurisdiction)."""

    threat: tuple[float, float, float, float] = (1e-5, 1e-4, 1e-3, 1e-2)  # attempts per year
    vulnerability: tuple[float, float, float, float] = (0.1, 0.25, 0.5, 0.75)  # P(success)
    consequence: tuple[float, float, float, float] = (1.0, 5.0, 20.0, 100.0)  # casualties
    likelihood: tuple[float, float, float, float] = (
        1e-5,
        1e-4,
        1e-3,
        1e-2,
    )  # successful attacks/yr


def level(values: ArrayLike, thresholds: tuple[float, ...]) -> NDArray[np.int64]:
    """Level 1–5 of each value: 1 + the number of thresholds at or below it."""
    return 1 + np.searchsorted(
        np.asarray(thresholds), np.asarray(values, dtype=float), side="right"
    )


def band_of(score: int) -> str:
    """Band name of a 1–125 score."""
    for upper, name in BANDS:
        if score <= upper:
            return name
    return BANDS[-1][1]
