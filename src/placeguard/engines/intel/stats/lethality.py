"""Lethality — deaths per attack — with uncertainty that respects the heavy tail.

All functions work on a *histogram* of known death counts: distinct values and the number of
attacks with each (``Histogram.distribution``). That makes them exact and fast at any size:

* **Bootstrap** (resampling attacks with replacement): drawing n attacks from the empirical
  distribution is a multinomial draw of the value counts, so each resample costs one
  multinomial over the distinct values, not n draws. Percentile 95 % intervals,
  ≥ 2,000 resamples, seeded.
* **Permutation test** between two periods: shuffling the period labels of the pooled attacks
  and taking the first n₁ as "before" is a multivariate hypergeometric draw of the pooled value
  counts. The p-value counts the observed statistic as one of the permutations
  ((1 + #{|Δ*| ≥ |Δ|}) / (B + 1)), so it is never 0.
* **Leave-k-largest-out**: the ratio recomputed after dropping the k deadliest attacks of the
  comparison (both periods pooled, whichever period they fall in).

Unknown death counts are excluded (missing, never zero); their number is reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_RESAMPLES",
    "LEAVE_OUT",
    "LeaveOut",
    "Lethality",
    "LethalityComparison",
    "bootstrap_means",
    "compare",
    "permutation_test",
    "summarise",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
DEFAULT_RESAMPLES = 2000
LEAVE_OUT: tuple[int, ...] = (1, 5, 10)
MASS_CASUALTY = 10


@dataclass(frozen=True, slots=True)
class Lethality:
    """Deaths per attack in one period (known counts only)."""

    attacks: int  # with a known death count
    unknown: int  # attacks whose death count is unknown (excluded)
    deaths: int
    mean: float
    low: float
    high: float
    median: float
    share_lethal: float  # ≥ 1 death
    share_mass: float  # ≥ 10 deaths

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {
            "attacks_known": self.attacks,
            "attacks_unknown": self.unknown,
            "deaths": self.deaths,
            "mean": self.mean,
            "ci": [self.low, self.high],
            "median": self.median,
            "share_lethal": self.share_lethal,
            "share_10_plus": self.share_mass,
        }


@dataclass(frozen=True, slots=True)
class LeaveOut:
    """The after/before ratio of means without the k deadliest attacks."""

    k: int
    ratio: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class LethalityComparison:
    """Lethality before and after a split, their ratio and the sensitivity checks."""

    before: Lethality
    after: Lethality
    ratio: float  # mean after / mean before
    low: float
    high: float
    difference: float  # mean after − mean before
    p_two_sided: float
    p_increase: float  # one-sided: after > before
    p_decrease: float
    leave_out: tuple[LeaveOut, ...]
    resamples: int
    seed: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "ratio": self.ratio,
            "ratio_ci": [self.low, self.high],
            "difference": self.difference,
            "permutation_p": self.p_two_sided,
            "permutation_p_increase": self.p_increase,
            "permutation_p_decrease": self.p_decrease,
            "leave_k_largest_out": [
                {"k": x.k, "ratio": x.ratio, "ci": [x.low, x.high]} for x in self.leave_out
            ],
            "resamples": self.resamples,
            "seed": self.seed,
        }


def _arrays(values: ArrayLike, counts: ArrayLike) -> tuple[FloatArray, IntArray]:
    v = np.asarray(values, dtype=np.float64)
    c = np.asarray(counts, dtype=np.int64)
    keep = c > 0
    return v[keep], c[keep]


def bootstrap_means(
    values: ArrayLike, counts: ArrayLike, rng: np.random.Generator, resamples: int
) -> FloatArray:
    """``resamples`` bootstrap means of the attacks described by (values, counts)."""
    v, c = _arrays(values, counts)
    n = int(c.sum())
    if n == 0:
        return np.full(resamples, np.nan)
    draws = rng.multinomial(n, c / n, size=resamples)
    return (draws @ v) / n


def _weighted_median(v: FloatArray, c: IntArray) -> float:
    if len(v) == 0:
        return math.nan
    order = np.argsort(v)
    v, c = v[order], c[order]
    cum = np.cumsum(c)
    n = int(cum[-1])
    lo = v[np.searchsorted(cum, (n - 1) // 2 + 1)]
    hi = v[np.searchsorted(cum, n // 2 + 1)]
    return float((lo + hi) / 2)


def _summary(v: FloatArray, c: IntArray, unknown: int, boot: FloatArray, level: float) -> Lethality:
    n = int(c.sum())
    tail = (1 - level) / 2
    if n == 0:
        return Lethality(0, unknown, 0, *(math.nan,) * 4, math.nan, math.nan)
    lo, hi = np.quantile(boot, [tail, 1 - tail])
    return Lethality(
        attacks=n,
        unknown=unknown,
        deaths=round(float(c @ v)),
        mean=float(c @ v / n),
        low=float(lo),
        high=float(hi),
        median=_weighted_median(v, c),
        share_lethal=float(c[v >= 1].sum() / n),
        share_mass=float(c[v >= MASS_CASUALTY].sum() / n),
    )


def summarise(
    values: ArrayLike,
    counts: ArrayLike,
    *,
    unknown: int = 0,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
) -> Lethality:
    """Mean deaths per attack with a percentile bootstrap interval, median and shares."""
    v, c = _arrays(values, counts)
    rng = np.random.default_rng(seed)
    return _summary(v, c, unknown, bootstrap_means(v, c, rng, resamples), level)


def permutation_test(
    before: tuple[ArrayLike, ArrayLike],
    after: tuple[ArrayLike, ArrayLike],
    *,
    seed: int = 0,
    permutations: int = DEFAULT_RESAMPLES,
) -> tuple[float, float, float]:
    """Permutation test on the difference of means (after − before).

    Returns (two-sided p, one-sided p for an increase, one-sided p for a decrease).
    """
    vb, cb = _arrays(*before)
    va, ca = _arrays(*after)
    pooled_v, inverse = np.unique(np.concatenate([vb, va]), return_inverse=True)
    cb_p = np.bincount(inverse[: len(vb)], weights=cb, minlength=len(pooled_v)).astype(np.int64)
    ca_p = np.bincount(inverse[len(vb) :], weights=ca, minlength=len(pooled_v)).astype(np.int64)
    n_b, n_a = int(cb.sum()), int(ca.sum())
    if n_b == 0 or n_a == 0:
        return math.nan, math.nan, math.nan
    colors = cb_p + ca_p
    total = float(colors @ pooled_v)
    observed = (ca_p @ pooled_v) / n_a - (cb_p @ pooled_v) / n_b
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_hypergeometric(colors, n_b, size=permutations, method="marginals")
    sum_b = draws @ pooled_v
    diffs = (total - sum_b) / n_a - sum_b / n_b
    eps = 1e-9 * max(1.0, abs(observed))
    two = (1 + np.sum(np.abs(diffs) >= abs(observed) - eps)) / (permutations + 1)
    up = (1 + np.sum(diffs >= observed - eps)) / (permutations + 1)
    down = (1 + np.sum(diffs <= observed + eps)) / (permutations + 1)
    return float(two), float(up), float(down)


def _ratio_ci(
    vb: FloatArray, cb: IntArray, va: FloatArray, ca: IntArray, *, rng: np.random.Generator,
    resamples: int, level: float,
) -> tuple[float, float, FloatArray, FloatArray]:  # fmt: skip
    mb = bootstrap_means(vb, cb, rng, resamples)
    ma = bootstrap_means(va, ca, rng, resamples)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = ma / mb
    tail = (1 - level) / 2
    finite = ratios[np.isfinite(ratios)]
    if len(finite) < 0.9 * resamples:  # "before" mean often 0: the ratio is not bounded
        return math.nan, math.nan, mb, ma
    lo, hi = np.quantile(finite, [tail, 1 - tail])
    return float(lo), float(hi), mb, ma


def compare(
    before: tuple[ArrayLike, ArrayLike, int],
    after: tuple[ArrayLike, ArrayLike, int],
    *,
    seed: int = 0,
    resamples: int = DEFAULT_RESAMPLES,
    leave_out: Sequence[int] = LEAVE_OUT,
    leave_out_ci: bool = True,
    level: float = 0.95,
) -> LethalityComparison:
    """Compare lethality between two periods.

    Parameters
    ----------
    before, after : (values, counts, unknown)
        Death-count histograms of each period and their number of unknown counts.
    seed : int
        Seed of the bootstrap and permutation draws.
    resamples : int
        Bootstrap resamples and permutations (≥ 2,000 recommended).
    leave_out : sequence of int
        The k of the leave-k-largest-out sensitivity checks.
    leave_out_ci : bool
        Bootstrap an interval for each leave-k-out ratio too (NaN when False).
    """
    vb, cb = _arrays(before[0], before[1])
    va, ca = _arrays(after[0], after[1])
    rng = np.random.default_rng(seed)
    lo, hi, mb, ma = _ratio_ci(vb, cb, va, ca, rng=rng, resamples=resamples, level=level)
    sb = _summary(vb, cb, before[2], mb, level)
    sa = _summary(va, ca, after[2], ma, level)
    ratio = sa.mean / sb.mean if sb.mean and sb.mean > 0 else math.nan
    p2, pu, pd = permutation_test((vb, cb), (va, ca), seed=seed + 1, permutations=resamples)
    outs: list[LeaveOut] = []
    pooled = np.concatenate([vb, va])
    labels = np.concatenate([np.zeros(len(vb), dtype=bool), np.ones(len(va), dtype=bool)])
    counts = np.concatenate([cb, ca])
    for k in leave_out:
        if k >= int(counts.sum()):
            continue
        # drop the k deadliest attacks of both periods pooled (ties: 'after' first, the
        # stricter check for an increase)
        order = np.lexsort((~labels, -pooled))
        c = counts[order].copy()
        left = k
        for i in range(len(c)):
            if left == 0:
                break
            take = min(left, int(c[i]))
            c[i] -= take
            left -= take
        v, lab = pooled[order], labels[order]
        kb, ka = c[~lab], c[lab]
        klo = khi = math.nan
        if leave_out_ci:
            rng_k = np.random.default_rng(seed + 10 + k)
            klo, khi, _, _ = _ratio_ci(
                v[~lab], kb, v[lab], ka, rng=rng_k, resamples=resamples, level=level
            )
        nb, na = int(kb.sum()), int(ka.sum())
        mean_b = float(kb @ v[~lab]) / nb if nb else math.nan
        mean_a = float(ka @ v[lab]) / na if na else math.nan
        kratio = mean_a / mean_b if mean_b and mean_b > 0 else math.nan
        outs.append(LeaveOut(k=k, ratio=kratio, low=klo, high=khi))
    return LethalityComparison(
        before=sb,
        after=sa,
        ratio=ratio,
        low=lo,
        high=hi,
        difference=sa.mean - sb.mean,
        p_two_sided=p2,
        p_increase=pu,
        p_decrease=pd,
        leave_out=tuple(outs),
        resamples=resamples,
        seed=seed,
    )
