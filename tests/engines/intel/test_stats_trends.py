"""Trend tests: Mann–Kendall by hand, planted rate ratios recovered, breaks not read as trends."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.intel.stats import trends

YEARS = np.arange(1990, 2018)


def test_mann_kendall_matches_a_hand_computed_case() -> None:
    # x = 1 3 2 2 5: S = 4 − 1 + 1 + 1 = 5; Var S = (5·4·15 − 2·1·9) / 18 = 282/18
    mk = trends.mann_kendall([1, 3, 2, 2, 5])
    assert mk is not None
    assert mk.s == 5
    assert mk.var_s == pytest.approx(282 / 18)
    assert mk.z == pytest.approx(4 / math.sqrt(282 / 18))
    assert mk.p_value == pytest.approx(0.31220, abs=1e-4)
    # pairwise slopes sorted: -1 -.5 0 1/3 .5 2/3 1 1.5 2 3 → median (0.5 + 2/3) / 2
    assert mk.sen_slope == pytest.approx((0.5 + 2 / 3) / 2)


def test_mann_kendall_too_short_and_constant() -> None:
    assert trends.mann_kendall([1, 2]) is None
    flat = trends.mann_kendall([3, 3, 3, 3])
    assert flat is not None and flat.s == 0 and flat.p_value == 1.0


def _series(rng: np.random.Generator, rr: float, jumps: dict[int, float], base: float = 400.0,
            size: float | None = None) -> np.ndarray:  # fmt: skip
    mean = base * rr ** (YEARS - YEARS[0])
    for year, jump in jumps.items():
        mean = mean * np.where(year <= YEARS, jump, 1.0)
    if size is None:
        return rng.poisson(mean)
    return rng.negative_binomial(size, size / (size + mean))


@pytest.mark.parametrize("size", [None, 30.0])
def test_planted_rate_ratio_is_covered_at_the_nominal_rate(size: float | None) -> None:
    rng = np.random.default_rng(11)
    truth = 1.04
    covered = 0
    runs = 40
    for _ in range(runs):
        y = _series(rng, truth, {1998: 0.7, 2008: 1.3, 2012: 1.8}, size=size)
        fit = trends.count_trend(YEARS, y, breaks=trends.DEFAULT_BREAKS)
        assert fit is not None
        covered += fit.low <= truth <= fit.high
    assert covered >= 34  # 95 % nominal: P(fewer than 34 of 40) < 0.2 %


def test_overdispersed_series_gets_negative_binomial_and_poisson_stays_poisson() -> None:
    rng = np.random.default_rng(3)
    nb = trends.count_trend(YEARS, _series(rng, 1.0, {}, size=5.0))
    assert nb is not None and nb.model == "negative_binomial" and nb.alpha is not None
    assert nb.alpha == pytest.approx(1 / 5.0, rel=0.6)
    flat = trends.count_trend(YEARS, np.full(len(YEARS), 400))
    assert flat is not None and flat.model == "poisson"
    assert flat.rate_ratio == pytest.approx(1.0)


def test_nb_fit_agrees_with_statsmodels_maximum_likelihood() -> None:
    import warnings

    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    y = _series(rng, 1.03, {2012: 1.6}, size=8.0).astype(float)
    x, _ = trends.break_columns(YEARS, (2012,))
    design = np.column_stack([np.ones(len(YEARS)), YEARS - YEARS.mean(), x])
    ours = trends.nb2_fit(y, design, None, start=np.array([math.log(y.mean()), 0.0, 0.0]))
    assert ours is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.NegativeBinomial(y, design, loglike_method="nb2").fit(disp=0, maxiter=500)
    assert ours[0] == pytest.approx(np.asarray(ref.params)[:3], rel=1e-3, abs=1e-4)
    assert ours[2] == pytest.approx(float(np.asarray(ref.params)[3]), rel=2e-2)
    assert ours[1] == pytest.approx(np.asarray(ref.bse)[:3], rel=5e-2)


def test_a_pure_break_jump_is_not_a_trend_when_breaks_are_declared() -> None:
    rng = np.random.default_rng(7)
    flagged_adjusted = flagged_raw = jump_covered = 0
    for _ in range(20):
        y = _series(rng, 1.0, {2012: 1.8}, size=40.0)
        adjusted = trends.count_trend(YEARS, y, breaks=(2012,))
        raw = trends.count_trend(YEARS, y)
        assert adjusted is not None and raw is not None
        flagged_adjusted += not adjusted.low <= 1.0 <= adjusted.high
        flagged_raw += raw.low > 1.0
        jump = adjusted.break_effects[2012]
        jump_covered += jump.low <= 1.8 <= jump.high
    assert flagged_adjusted <= 3  # ≈ 5 % false positives
    assert flagged_raw >= 17  # the artefact reads as a rising trend without break terms
    assert jump_covered >= 17  # and the level shift itself is recovered


def test_break_columns_drop_breaks_outside_and_duplicates() -> None:
    years = np.array([2005, 2006, 2007, 2009, 2010])
    matrix, kept = trends.break_columns(years, (1998, 2008, 2009, 2012))
    assert kept == (2008,)  # 2009 gives the same column as 2008 (no 2008 in the data)
    assert matrix[:, 0].tolist() == [0, 0, 0, 1, 1]


def test_too_few_years_gives_none() -> None:
    assert trends.count_trend([2010, 2011, 2012], [1, 2, 3], breaks=(2011,)) is None
    assert trends.count_trend(YEARS, np.zeros(len(YEARS))) is None


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(min_value=1e-3, max_value=1e3), seed=st.integers(0, 1000))
def test_rate_ratio_is_invariant_to_scaling_the_exposure(scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(500, 1500, len(YEARS))
    y = rng.poisson(0.2 * exposure * 1.02 ** (YEARS - YEARS[0]))
    a = trends.count_trend(YEARS, y, exposure=exposure, breaks=(2012,))
    b = trends.count_trend(YEARS, y, exposure=exposure * scale, breaks=(2012,))
    assert a is not None and b is not None
    assert a.model == b.model
    assert b.rate_ratio == pytest.approx(a.rate_ratio, rel=1e-4)
    assert b.low == pytest.approx(a.low, rel=1e-3)


def test_share_trend_recovers_a_planted_odds_ratio_and_ignores_a_common_jump() -> None:
    rng = np.random.default_rng(9)
    covered = 0
    for _ in range(30):
        total = _series(rng, 1.0, {2012: 1.8}, base=3000.0, size=40.0)
        logit = -2.0 + np.log(1.05) * (YEARS - YEARS[0])
        part = rng.binomial(total, 1 / (1 + np.exp(-logit)))
        fit = trends.share_trend(YEARS, part, total, breaks=(2012,))
        assert fit is not None
        covered += fit.low <= 1.05 <= fit.high
    assert covered >= 25


def test_share_trend_quasi_binomial_when_overdispersed() -> None:
    rng = np.random.default_rng(2)
    total = np.full(len(YEARS), 5000)
    p = np.clip(0.1 + rng.normal(0, 0.03, len(YEARS)), 0.01, 0.9)  # extra-binomial noise
    fit = trends.share_trend(YEARS, rng.binomial(total, p), total)
    assert fit is not None and fit.model == "quasi_binomial" and fit.dispersion > 5
    assert fit.low <= 1.0 <= fit.high


def test_level_contrast_at_a_split_and_confounding_with_a_break() -> None:
    rng = np.random.default_rng(12)
    y = _series(rng, 1.0, {2005: 1.5}, size=None)
    contrast = trends.count_trend(YEARS, y, split=2005, breaks=(2012,))
    assert contrast is not None and contrast.split == 2005 and contrast.confounded == ()
    assert contrast.low <= 1.5 <= contrast.high
    same = trends.count_trend(YEARS, y, split=2012, breaks=(1998, 2012))
    assert same is not None and same.confounded == (2012,) and same.breaks == (1998,)
    share = trends.share_trend(YEARS, y, y * 4, split=2012, breaks=(2012,))
    assert share is not None and share.confounded == (2012,)
    assert share.odds_ratio == pytest.approx(1.0)


def test_a_sparse_selection_gives_no_estimate_instead_of_overflowing() -> None:
    # 14 incidents over three decades, none before the 2012 break: the break term separates
    # (its coefficient runs off to infinity). The trend must come back as None or finite.
    years = np.arange(1990, 2021)
    counts = np.zeros(len(years))
    counts[years >= 2012] = [1, 2, 1, 3, 1, 2, 1, 2, 1]
    for split in (None, 2015):
        result = trends.count_trend(years, counts, breaks=(1998, 2008, 2012), split=split)
        assert result is None or all(
            math.isfinite(v) for v in (result.rate_ratio, result.low, result.high)
        )
    share = trends.share_trend(years, counts, counts + 5, breaks=(1998, 2008, 2012))
    assert share is None or math.isfinite(share.high)
