"""MCLP and LSCP against brute-force enumeration, bounds, gaps and honest solver status."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import milp
from scipy.sparse.csgraph import dijkstra

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation import siting
from placeguard.engines.allocation.roads import build_road_graph
from placeguard.engines.allocation.siting import (
    SolveStatus,
    coverage_sets,
    greedy_mclp,
    solve_lscp,
    solve_mclp,
)

covers = st.integers(1, 7).flatmap(
    lambda n_sites: st.integers(1, 6).flatmap(
        lambda n_cand: st.lists(
            st.lists(st.booleans(), min_size=n_cand, max_size=n_cand),
            min_size=n_sites,
            max_size=n_sites,
        )
    )
)


def best_mclp(a: np.ndarray, w: np.ndarray, k: int) -> float:
    return max(
        float(w[a[:, list(combo)].any(axis=1)].sum())
        for combo in itertools.combinations(range(a.shape[1]), k)
    )


def fewest_units(a: np.ndarray) -> int:
    need = a.any(axis=1)
    for size in range(a.shape[1] + 1):
        for combo in itertools.combinations(range(a.shape[1]), size):
            if (a[:, list(combo)].any(axis=1) >= need).all():
                return size
    raise AssertionError


@settings(max_examples=80, deadline=None)
@given(cover=covers, data=st.data())
def test_mclp_equals_brute_force(cover: list[list[bool]], data: st.DataObject) -> None:
    a = np.array(cover, dtype=bool)
    w = np.array(data.draw(st.lists(st.integers(0, 20), min_size=a.shape[0], max_size=a.shape[0])),
                 dtype=float)  # fmt: skip
    k = data.draw(st.integers(1, a.shape[1]))
    result = solve_mclp(a, w, k)
    assert result.status == SolveStatus.OPTIMAL
    assert result.chosen.size == k and np.unique(result.chosen).size == k
    assert result.objective == pytest.approx(best_mclp(a, w, k))
    assert result.objective == pytest.approx(float(w[result.covered].sum()))
    np.testing.assert_array_equal(result.covered, a[:, result.chosen].any(axis=1))
    assert result.gap == 0.0


@settings(max_examples=80, deadline=None)
@given(cover=covers, data=st.data())
def test_heuristic_mclp_is_feasible_below_optimum_and_its_bound_holds(
    cover: list[list[bool]], data: st.DataObject
) -> None:
    a = np.array(cover, dtype=bool)
    w = np.array(data.draw(st.lists(st.integers(0, 20), min_size=a.shape[0], max_size=a.shape[0])),
                 dtype=float)  # fmt: skip
    k = data.draw(st.integers(1, a.shape[1]))
    optimum = best_mclp(a, w, k)
    result = solve_mclp(a, w, k, max_exact_nonzeros=0, swap=data.draw(st.booleans()))
    assert result.chosen.size == k
    assert result.objective <= optimum + 1e-9
    assert result.bound >= optimum - 1e-9
    assert result.gap >= 0.0
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.HEURISTIC)
    if result.status == SolveStatus.OPTIMAL:  # only when the bound proves it
        assert result.objective == pytest.approx(optimum)


@settings(max_examples=80, deadline=None)
@given(cover=covers)
def test_lscp_equals_brute_force(cover: list[list[bool]]) -> None:
    a = np.array(cover, dtype=bool)
    result = solve_lscp(a)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == fewest_units(a)
    assert result.chosen.size == result.objective
    np.testing.assert_array_equal(result.covered, a.any(axis=1))
    np.testing.assert_array_equal(result.uncoverable, ~a.any(axis=1))


@settings(max_examples=60, deadline=None)
@given(cover=covers)
def test_heuristic_lscp_covers_everything_with_at_least_the_optimum(
    cover: list[list[bool]],
) -> None:
    a = np.array(cover, dtype=bool)
    result = solve_lscp(a, max_exact_nonzeros=0)
    assert result.objective >= fewest_units(a) >= result.bound
    np.testing.assert_array_equal(result.covered, a.any(axis=1))
    assert result.gap >= 0.0


def test_greedy_can_be_suboptimal_and_the_gap_says_so() -> None:
    # Classic trap: base 0 covers the heavy middle, bases 1 and 2 each cover half of everything.
    a = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    w = np.array([3, 3, 3, 3, 4, 4], dtype=float)
    assert list(greedy_mclp(siting._as_cover(a), w, 2)) == [0, 1]  # 12 first, then +4
    heuristic = solve_mclp(a, w, 2, max_exact_nonzeros=0, swap=False)
    exact = solve_mclp(a, w, 2, swap=False)
    assert heuristic.objective == 16 and exact.objective == 20
    assert heuristic.status == SolveStatus.HEURISTIC and heuristic.gap > 0
    assert heuristic.bound >= exact.objective
    assert exact.status == SolveStatus.OPTIMAL and exact.method == "exact"
    swapped = solve_mclp(a, w, 2, max_exact_nonzeros=0, swap=True)
    assert swapped.objective == 20 and swapped.method == "greedy+swap"


def fake_time_out(real: Any) -> Any:
    """milp that times out on any integer program with no incumbent and a loose bound."""

    def run(c: Any, *args: Any, integrality: Any = None, **kwargs: Any) -> Any:
        if integrality is not None and np.any(integrality):
            return SimpleNamespace(status=1, x=None, fun=None, mip_dual_bound=-1e9,
                                   message="Time limit reached")  # fmt: skip
        return real(c, *args, integrality=integrality, **kwargs)

    return run


def test_a_time_out_is_never_reported_as_optimal(monkeypatch: pytest.MonkeyPatch) -> None:
    a = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=bool)
    w = np.array([3, 3, 3, 3, 4, 4], dtype=float)
    monkeypatch.setattr(f"{siting.__name__}.milp", fake_time_out(milp))
    result = solve_mclp(a, w, 2, swap=False)
    assert result.status == SolveStatus.TIME_LIMIT
    assert result.objective == 16 and result.method == "greedy"
    assert result.gap > 0 and result.bound >= 20


def greedy_trap() -> np.ndarray:
    """Two rows of seven sites: two "row" bases cover all; greedy takes column blocks 4+2+1."""
    row, col = np.divmod(np.arange(14), 7)
    blocks = [col < 4, (col >= 4) & (col < 6), col == 6]
    return np.column_stack([row == 0, row == 1, *blocks])


def test_a_lscp_time_out_keeps_the_greedy_cover(monkeypatch: pytest.MonkeyPatch) -> None:
    a = greedy_trap()
    assert solve_lscp(a, max_exact_nonzeros=0).objective == 3  # greedy, nothing redundant
    exact = solve_lscp(a)
    assert exact.objective == 2 and exact.method == "exact" and list(exact.chosen) == [0, 1]
    monkeypatch.setattr(f"{siting.__name__}.milp", fake_time_out(milp))
    result = solve_lscp(a)
    assert result.status == SolveStatus.TIME_LIMIT
    assert result.objective == 3 and result.bound == 2
    assert result.gap == pytest.approx(1 / 3)


def test_uncoverable_sites_are_reported_not_errors() -> None:
    a = np.array([[1, 0], [0, 0], [0, 1]], dtype=bool)
    result = solve_mclp(a, [5, 7, 1], 1)
    assert list(result.uncoverable) == [False, True, False]
    assert result.objective == 5 and result.demand_uncovered == 8
    lscp = solve_lscp(a)
    assert lscp.objective == 2 and lscp.demand_uncovered == 1
    assert lscp.as_dict()["uncoverable_sites"] == [1]


def test_more_units_than_useful_bases_fills_with_spares() -> None:
    a = np.array([[1, 1, 0, 0]], dtype=bool)
    result = solve_mclp(a, [1.0], 3)
    assert result.chosen.size == 3 and result.objective == 1.0


def test_bad_siting_inputs_are_all_named() -> None:
    with pytest.raises(ValidationError) as info:
        solve_mclp(np.ones((2, 2), dtype=bool), [1.0, -1.0], 3, time_limit_s=0)
    assert {e.field for e in info.value.errors} == {"weights", "units", "time_limit"}
    with pytest.raises(ValidationError) as info:
        solve_mclp(np.ones((2, 2), dtype=bool), [1.0], 0)
    assert {e.field for e in info.value.errors} == {"weights", "units"}
    with pytest.raises(ValidationError):
        solve_lscp(np.ones((2, 2), dtype=bool), required=[True])


def test_coverage_sets_match_all_pairs_times() -> None:
    rng = np.random.default_rng(3)
    n = 40
    u, v = rng.integers(0, n, 120), rng.integers(0, n, 120)
    g = build_road_graph(node_ids=np.arange(n), lon=np.zeros(n), lat=np.zeros(n), u=u, v=v,
                         seconds=rng.uniform(1, 30, 120), direction=rng.integers(-1, 2, 120))  # fmt: skip
    sites = np.array([0, 5, 5, 17, 39])
    candidates = np.array([3, -1, 0, 22, 17, 8])
    cover = coverage_sets(g.times, sites, candidates, standard_s=40.0).toarray()
    full = dijkstra(g.times)  # full[i, j]: i → j
    expected = np.zeros_like(cover)
    for i, s in enumerate(sites):
        for j, c in enumerate(candidates):
            expected[i, j] = c >= 0 and full[c, s] <= 40.0
    np.testing.assert_array_equal(cover, expected)
