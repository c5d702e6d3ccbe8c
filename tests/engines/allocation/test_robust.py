"""Quantal-response and interval-robust coverage, reported beside the SSE."""

from __future__ import annotations

import numpy as np
import pytest

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.games import solve_game
from placeguard.engines.allocation.games_robust import (
    IntervalPayoffs,
    _quantal_and_gradient,
    compare_models,
    interval_worst_case,
    quantal_utility,
    solve_interval,
    solve_quantal,
)
from tests.engines.allocation.test_games import game


def random_rows(n: int, seed: int) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.integers(1, 11, n), -rng.integers(1, 11, n),
                            -rng.integers(1, 11, n), rng.integers(1, 11, n)]).tolist()  # fmt: skip


def test_quantal_gradient_matches_finite_differences() -> None:
    g = game(random_rows(6, 1), 2)
    c = np.random.default_rng(2).random(6) * 0.5
    _, grad = _quantal_and_gradient(g.payoffs, c, 0.7)
    h = 1e-6
    numeric = [(quantal_utility(g.payoffs, c + h * e, 0.7) - quantal_utility(g.payoffs, c - h * e, 0.7)) / (2 * h)
               for e in np.eye(6)]  # fmt: skip
    assert grad == pytest.approx(numeric, abs=1e-6)


def test_a_random_attacker_is_the_plain_average() -> None:
    g = game(random_rows(5, 3), 1)
    c = np.full(5, 0.2)
    assert quantal_utility(g.payoffs, c, 0.0) == pytest.approx(g.payoffs.defender(c).mean())


def test_quantal_coverage_beats_the_sse_coverage_against_that_attacker() -> None:
    g = game(random_rows(20, 4), 4)
    sse = solve_game(g).coverage
    best = solve_quantal(g, rationality=0.76)
    assert best.coverage.sum() <= 4 + 1e-6
    assert np.all((best.coverage >= -1e-9) & (best.coverage <= 1 + 1e-9))
    assert best.defender_utility >= quantal_utility(g.payoffs, sse, 0.76) - 1e-9


def test_negative_rationality_is_rejected() -> None:
    with pytest.raises(ValidationError):
        solve_quantal(game(random_rows(3, 5), 1), rationality=-1)


def exact_intervals(g: object) -> IntervalPayoffs:
    p = g.payoffs  # type: ignore[attr-defined]
    return IntervalPayoffs(attacker_covered_low=p.attacker_covered, attacker_covered_high=p.attacker_covered,
                           attacker_uncovered_low=p.attacker_uncovered, attacker_uncovered_high=p.attacker_uncovered)  # fmt: skip


@pytest.mark.parametrize("seed", range(5))
def test_degenerate_intervals_give_the_sse(seed: int) -> None:
    g = game(random_rows(8, seed), 2)
    robust = solve_interval(g, exact_intervals(g))
    assert robust.worst_case_utility == pytest.approx(solve_game(g).defender_utility, abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_robust_coverage_is_at_least_as_safe_as_the_sse(seed: int) -> None:
    g = game(random_rows(10, seed), 3)
    p = g.payoffs
    iv = IntervalPayoffs(attacker_covered_low=p.attacker_covered - 1, attacker_covered_high=p.attacker_covered,
                         attacker_uncovered_low=p.attacker_uncovered - 1,
                         attacker_uncovered_high=p.attacker_uncovered + 1)  # fmt: skip
    robust = solve_interval(g, iv)
    sse = solve_game(g).coverage
    assert robust.worst_case_utility >= interval_worst_case(p, iv, sse) - 1e-6
    assert robust.worst_case_utility <= solve_game(g).defender_utility + 1e-6
    assert robust.coverage.sum() <= 3 + 1e-6


def test_comparison_table_reports_every_coverage_under_every_model() -> None:
    g = game(random_rows(8, 9), 2)
    table = compare_models(g, rationality=0.5, intervals=exact_intervals(g))
    assert set(table.coverages) == {"sse", "quantal", "interval"}
    for row in table.utilities.values():
        assert set(row) == {"rational", "quantal", "interval"}
    assert table.utilities["sse"]["rational"] >= table.utilities["quantal"]["rational"] - 1e-9
    assert table.utilities["quantal"]["quantal"] >= table.utilities["sse"]["quantal"] - 1e-9


def test_reversed_intervals_are_reported() -> None:
    g = game(random_rows(2, 1), 1)
    p = g.payoffs
    iv = IntervalPayoffs(attacker_covered_low=p.attacker_covered + 1, attacker_covered_high=p.attacker_covered,
                         attacker_uncovered_low=p.attacker_uncovered, attacker_uncovered_high=p.attacker_uncovered)  # fmt: skip
    with pytest.raises(ValidationError):
        solve_interval(g, iv)
