"""The incremental HiGHS model: rows added between solves, statuses never mistaken."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from placeguard.engines.highs import IncrementalMilp, SparseRows


def knapsack(values: list[int], weights: list[int], capacity: int) -> IncrementalMilp:
    n = len(values)
    model = IncrementalMilp(
        cost=-np.array(values, dtype=float),
        lower=np.zeros(n),
        upper=np.ones(n),
        integer=np.ones(n, dtype=bool),
    )
    rows = SparseRows()
    rows.add(list(enumerate(map(float, weights))), -np.inf, float(capacity))
    model.add_rows(rows)
    return model


@settings(max_examples=40, deadline=None)
@given(
    items=st.lists(st.tuples(st.integers(0, 30), st.integers(1, 20)), min_size=1, max_size=7),
    capacity=st.integers(0, 60),
    cap_two=st.booleans(),
)
@example(items=[(1, 2), (1, 3), (17, 9), (17, 1), (18, 10)], capacity=12, cap_two=True)
def test_knapsack_matches_enumeration_before_and_after_adding_a_row(
    items: list[tuple[int, int]], capacity: int, cap_two: bool
) -> None:
    values, weights = [v for v, _ in items], [w for _, w in items]
    model = knapsack(values, weights, capacity)

    def best(limit: int | None) -> int:
        return max(
            sum(v for v, p in zip(values, pick, strict=True) if p)
            for pick in itertools.product([0, 1], repeat=len(items))
            if sum(w for w, p in zip(weights, pick, strict=True) if p) <= capacity
            and (limit is None or sum(pick) <= limit)
        )

    first = model.solve(time_limit=10, rel_gap=0.0)
    assert first.optimal
    assert -first.objective == pytest.approx(best(None), abs=1e-6)  # HiGHS sums in floating point
    assert np.allclose(first.x, np.round(first.x))
    if cap_two:  # a row added later is honoured by the next solve
        rows = SparseRows()
        rows.add([(j, 1.0) for j in range(len(items))], -np.inf, 2.0)
        model.add_rows(rows)
        second = model.solve(time_limit=10, rel_gap=0.0)
        assert second.optimal
        assert -second.objective == pytest.approx(best(2), abs=1e-6)
        assert np.round(second.x).sum() <= 2


def test_an_infeasible_model_is_not_optimal() -> None:
    model = knapsack([1, 2], [1, 1], 5)
    rows = SparseRows()
    rows.add([(0, 1.0), (1, 1.0)], 3.0, np.inf)  # two binaries cannot sum to 3
    model.add_rows(rows)
    outcome = model.solve(time_limit=10, rel_gap=0.0)
    assert not outcome.optimal
    assert "nfeasible" in outcome.status
