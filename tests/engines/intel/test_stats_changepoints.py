"""Change points and Benjamini–Hochberg, against hand-worked cases and planted shifts."""

from __future__ import annotations

import numpy as np
import pytest

from placeguard.engines.intel.stats.changepoints import (
    benjamini_hochberg,
    dispersion_from_differences,
    segment,
)

YEARS = np.arange(1990, 2018)


def test_benjamini_hochberg_against_a_hand_worked_list() -> None:
    # sorted: .005 .01 .03 .04 .20 → p·m/i: .025 .025 .05 .05 .20 (already monotone)
    rejected, adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.20, np.nan], q=0.05)
    assert adjusted[:5] == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.20])
    assert np.isnan(adjusted[5])
    assert rejected.tolist() == [True, True, True, True, False, False]


def test_benjamini_hochberg_step_up_monotone() -> None:
    # sorted .01 .02 .03 .5 with m = 4: .04 .04 .04 .5
    rejected, adjusted = benjamini_hochberg([0.5, 0.03, 0.02, 0.01], q=0.04)
    assert adjusted.tolist() == pytest.approx([0.5, 0.04, 0.04, 0.04])
    assert rejected.tolist() == [False, True, True, True]


def test_planted_level_shift_is_found_and_flagged_at_a_collection_break() -> None:
    rng = np.random.default_rng(4)
    y = rng.poisson(np.where(YEARS >= 2012, 900, 500))
    seg = segment(YEARS, y, breaks=(1998, 2008, 2012))
    assert [c.year for c in seg.change_points] == [2012]
    assert seg.change_points[0].at_break == 2012
    assert seg.p_value < 1e-6


def test_shift_away_from_breaks_is_not_flagged() -> None:
    rng = np.random.default_rng(5)
    y = rng.poisson(np.where(YEARS >= 2003, 300, 600))
    seg = segment(YEARS, y, breaks=(1998, 2008, 2012))
    assert [c.year for c in seg.change_points] == [2003]
    assert seg.change_points[0].at_break is None


def test_no_change_in_a_stationary_series() -> None:
    rng = np.random.default_rng(6)
    for _ in range(10):
        seg = segment(YEARS, rng.poisson(400, len(YEARS)))
        assert seg.change_points == ()


def test_dispersion_is_robust_to_one_shift() -> None:
    rng = np.random.default_rng(7)
    y = rng.negative_binomial(20, 20 / (20 + np.where(YEARS >= 2010, 2000, 1000)))
    phi = dispersion_from_differences(y)
    assert 20 < phi < 400  # NB(20) at mean 1000–2000 → Var/μ ≈ 51–101
    assert dispersion_from_differences(np.full(10, 7)) == 1.0
