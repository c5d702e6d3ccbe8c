"""The interval-robust solver returns its best coverage and gap when time runs out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from placeguard.engines.allocation import games_robust
from placeguard.engines.allocation._highs import LinearResult, SolverError
from placeguard.engines.allocation.games import solve_game
from placeguard.engines.allocation.games_robust import (
    IntervalPayoffs,
    compare_models,
    interval_worst_case,
    solve_interval,
)
from tests.engines.allocation.test_games import game
from tests.engines.allocation.test_robust import random_rows


def wide_intervals(g: Any) -> IntervalPayoffs:
    p = g.payoffs
    return IntervalPayoffs(
        attacker_covered_low=p.attacker_covered - 1,
        attacker_covered_high=p.attacker_covered,
        attacker_uncovered_low=p.attacker_uncovered - 1,
        attacker_uncovered_high=p.attacker_uncovered + 1,
    )


def timing_out(monkeypatch: pytest.MonkeyPatch, *, keep_x: bool, slack: float) -> None:
    """Make HiGHS report a time-out: with its real answer (or none) and a looser bound."""
    real = games_robust.solve_linear

    def fake(*args: Any, **kwargs: Any) -> LinearResult:
        result = real(*args, **{**kwargs, "time_limit": None})  # the true optimum…
        assert result.status == "optimal"
        return replace(
            result,
            status="time_limit",
            x=result.x if keep_x else None,
            objective=result.objective if keep_x else float("nan"),
            bound=result.bound - slack,
        )

    monkeypatch.setattr(games_robust, "solve_linear", fake)


def test_time_out_with_an_incumbent_reports_its_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    g = game(random_rows(10, 2), 3)
    iv = wide_intervals(g)
    exact = solve_interval(g, iv)
    assert exact.status == "optimal" and exact.proven_optimal and exact.gap == 0.0
    timing_out(monkeypatch, keep_x=True, slack=0.5)
    found = solve_interval(g, iv, time_limit=0.01)
    assert found.status == "time_limit" and not found.proven_optimal
    assert found.worst_case_utility == pytest.approx(exact.worst_case_utility, abs=1e-6)
    assert found.upper_bound == pytest.approx(exact.worst_case_utility + 0.5, abs=1e-6)
    assert found.gap_absolute == pytest.approx(0.5, abs=1e-6)
    assert found.gap == pytest.approx(0.5 / abs(found.worst_case_utility), rel=1e-6)
    assert found.coverage.sum() <= 3 + 1e-6


def test_time_out_without_an_incumbent_falls_back_to_the_sse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = game(random_rows(10, 3), 3)
    iv = wide_intervals(g)
    timing_out(monkeypatch, keep_x=False, slack=float("inf"))  # no bound either
    found = solve_interval(g, iv, time_limit=0.01)
    sse = solve_game(g).coverage
    assert found.status == "time_limit" and not found.proven_optimal
    np.testing.assert_allclose(found.coverage, sse)
    assert found.worst_case_utility == pytest.approx(interval_worst_case(g.payoffs, iv, sse))
    # Without a dual bound the largest covered defender payoff bounds the optimum.
    assert found.upper_bound == pytest.approx(float(g.payoffs.defender_covered.max()))
    assert found.gap > 0


def test_comparison_carries_the_interval_status(monkeypatch: pytest.MonkeyPatch) -> None:
    g = game(random_rows(8, 4), 2)
    timing_out(monkeypatch, keep_x=True, slack=0.25)
    table = compare_models(g, intervals=wide_intervals(g), interval_time_limit=0.01)
    assert table.interval is not None and table.interval.status == "time_limit"
    assert table.interval.gap_absolute == pytest.approx(0.25, abs=1e-6)
    np.testing.assert_allclose(table.coverages["interval"], table.interval.coverage)


def test_a_real_tiny_time_limit_is_consistent() -> None:
    g = game(random_rows(80, 7), 12)
    iv = wide_intervals(g)
    found = solve_interval(g, iv, time_limit=1e-3)
    assert found.status in {"optimal", "time_limit"}
    assert found.proven_optimal == (found.status == "optimal")
    assert found.upper_bound >= found.worst_case_utility - 1e-9
    assert found.gap >= 0
    assert found.coverage.sum() <= 12 + 1e-6
    if not found.proven_optimal:
        sse = solve_game(g).coverage
        assert found.worst_case_utility >= interval_worst_case(g.payoffs, iv, sse) - 1e-9


def test_other_solver_failures_still_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    g = game(random_rows(4, 5), 1)

    def infeasible(*args: Any, **kwargs: Any) -> LinearResult:
        return LinearResult("infeasible", None, float("nan"), float("inf"), 0)

    monkeypatch.setattr(games_robust, "solve_linear", infeasible)
    with pytest.raises(SolverError):
        solve_interval(g, wide_intervals(g))
