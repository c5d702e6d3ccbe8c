"""Trend tests on yearly series: count GLMs with collection-break terms, share GLMs, Mann–Kendall.

* :func:`count_trend` — yearly counts regressed on year (plus one level-shift dummy per declared
  collection break inside the range). The family is chosen by an overdispersion test
  (Cameron & Trivedi 1990 auxiliary regression, one-sided, 5 %): negative binomial (NB2,
  dispersion by maximum likelihood) when it detects overdispersion; otherwise quasi-Poisson
  with the Pearson scale when that scale exceeds 1 (short series have little power to detect
  overdispersion, and deaths — sums of heavy-tailed per-attack counts — are never Poisson),
  plain Poisson when it does not. If the NB fit fails, quasi-Poisson. The annual rate ratio
  exp(β_year) is reported with a Wald 95 % interval (t quantiles for quasi-Poisson).
* :func:`share_trend` — a category's yearly share of all attacks (or deaths), binomial GLM on
  year + break dummies; quasi-binomial (Pearson scale) when the Pearson dispersion exceeds 1.
  Reports the annual odds ratio. This is the primary test for "X is rising": a change in data
  collection moves every category, so it largely cancels in the share.
* :func:`mann_kendall` — the non-parametric monotonic-trend test with the tie-corrected
  variance and continuity correction, plus Sen's slope (a robustness check).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "DEFAULT_BREAKS",
    "CountTrend",
    "MannKendall",
    "ShareTrend",
    "break_columns",
    "count_trend",
    "mann_kendall",
    "nb2_fit",
    "overdispersion_test",
    "share_trend",
]

FloatArray = NDArray[np.float64]
#: GTD's declared collection breaks (1 Jan 1998, 1 Apr 2008, 1 Jan 2012), as yearly dummies.
DEFAULT_BREAKS: tuple[int, ...] = (1998, 2008, 2012)
Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True, slots=True)
class Effect:
    """A multiplicative effect with its 95 % interval."""

    estimate: float
    low: float
    high: float

    def as_list(self) -> list[float]:
        """``[estimate, low, high]``."""
        return [self.estimate, self.low, self.high]


@dataclass(frozen=True, slots=True)
class CountTrend:
    """Annual rate ratio of a yearly count series.

    ``model`` is ``poisson``, ``negative_binomial`` or ``quasi_poisson``; ``breaks`` the break
    years that got a level-shift term (those strictly inside the range); ``break_effects`` the
    level-shift rate ratios.
    """

    rate_ratio: float
    low: float
    high: float
    p_value: float
    model: str
    dispersion_p: float
    alpha: float | None
    breaks: tuple[int, ...]
    n_years: int
    break_effects: dict[int, Effect] = field(default_factory=dict)
    split: int | None = None  # set: rate_ratio is after/before the split, not per year
    confounded: tuple[int, ...] = ()  # breaks whose dummy is the after-split indicator

    @property
    def ci(self) -> tuple[float, float]:
        """The 95 % interval of the rate ratio."""
        return (self.low, self.high)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {
            "rate_ratio": self.rate_ratio,
            "ci": [self.low, self.high],
            "p_value": self.p_value,
            "model": self.model,
            "overdispersion_p": self.dispersion_p,
            "nb_alpha": self.alpha,
            "breaks": list(self.breaks),
            "break_effects": {str(k): v.as_list() for k, v in self.break_effects.items()},
            "n_years": self.n_years,
            "split": self.split,
            "confounded_with_breaks": list(self.confounded),
        }


@dataclass(frozen=True, slots=True)
class ShareTrend:
    """Annual odds ratio of a share (binomial GLM)."""

    odds_ratio: float
    low: float
    high: float
    p_value: float
    model: str  # binomial | quasi_binomial
    dispersion: float
    breaks: tuple[int, ...]
    n_years: int
    split: int | None = None
    confounded: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {
            "odds_ratio": self.odds_ratio,
            "ci": [self.low, self.high],
            "p_value": self.p_value,
            "model": self.model,
            "dispersion": self.dispersion,
            "breaks": list(self.breaks),
            "n_years": self.n_years,
            "split": self.split,
            "confounded_with_breaks": list(self.confounded),
        }


@dataclass(frozen=True, slots=True)
class MannKendall:
    """Mann–Kendall S, its tie-corrected variance, Z, two-sided p and Sen's slope."""

    s: int
    var_s: float
    z: float
    p_value: float
    sen_slope: float
    n: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping."""
        return {"S": self.s, "var_S": self.var_s, "Z": self.z, "p_value": self.p_value,
                "sen_slope": self.sen_slope, "n": self.n}  # fmt: skip


def break_columns(years: ArrayLike, breaks: Sequence[int]) -> tuple[FloatArray, tuple[int, ...]]:
    """Level-shift dummies ``year >= b`` for the breaks with years on both sides.

    Returns the (n, B) dummy matrix and the breaks kept; duplicates of an earlier column are
    dropped (two breaks with no year between them are one shift).
    """
    y = np.asarray(years, dtype=np.int64)
    cols: list[FloatArray] = []
    kept: list[int] = []
    for b in sorted(set(breaks)):
        col = (y >= b).astype(np.float64)
        if 0 < col.sum() < len(y) and not any(np.array_equal(col, c) for c in cols):
            cols.append(col)
            kept.append(b)
    matrix = np.column_stack(cols) if cols else np.zeros((len(y), 0))
    return matrix, tuple(kept)


def _design(
    years: NDArray[np.int64], breaks: Sequence[int], split: int | None = None
) -> tuple[FloatArray, tuple[int, ...], tuple[int, ...]]:
    """Design matrix [1, year (centred) or after-split indicator, break dummies], the breaks
    kept and those dropped because their dummy is the after-split indicator itself."""
    if split is None:
        effect = (years - years.mean()).astype(np.float64)
        dummies, kept = break_columns(years, breaks)
        return np.column_stack([np.ones(len(years)), effect, dummies]), kept, ()
    effect = (years >= split).astype(np.float64)
    same = tuple(b for b in breaks if np.array_equal((years >= b).astype(np.float64), effect))
    dummies, kept = break_columns(years, [b for b in breaks if b not in same])
    keep = [i for i in range(dummies.shape[1]) if not np.array_equal(dummies[:, i], effect)]
    return (
        np.column_stack([np.ones(len(years)), effect, dummies[:, keep]]),
        tuple(kept[i] for i in keep),
        same,
    )


def overdispersion_test(y: FloatArray, mu: FloatArray) -> tuple[float, float]:
    """Cameron–Trivedi test of Var(y) = μ + α μ²: (α̂, one-sided p for α > 0)."""
    z = ((y - mu) ** 2 - y) / mu
    denom = float(np.sum(mu * mu))
    alpha = float(np.sum(mu * z) / denom)
    resid = z - alpha * mu
    dof = max(len(y) - 1, 1)
    se = math.sqrt(float(np.sum(resid * resid)) / dof / denom)
    if se == 0.0:
        return alpha, 0.0 if alpha > 0 else 1.0
    return alpha, float(stats.t.sf(alpha / se, dof))


def _irls_nb(
    y: FloatArray, x: FloatArray, offset: FloatArray, alpha: float, beta: FloatArray
) -> tuple[FloatArray, FloatArray] | None:
    """IRLS for an NB2 log-link GLM at fixed ``alpha``: (β, μ), None if it diverges."""
    for _ in range(100):
        eta = x @ beta + offset
        mu = np.exp(np.clip(eta, -700, 700))
        w = mu / (1.0 + alpha * mu)
        z = eta - offset + (y - mu) / mu
        xtw = x.T * w
        try:
            new = np.linalg.solve(xtw @ x, xtw @ z)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(new)):
            return None
        done = bool(np.max(np.abs(new - beta)) < 1e-8)
        beta = np.asarray(new, dtype=np.float64)
        if done:
            break
    mu = np.exp(np.clip(x @ beta + offset, -700, 700))
    return beta, mu


def _nb2_loglik(y: FloatArray, mu: FloatArray, alpha: float) -> float:
    from scipy.special import gammaln

    r = 1.0 / alpha
    return float(
        np.sum(
            gammaln(y + r) - gammaln(r) - gammaln(y + 1)
            + y * np.log(alpha * mu / (1 + alpha * mu)) - r * np.log1p(alpha * mu)
        )
    )  # fmt: skip


def nb2_fit(
    y: FloatArray, x: FloatArray, offset: FloatArray | None, *, start: FloatArray
) -> tuple[FloatArray, FloatArray, float] | None:
    """Negative-binomial (NB2, Var = μ + αμ²) regression by maximum likelihood.

    α maximises the profile likelihood (β by IRLS at each α; bounded search over log α in
    [−15, 5]); β's standard errors come from the Fisher information ``X'WX`` with
    ``W = μ / (1 + αμ)`` (β and α are orthogonal in NB2). Returns (β, se(β), α) or None.
    """
    from scipy.optimize import minimize_scalar

    off = np.zeros(len(y)) if offset is None else offset
    state = {"beta": start.copy()}

    def negll(log_alpha: float) -> float:
        fit = _irls_nb(y, x, off, math.exp(log_alpha), state["beta"])
        if fit is None:
            return math.inf
        state["beta"] = fit[0]
        return -_nb2_loglik(y, fit[1], math.exp(log_alpha))

    res = minimize_scalar(negll, bounds=(-15.0, 5.0), method="bounded",
                          options={"xatol": 1e-4})  # fmt: skip
    if not res.success or not math.isfinite(res.fun):
        return None
    alpha = math.exp(float(res.x))
    fit = _irls_nb(y, x, off, alpha, state["beta"])
    if fit is None:
        return None
    beta, mu = fit
    w = mu / (1.0 + alpha * mu)
    try:
        cov = np.linalg.inv((x.T * w) @ x)
    except np.linalg.LinAlgError:
        return None
    se = np.sqrt(np.diag(cov))
    if not np.all(np.isfinite(se)):
        return None
    return beta, se, alpha


def count_trend(
    years: ArrayLike,
    counts: ArrayLike,
    *,
    breaks: Sequence[int] = (),
    exposure: ArrayLike | None = None,
    family: str = "auto",
    split: int | None = None,
) -> CountTrend | None:
    """Annual rate ratio of ``counts`` over ``years`` (see the module docstring).

    Parameters
    ----------
    years, counts : array-like
        One entry per covered year (missing years already left out).
    breaks : sequence of int
        Declared collection-break years; each gets a level-shift dummy when it falls strictly
        inside the range.
    exposure : array-like, optional
        Per-year exposure (e.g. total attacks); enters as log offset.
    family : str
        ``auto`` (overdispersion test), ``poisson``, ``negative_binomial`` or
        ``quasi_poisson``.
    split : int, optional
        Instead of the annual trend, estimate the level change from ``split`` on: the year
        term is replaced by the indicator ``year >= split`` and ``rate_ratio`` is the ratio
        of the levels after and before (adjusted for the break terms). A break whose dummy is
        that indicator cannot be separated from it: it is dropped and listed in
        ``confounded``.

    Returns
    -------
    CountTrend or None
        None when there are too few years for the terms (fewer than parameters + 2) or no
        events at all.
    """
    import statsmodels.api as sm

    yrs = np.asarray(years, dtype=np.int64)
    y = np.asarray(counts, dtype=np.float64)
    x, kept, same = _design(yrs, breaks, split)
    if split is not None and not 0 < x[:, 1].sum() < len(yrs):
        return None
    offset = None if exposure is None else np.log(np.asarray(exposure, dtype=np.float64))
    if len(y) < x.shape[1] + 2 or y.sum() <= 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit()
        mu = np.asarray(pois.fittedvalues, dtype=np.float64)
        _alpha_mom, disp_p = overdispersion_test(y, np.maximum(mu, 1e-12))
        pearson = float(pois.pearson_chi2 / pois.df_resid) if pois.df_resid > 0 else 1.0
        chosen = family
        if family == "auto":
            if disp_p < 0.05:
                chosen = "negative_binomial"
            else:
                chosen = "quasi_poisson" if pearson > 1.0 else "poisson"
        alpha: float | None = None
        result = pois
        nb_params = nb_bse = np.zeros(0)
        if chosen == "negative_binomial":
            nb_fit = nb2_fit(y, x, offset, start=np.asarray(pois.params, dtype=np.float64))
            if nb_fit is None:
                chosen = "quasi_poisson"
            else:
                nb_params, nb_bse, alpha = nb_fit
    if chosen == "negative_binomial":
        params, bse = nb_params, nb_bse
    else:
        params = np.asarray(result.params, dtype=np.float64)
        bse = np.asarray(result.bse, dtype=np.float64)
        if chosen == "quasi_poisson":  # Pearson scale, never below 1
            bse = bse * math.sqrt(max(pearson, 1.0))
    df = float(len(y) - x.shape[1])
    crit = float(stats.t.ppf(0.975, df)) if chosen == "quasi_poisson" else Z95
    beta, se = float(params[1]), float(bse[1])
    if not math.isfinite(se) or not _estimable(beta, crit * se):
        return None
    stat = beta / se if se > 0 else math.inf
    p = 2 * (stats.t.sf(abs(stat), df) if chosen == "quasi_poisson" else stats.norm.sf(abs(stat)))
    effects = {
        b: Effect(
            _exp(float(params[2 + i])),
            _exp(float(params[2 + i]) - crit * float(bse[2 + i])),
            _exp(float(params[2 + i]) + crit * float(bse[2 + i])),
        )
        for i, b in enumerate(kept)
    }
    return CountTrend(
        rate_ratio=math.exp(beta),
        low=math.exp(beta - crit * se),
        high=math.exp(beta + crit * se),
        p_value=float(p),
        model=chosen,
        dispersion_p=disp_p,
        alpha=alpha,
        breaks=kept,
        n_years=len(y),
        break_effects=effects,
        split=split,
        confounded=same,
    )


# A log-scale coefficient this far from zero means the model is separated (e.g. a break term
# with no events on one side in a sparse selection): no estimate, rather than an overflow.
_MAX_LOG = 50.0


def _estimable(beta: float, half_width: float) -> bool:
    """True when ``exp`` of the estimate and both interval ends are finite and meaningful."""
    return math.isfinite(beta) and math.isfinite(half_width) and abs(beta) + half_width < _MAX_LOG


def _exp(value: float) -> float:
    """``exp`` that answers ``inf`` (or 0) for a separated break term instead of overflowing."""
    return math.exp(max(min(value, 700.0), -700.0))


def share_trend(
    years: ArrayLike,
    part: ArrayLike,
    total: ArrayLike,
    *,
    breaks: Sequence[int] = (),
    split: int | None = None,
) -> ShareTrend | None:
    """Annual odds ratio of the share ``part / total`` (years with ``total == 0`` left out);
    with ``split``, the odds ratio after/before the split (as in :func:`count_trend`)."""
    import statsmodels.api as sm

    yrs = np.asarray(years, dtype=np.int64)
    k = np.asarray(part, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    keep = n > 0
    yrs, k, n = yrs[keep], k[keep], n[keep]
    x, kept, same = _design(yrs, breaks, split)
    if split is not None and not 0 < x[:, 1].sum() < len(yrs):
        return None
    if len(k) < x.shape[1] + 2 or k.sum() <= 0 or (n - k).sum() <= 0:
        return None
    endog = np.column_stack([k, n - k])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(endog, x, family=sm.families.Binomial()).fit()
    df = float(fit.df_resid)
    dispersion = float(fit.pearson_chi2 / df) if df > 0 else 1.0
    model = "quasi_binomial" if dispersion > 1.0 else "binomial"
    beta = float(fit.params[1])
    se = float(fit.bse[1]) * math.sqrt(max(dispersion, 1.0))
    crit = float(stats.t.ppf(0.975, df)) if model == "quasi_binomial" else Z95
    if not math.isfinite(se) or se <= 0 or not _estimable(beta, crit * se):
        return None
    stat = beta / se
    p = 2 * (stats.t.sf(abs(stat), df) if model == "quasi_binomial" else stats.norm.sf(abs(stat)))
    return ShareTrend(
        odds_ratio=math.exp(beta),
        low=math.exp(beta - crit * se),
        high=math.exp(beta + crit * se),
        p_value=float(p),
        model=model,
        dispersion=dispersion,
        breaks=kept,
        n_years=len(k),
        split=split,
        confounded=same,
    )


def mann_kendall(values: ArrayLike, times: ArrayLike | None = None) -> MannKendall | None:
    """Mann–Kendall trend test (tie-corrected variance, continuity correction) and Sen's slope.

    ``S = Σ_{i<j} sign(x_j − x_i)``; ``Var S = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18`` over
    groups of ``t`` tied values; ``Z = (S − sign S) / √Var S``; two-sided normal p. Sen's
    slope is the median of the pairwise slopes over ``times`` (default 0, 1, 2 …). None for
    fewer than 3 values.
    """
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    if n < 3:
        return None
    t = np.arange(n, dtype=np.float64) if times is None else np.asarray(times, dtype=np.float64)
    i, j = np.triu_indices(n, k=1)
    s = int(np.sign(x[j] - x[i]).sum())
    _, ties = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18.0
    z = (s - np.sign(s)) / math.sqrt(var) if var > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    slope = float(np.median((x[j] - x[i]) / (t[j] - t[i])))
    return MannKendall(s=s, var_s=var, z=float(z), p_value=p, sen_slope=slope, n=n)
