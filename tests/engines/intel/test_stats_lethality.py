"""Lethality: histogram bootstrap and permutation test against closed forms and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.intel.stats import lethality


def _hist(deaths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, counts = np.unique(deaths, return_counts=True)
    return values.astype(float), counts


def test_bootstrap_interval_matches_the_normal_interval_on_a_large_sample() -> None:
    rng = np.random.default_rng(1)
    deaths = rng.negative_binomial(0.8, 0.8 / (0.8 + 3.0), 50_000)
    v, c = _hist(deaths)
    s = lethality.summarise(v, c, seed=4, resamples=4000)
    half = 1.96 * deaths.std(ddof=1) / math.sqrt(len(deaths))
    assert s.mean == pytest.approx(deaths.mean())
    assert s.low == pytest.approx(deaths.mean() - half, abs=0.1 * half)
    assert s.high == pytest.approx(deaths.mean() + half, abs=0.1 * half)


def test_summary_median_and_shares_by_hand() -> None:
    # attacks: 0 0 0 1 2 12 → median (0 + 1) / 2, lethal 3/6, ≥ 10: 1/6
    s = lethality.summarise([0, 1, 2, 12], [3, 1, 1, 1], unknown=4, resamples=2000)
    assert s.attacks == 6 and s.unknown == 4 and s.deaths == 15
    assert s.mean == pytest.approx(15 / 6)
    assert s.median == 0.5
    assert s.share_lethal == pytest.approx(0.5)
    assert s.share_mass == pytest.approx(1 / 6)
    assert 0 <= s.low <= s.mean <= s.high


def test_bootstrap_is_seeded() -> None:
    a = lethality.summarise([0, 1, 5], [10, 5, 2], seed=3)
    b = lethality.summarise([0, 1, 5], [10, 5, 2], seed=3)
    assert (a.low, a.high) == (b.low, b.high)


def test_permutation_matches_a_brute_force_shuffle() -> None:
    rng = np.random.default_rng(2)
    before = rng.poisson(1.0, 40)
    after = rng.poisson(1.6, 50)
    p2, up, _ = lethality.permutation_test(_hist(before), _hist(after), seed=1,
                                           permutations=4000)  # fmt: skip
    pooled = np.concatenate([before, after]).astype(float)
    obs = after.mean() - before.mean()
    hits = hits_up = 0
    for _ in range(4000):
        perm = rng.permutation(pooled)
        d = perm[40:].mean() - perm[:40].mean()
        hits += abs(d) >= abs(obs) - 1e-12
        hits_up += d >= obs - 1e-12
    assert p2 == pytest.approx((1 + hits) / 4001, abs=0.02)
    assert up == pytest.approx((1 + hits_up) / 4001, abs=0.02)


@settings(max_examples=30, deadline=None)
@given(
    before=st.lists(st.integers(0, 30), min_size=1, max_size=30),
    after=st.lists(st.integers(0, 30), min_size=1, max_size=30),
    seed=st.integers(0, 100),
)
def test_permutation_p_values_are_probabilities(
    before: list[int], after: list[int], seed: int
) -> None:
    p2, up, down = lethality.permutation_test(
        _hist(np.array(before)), _hist(np.array(after)), seed=seed, permutations=200
    )
    for p in (p2, up, down):
        assert 0 < p <= 1


def test_compare_recovers_a_planted_ratio_and_leave_k_out_drops_the_largest() -> None:
    rng = np.random.default_rng(8)
    before = rng.negative_binomial(0.5, 0.5 / (0.5 + 2.0), 8000)
    after = rng.negative_binomial(0.5, 0.5 / (0.5 + 3.0), 8000)
    after[:3] = [900, 800, 700]  # three mass-casualty outliers in the "after" period
    vb, cb = _hist(before)
    va, ca = _hist(after)
    comp = lethality.compare((vb, cb, 0), (va, ca, 12), seed=1, leave_out=(1, 3))
    assert comp.after.unknown == 12
    assert comp.low <= after.mean() / before.mean() <= comp.high
    k3 = comp.leave_out[1]
    trimmed = np.sort(after)[:-3]
    assert k3.k == 3 and k3.ratio == pytest.approx(trimmed.mean() / before.mean())
    assert k3.low <= 1.5 <= k3.high  # the planted ratio (3 / 2) without the outliers
    assert comp.p_increase < 0.01 and comp.p_two_sided < 0.01


def test_empty_period_gives_nan_not_zero() -> None:
    comp = lethality.compare((np.array([]), np.array([]), 5), ([0.0, 2.0], [3, 1], 0), seed=0)
    assert comp.before.attacks == 0 and comp.before.unknown == 5
    assert math.isnan(comp.before.mean) and math.isnan(comp.ratio)
