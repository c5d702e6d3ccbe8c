"""Empirical-Bayes threat likelihoods: a hand-computed case and shrinkage properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.intel.stats.likelihood import (
    Provenance,
    empirical_bayes,
    likelihoods,
    p_at_least_one,
)
from placeguard.engines.intel.stats.planted import Planted, planted_table
from placeguard.engines.intel.stats.source import table_from_arrow


def test_gamma_poisson_shrinkage_by_hand() -> None:
    # y = 0, 10, 50 over T = 10 years: m = 2, s² = 140/30, v = 14/3 − 1/5 = 67/15,
    # β = m/v = 30/67, α = 60/67; posterior means (α + y) / (β + 10) = (60 + 67 y) / 700
    eb = empirical_bayes(["r", "r", "r"], [0, 10, 50], [10, 10, 10])
    assert eb["prior_mean"] == pytest.approx([2, 2, 2])
    assert eb["rate"] == pytest.approx([60 / 700, 730 / 700, 3410 / 700])
    assert eb["weight"] == pytest.approx([670 / 700] * 3)
    lo0 = float(__import__("scipy").stats.gamma.ppf(0.025, 60 / 67, scale=67 / 700))
    assert eb["low"][0] == pytest.approx(lo0)


def test_small_regions_are_not_shrunk_and_identical_countries_are_pooled() -> None:
    eb = empirical_bayes(["a", "a", "b", "b", "b"], [4, 8, 5, 5, 5], [2, 2, 1, 1, 1])
    assert eb["rate"][:2] == pytest.approx([2, 4])  # region a has two countries: raw
    assert eb["weight"][:2] == pytest.approx([1, 1])
    assert eb["rate"][2:] == pytest.approx([5, 5, 5])  # no between-country variance
    assert eb["weight"][2:] == pytest.approx([0, 0, 0])


@settings(max_examples=40, deadline=None)
@given(
    events=st.lists(st.integers(0, 200), min_size=3, max_size=12),
    years=st.integers(1, 30),
)
def test_shrunk_rate_lies_between_raw_rate_and_regional_mean(events: list[int], years: int) -> None:
    eb = empirical_bayes(["r"] * len(events), events, [years] * len(events))
    raw, m, rate = eb["raw_rate"], eb["prior_mean"], eb["rate"]
    lo = np.minimum(raw, m) - 1e-9
    hi = np.maximum(raw, m) + 1e-9
    assert np.all((rate >= lo) & (rate <= hi))
    assert np.all((eb["low"] <= rate + 1e-9) & (rate <= eb["high"] + 1e-9))


def test_probability_of_at_least_one_attack() -> None:
    assert p_at_least_one([0.0, math.log(2)], 1.0) == pytest.approx([0.0, 0.5])
    assert p_at_least_one([0.1], 5.0)[0] == pytest.approx(1 - math.exp(-0.5))


def test_likelihoods_from_a_planted_table_carry_provenance_and_zero_cells() -> None:
    truth = Planted(first=2012, last=2017, base={"place_of_worship": 120.0, "retail": 30.0},
                    size=None, modes=("firearms", "arson"))  # fmt: skip
    table = table_from_arrow(planted_table(truth, seed=2))
    prov = Provenance(dataset="planted", release="t", filters="all", breaks=(2012,),
                      years=(2012, 2017))  # fmt: skip
    cells = likelihoods(table, years=(2012, 2017), horizon=5, provenance=prov)
    # 3 regions × 4 countries × 2 categories × 2 modes
    assert len(cells) == 48
    assert all(c.provenance == prov and c.years == 6 for c in cells)
    pow_cells = [c for c in cells if c.category == "place_of_worship"]
    # true rate per country and mode: 120 / 12 / 2 = 5 per year
    covered = sum(c.low <= 5.0 <= c.high for c in pow_cells)
    assert covered >= 20
    c = pow_cells[0]
    assert c.p_horizon == pytest.approx(1 - math.exp(-5 * c.rate))
    assert "planted t, 2012–2017" in prov.sentence()


def test_region_level_cells_shrink_towards_the_mean_over_regions() -> None:
    truth = Planted(first=2012, last=2017, base={"place_of_worship": 120.0}, size=None,
                    modes=("firearms",))  # fmt: skip
    table = table_from_arrow(planted_table(truth, seed=3))
    cells = likelihoods(table, years=(2012, 2017), level="region")
    assert sorted(c.region for c in cells) == sorted(truth.regions)
    assert all(c.country == "*" for c in cells)
    assert sum(c.events for c in cells) == table.count().to_pyarrow().as_py()
    with pytest.raises(ValueError, match="level"):
        likelihoods(table, years=(2012, 2017), level="city")
