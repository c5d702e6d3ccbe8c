"""National allocation: greedy options per site, exact choice across sites."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.risk.allocation import allocate, greedy_options
from placeguard.engines.risk.planning import PlanProblem


def problem(risk: list[float], factor: list[list[float]], capex: list[float]) -> PlanProblem:
    n = len(capex)
    return PlanProblem(risk=np.array(risk), factor=np.array(factor), capex=np.array(capex, dtype=float),
                       opex=np.zeros(n), openness=np.zeros(n), requires=(), excludes=(),
                       ids=tuple(f"M{i}" for i in range(n)))  # fmt: skip


def test_greedy_options_are_nested_and_start_from_nothing() -> None:
    p = problem([1.0, 2.0], [[0.5, 1.0], [1.0, 0.5], [0.9, 0.9]], [10, 10, 1])
    options = greedy_options(p)
    assert options[0].chosen == () and options[0].risk == pytest.approx(3.0)
    for a, b in itertools.pairwise(options):
        assert set(a.chosen) < set(b.chosen)
        assert b.capex >= a.capex and b.risk <= a.risk
    # best ratio first: M2 (0.3 per 1), then M1 (1.0 per 10 of the remaining), then M0
    order = [next(iter(set(b.chosen) - set(a.chosen))) for a, b in itertools.pairwise(options)]
    assert order == ["M2", "M1", "M0"]


def test_greedy_respects_prerequisites_and_exclusions() -> None:
    p = PlanProblem(risk=np.array([1.0]), factor=np.array([[0.5], [0.1], [0.2]]), capex=np.array([1.0, 1.0, 1.0]),
                    opex=np.zeros(3), openness=np.zeros(3), requires=((1, 0),), excludes=((1, 2),),
                    ids=("A", "B", "C"))  # fmt: skip
    for option in greedy_options(p):
        assert "B" not in option.chosen or "A" in option.chosen
        assert not {"B", "C"} <= set(option.chosen)


@settings(max_examples=40, deadline=None)
@given(
    sites=st.lists(
        st.tuples(st.floats(0.01, 5), st.lists(st.tuples(st.floats(0.1, 1.0), st.integers(1, 30)), min_size=1, max_size=3)),
        min_size=1, max_size=4,
    ),
    budget=st.integers(0, 60),
)  # fmt: skip
def test_allocation_is_optimal_over_the_options_and_within_budget(sites: list, budget: int) -> None:
    problems = [problem([r], [[f] for f, _ in ms], [c for _, c in ms]) for r, ms in sites]
    result = allocate(problems, budget=budget)
    assert result.spent <= budget + 1e-9
    # exhaustive search over the same per-site options
    options = [greedy_options(p) for p in problems]
    best = min(
        sum(o.risk for o in combo)
        for combo in itertools.product(*options)
        if sum(o.capex for o in combo) <= budget + 1e-9
    )
    assert result.risk_after == pytest.approx(best, rel=1e-6)
    assert result.lp_bound <= result.risk_after * (1 + 1e-9)
    assert result.risk_after <= result.risk_before


def test_no_sites_is_an_empty_allocation() -> None:
    result = allocate([], budget=100)
    assert result.plans == () and result.spent == 0 and result.risk_after == 0
