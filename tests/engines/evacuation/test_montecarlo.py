"""Monte Carlo over pre-movement and occupancy: seeded, reproducible distributions."""

from __future__ import annotations

import numpy as np
import pytest

from placeguard.core.errors import ValidationError
from placeguard.engines.evacuation.hydraulic import solve
from placeguard.engines.evacuation.layout import parse_layout
from placeguard.engines.evacuation.montecarlo import PreMovement, monte_carlo
from tests.engines.evacuation._layouts import room


def test_seeded_and_reproducible() -> None:
    layout = parse_layout(room(400, [1.5, 2.0]))
    a = monte_carlo(layout, runs=30, seed=11, occupants=(200, 400), target_time_s=120)
    b = monte_carlo(layout, runs=30, seed=11, occupants=(200, 400), target_time_s=120)
    c = monte_carlo(layout, runs=30, seed=12, occupants=(200, 400), target_time_s=120)
    assert a.to_dict() == b.to_dict()
    assert a.to_dict() != c.to_dict()
    t = a.total_time_s
    assert t.p5 <= t.p50 <= t.p95 <= t.p99
    assert 200 <= a.occupants.p5 <= a.occupants.p99 <= 400
    assert a.cleared_by_target is not None
    assert set(a.per_destination_clear_s) == {"exit-0", "exit-1"}


def test_every_run_starts_no_earlier_than_the_minimum_pre_movement() -> None:
    layout = parse_layout(room(300, [2.0]))
    pre = PreMovement(minimum_s=45.0, median_s=90.0, sigma=0.5)
    mc = monte_carlo(layout, runs=40, seed=3, occupants=(300, 300), pre_movement=pre)
    flow_only = 300 / (1.3 * 1.7)
    assert np.all(mc.samples[:, 1] >= 45.0 + flow_only - 0.5)
    no_pre = solve(layout).total_time_s
    assert mc.total_time_s.p5 >= no_pre + 45.0 - 2.0


def test_lognormal_quantiles() -> None:
    pre = PreMovement(minimum_s=30.0, median_s=60.0, sigma=0.6)
    draws = pre.sample(np.random.default_rng(0), 200_000)
    assert draws.min() >= 30.0
    assert np.median(draws) == pytest.approx(60.0, rel=0.01)
    assert np.quantile(draws, 0.99) == pytest.approx(pre.quantile(0.99), rel=0.02)


def test_bad_monte_carlo_input() -> None:
    layout = parse_layout(room(100, [2.0]))
    with pytest.raises(ValidationError):
        monte_carlo(layout, runs=0)
    with pytest.raises(ValidationError):
        monte_carlo(layout, runs=2, occupants=(10, 5000))  # over capacity at the top
    with pytest.raises(ValidationError):
        PreMovement(minimum_s=60, median_s=30)
