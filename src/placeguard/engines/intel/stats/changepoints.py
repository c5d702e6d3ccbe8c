"""Change points in yearly counts (binary segmentation on a Poisson likelihood) and FDR control.

**Segmentation.** A segment's cost is its Poisson deviance with a constant mean,
``2 Σ y log(y / ȳ)``, divided by an overdispersion factor φ. φ is estimated robustly from
year-to-year differences — for a Poisson series ``(y_t − y_{t−1})² / (y_t + y_{t−1})`` is
approximately χ²₁, whose median is 0.455, so ``φ̂ = max(1, median(…) / 0.455)``; a few genuine
level shifts hardly move a median. Binary segmentation splits a segment at the year that most
reduces the cost, if the reduction exceeds the penalty (default ``2 log n``, BIC-like for a
mean parameter and a location), then recurses; segments keep at least ``min_size`` years.

**Significance of "some change".** For a whole series, the best single split's scaled
likelihood-ratio statistic gets a Bonferroni p-value over the candidate split years:
``p = min(1, m · P(χ²₁ > LR))`` — conservative, and valid whatever the split.

**Collection breaks.** A change point (the first year of the new segment) within ±1 year of a
declared collection break is flagged ``at_break``: it may be an artefact of collection, not a
finding.

**Multiple testing.** :func:`benjamini_hochberg` controls the false-discovery rate across the
cells scanned (categories × regions …); the number of cells tested is always reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "ChangePoint",
    "Segmentation",
    "benjamini_hochberg",
    "dispersion_from_differences",
    "segment",
]

FloatArray = NDArray[np.float64]
_CHI2_1_MEDIAN = float(stats.chi2.ppf(0.5, 1))


@dataclass(frozen=True, slots=True)
class ChangePoint:
    """A level change starting in ``year``: mean before and after (in its segments)."""

    year: int
    mean_before: float
    mean_after: float
    at_break: int | None  # the declared break within ±1 year, if any

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {"year": self.year, "mean_before": self.mean_before,
                "mean_after": self.mean_after, "at_collection_break": self.at_break}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Segmentation:
    """Change points of one series and the p-value of its strongest single split."""

    change_points: tuple[ChangePoint, ...]
    dispersion: float
    p_value: float  # Bonferroni over candidate splits: "is there any change?"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {"change_points": [c.as_dict() for c in self.change_points],
                "dispersion": self.dispersion, "p_value_any_change": self.p_value}  # fmt: skip


def dispersion_from_differences(y: ArrayLike) -> float:
    """Robust overdispersion factor φ ≥ 1 from successive differences (module docstring)."""
    x = np.asarray(y, dtype=np.float64)
    s = x[1:] + x[:-1]
    d = np.diff(x)
    keep = s > 0
    if keep.sum() == 0:
        return 1.0
    return max(1.0, float(np.median(d[keep] ** 2 / s[keep])) / _CHI2_1_MEDIAN)


def _cost(cum: FloatArray, cum_ylogy: FloatArray, a: int, b: int) -> float:
    """Poisson deviance of y[a:b] around its mean (2 Σ y log(y / ȳ))."""
    total = float(cum[b] - cum[a])
    if total <= 0:
        return 0.0
    mean = total / (b - a)
    return 2.0 * (float(cum_ylogy[b] - cum_ylogy[a]) - float(total) * math.log(mean))


def _best_split(
    cum: FloatArray, cum_ylogy: FloatArray, a: int, b: int, min_size: int
) -> tuple[int, float]:
    whole = _cost(cum, cum_ylogy, a, b)
    best, gain = -1, 0.0
    for t in range(a + min_size, b - min_size + 1):
        g = whole - _cost(cum, cum_ylogy, a, t) - _cost(cum, cum_ylogy, t, b)
        if g > gain:
            best, gain = t, g
    return best, gain


def segment(
    years: ArrayLike,
    counts: ArrayLike,
    *,
    breaks: Sequence[int] = (),
    penalty: float | None = None,
    min_size: int = 2,
    dispersion: float | None = None,
) -> Segmentation:
    """Binary segmentation of a yearly count series (see the module docstring)."""
    yrs = np.asarray(years, dtype=np.int64)
    y = np.asarray(counts, dtype=np.float64)
    n = len(y)
    phi = dispersion if dispersion is not None else dispersion_from_differences(y)
    pen = penalty if penalty is not None else 2.0 * math.log(max(n, 2))
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    cum = np.concatenate([[0.0], np.cumsum(y)])
    cum_ylogy = np.concatenate([[0.0], np.cumsum(ylogy)])
    found: list[int] = []
    stack = [(0, n)]
    while stack:
        a, b = stack.pop()
        if b - a < 2 * min_size:
            continue
        t, gain = _best_split(cum, cum_ylogy, a, b, min_size)
        if t > 0 and gain / phi > pen:
            found.append(t)
            stack.extend([(a, t), (t, b)])
    p = 1.0
    if n >= 2 * min_size:
        t, gain = _best_split(cum, cum_ylogy, 0, n, min_size)
        candidates = n - 2 * min_size + 1
        if t > 0:
            p = min(1.0, candidates * float(stats.chi2.sf(gain / phi, 1)))
    cuts = sorted(found)
    bounds = [0, *cuts, n]
    points = []
    for i, t in enumerate(cuts):
        before = y[bounds[i] : t].mean()
        after = y[t : bounds[i + 2]].mean()
        year = int(yrs[t])
        near = [b for b in breaks if abs(year - b) <= 1]
        at = min(near, key=lambda b: abs(year - b)) if near else None
        points.append(ChangePoint(year, float(before), float(after), at))
    return Segmentation(tuple(points), phi, p)


def benjamini_hochberg(
    p_values: ArrayLike, *, q: float = 0.05
) -> tuple[NDArray[np.bool_], FloatArray]:
    """Benjamini–Hochberg step-up: (rejected at FDR ``q``, adjusted p-values).

    The adjusted value of the i-th smallest of m p-values is
    ``min_{j ≥ i} min(1, m p_(j) / j)``; NaN p-values are not tested (never rejected) and do
    not count in m.
    """
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return np.zeros(p.shape, dtype=bool), adjusted
    pt = p[tested]
    order = np.argsort(pt)
    ranked = pt[order] * m / np.arange(1, m + 1)
    adj_sorted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    adj = np.empty(m)
    adj[order] = adj_sorted
    adjusted[tested] = adj
    return np.where(tested, adjusted <= q, False), adjusted
