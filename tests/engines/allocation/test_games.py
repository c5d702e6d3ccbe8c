"""Single-type security games: ORIGAMI against the ground truth and the multiple-LPs oracle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation._highs import InfeasibleGameError
from placeguard.engines.allocation.games import (
    Payoffs,
    SecurityGame,
    Solution,
    origami,
    solve_game,
    solve_multiple_lps,
)
from placeguard.engines.allocation.polytope import ResourceGroup


def game(rows: Sequence[Sequence[float]], resources: float, **extra: Any) -> SecurityGame:
    """A game from rows ``(Udc, Udu, Uac, Uau)`` with ids t1, t2, …"""
    ids = tuple(f"t{i + 1}" for i in range(len(rows)))
    return SecurityGame(ids=ids, payoffs=Payoffs.from_rows(rows), resources=resources, **extra)


def check_equilibrium(g: SecurityGame, s: Solution, tol: float) -> None:
    """Feasibility and the attack-set property."""
    scale = g.payoffs.scale
    assert np.all(s.coverage >= -1e-12) and np.all(s.coverage <= 1 + 1e-12)
    assert s.coverage.sum() <= g.resources + 1e-9
    ua = g.payoffs.attacker(s.coverage)
    inside = np.array(s.attack_set)
    outside = np.setdiff1d(np.arange(g.n), inside)
    assert np.ptp(ua[inside]) <= tol * scale
    assert np.all(ua[outside] <= ua.max() + 1e-9 * scale)
    assert s.attacked in s.attack_set
    ud = g.payoffs.defender(s.coverage)
    assert s.defender_utility == pytest.approx(ud[inside].max(), abs=1e-12 * scale)


# ---------------------------------------------------------------- ground truth (research §5)
def test_gt1_interior_indifference() -> None:
    g = game([(5, -20, -10, 30), (5, -10, -10, 20)], 1)
    s = origami(g.payoffs, 1)
    assert s.coverage == pytest.approx([4 / 7, 3 / 7])
    assert s.attacker_utility == pytest.approx(50 / 7)
    assert s.attack_set == (0, 1)
    assert s.attacked == 1
    assert s.defender_utility == pytest.approx(-25 / 7)


def test_gt2_lure_more_coverage_can_hurt() -> None:
    g = game([(2, -5, -1, 4), (9, -3, -8, 5)], 2)
    s = origami(g.payoffs, 2)
    assert s.coverage == pytest.approx([1, 6 / 13])
    assert s.defender_utility == pytest.approx(33 / 13)
    assert s.attacked == 1
    full = g.payoffs.defender(np.ones(2))[np.argmax(g.payoffs.attacker(np.ones(2)))]
    assert full == pytest.approx(2)  # covering everything is worse


def test_gt3_resources_may_remain_unused() -> None:
    g = game([(10, -10, 9, 10), (10, -10, -5, 5), (10, -10, -1, 1)], 2)
    s = origami(g.payoffs, 2)
    assert s.coverage == pytest.approx([1, 0, 0])
    assert s.defender_utility == pytest.approx(10)


def test_gt4_no_resources_ties_go_the_defenders_way() -> None:
    g = game([(1, -3, -1, 5), (1, -7, -1, 5), (1, -1, -1, 2)], 0)
    s = origami(g.payoffs, 0)
    assert s.attack_set == (0, 1)
    assert s.attacked == 0
    assert s.defender_utility == pytest.approx(-3)


def test_gt5_symmetric_attacker() -> None:
    g = game([(1, -1, -1, 1), (2, -2, -1, 1), (3, -3, -1, 1)], 1)
    s = origami(g.payoffs, 1)
    assert s.coverage == pytest.approx([1 / 3] * 3)
    assert s.attacker_utility == pytest.approx(1 / 3)
    assert s.defender_utility == pytest.approx(-1 / 3)
    assert s.attacked == 0


def test_gt6_single_target() -> None:
    s = origami(game([(5, -20, -10, 30)], 1).payoffs, 1)
    assert s.coverage == pytest.approx([1.0])
    assert s.defender_utility == pytest.approx(5)


@pytest.mark.parametrize("solver", [lambda g: origami(g.payoffs, g.resources), solve_multiple_lps])
def test_both_solvers_agree_on_the_ground_truth(solver: object) -> None:
    cases = [
        ([(5, -20, -10, 30), (5, -10, -10, 20)], 1, -25 / 7),
        ([(2, -5, -1, 4), (9, -3, -8, 5)], 2, 33 / 13),
        ([(10, -10, 9, 10), (10, -10, -5, 5), (10, -10, -1, 1)], 2, 10),
        ([(1, -3, -1, 5), (1, -7, -1, 5), (1, -1, -1, 2)], 0, -3),
        ([(1, -1, -1, 1), (2, -2, -1, 1), (3, -3, -1, 1)], 1, -1 / 3),
    ]
    for rows, m, value in cases:
        assert solver(game(rows, m)).defender_utility == pytest.approx(value, abs=1e-6)  # type: ignore[operator]


def test_more_resources_than_targets_is_not_special_cased() -> None:
    g = game([(2, -5, -1, 4), (9, -3, -8, 5)], 7)
    assert origami(g.payoffs, 7).defender_utility == pytest.approx(33 / 13)


def test_fixed_attacker_payoff_target_gets_leftover_resources() -> None:
    # t1's attacker payoff does not move with coverage; the leftover raises the defender's utility
    g = game([(4, -6, 3, 3), (1, -1, -2, 1)], 2)
    s = origami(g.payoffs, 2)
    assert s.defender_utility == pytest.approx(solve_multiple_lps(g).defender_utility, abs=1e-6)
    assert s.coverage[0] == pytest.approx(1.0)


# ---------------------------------------------------------------- random games vs the LP oracle
def payoff_rows(reward: tuple[int, int], penalty: tuple[int, int]) -> st.SearchStrategy[list]:
    r = st.integers(*reward)
    p = st.integers(*penalty)
    return st.lists(st.tuples(r, p, p, r), min_size=1, max_size=8)


@settings(max_examples=120, deadline=None)
@given(
    rows=st.one_of(payoff_rows((1, 10), (-10, -1)), payoff_rows((0, 100), (-100, 0))),
    m=st.integers(0, 9),
)
def test_origami_equals_the_multiple_lps_oracle(rows: list, m: int) -> None:
    g = game(rows, m)
    fast = origami(g.payoffs, m)
    oracle = solve_multiple_lps(g, bound_pruning=False)
    assert fast.defender_utility == pytest.approx(oracle.defender_utility, abs=1e-6)
    check_equilibrium(g, fast, 1e-9)
    check_equilibrium(g, oracle, 1e-6)
    assert solve_multiple_lps(g).defender_utility == pytest.approx(
        oracle.defender_utility, abs=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(rows=payoff_rows((0, 3), (-3, 0)), m=st.integers(0, 4))
def test_ties_and_flat_payoffs_match_the_oracle(rows: list, m: int) -> None:
    """Tiny integer ranges: equal covered and uncovered payoffs, many ties."""
    g = game(rows, m)
    assert origami(g.payoffs, m).defender_utility == pytest.approx(
        solve_multiple_lps(g, bound_pruning=False).defender_utility, abs=1e-6
    )


@settings(max_examples=30, deadline=None)
@given(rows=payoff_rows((1, 10), (-10, -1)), m=st.integers(0, 6))
def test_value_never_falls_with_more_resources(rows: list, m: int) -> None:
    p = Payoffs.from_rows(rows)
    assert origami(p, m + 1).defender_utility >= origami(p, m).defender_utility - 1e-9


def test_a_million_targets_is_fine() -> None:
    rng = np.random.default_rng(1)
    n = 1_000_000
    rows = np.column_stack([rng.integers(1, 11, n), -rng.integers(1, 11, n),
                            -rng.integers(1, 11, n), rng.integers(1, 11, n)])  # fmt: skip
    p = Payoffs.from_rows(rows.astype(float))
    s = origami(p, n // 5)
    assert s.coverage.sum() <= n // 5 + 1e-6
    ua = p.attacker(s.coverage)
    assert np.all(ua <= s.attacker_utility + 1e-9 * p.scale)


# ---------------------------------------------------------------- side constraints
def test_district_caps_change_the_answer_and_match_a_hand_solution() -> None:
    # two identical targets per district; one team in the north may not help the south
    rows = [(1, -1, -1, 5)] * 2 + [(1, -1, -1, 1)] * 2
    north = ResourceGroup(name="north", count=1, targets=(2, 3))
    south = ResourceGroup(name="south", count=1, targets=(0, 1))
    g = game(rows, 2, groups=(north, south))
    s = solve_game(g)
    assert s.method == "multiple-lps"  # ORIGAMI wants 1.5 teams in the south
    assert s.coverage[:2] == pytest.approx([0.5, 0.5], abs=1e-7)
    assert s.defender_utility == pytest.approx(0.0, abs=1e-7)
    roomy = game(rows, 4, groups=(ResourceGroup(name="north", count=2, targets=(2, 3)),
                                  ResourceGroup(name="south", count=2, targets=(0, 1))))  # fmt: skip
    assert solve_game(roomy).method == "origami"  # the unconstrained optimum fits
    only_north = game(rows, 1, groups=(ResourceGroup(name="north", count=1, targets=(2, 3)),))
    s2 = solve_game(only_north)
    assert s2.method == "multiple-lps"
    assert s2.coverage[:2] == pytest.approx([0, 0], abs=1e-9)
    assert s2.defender_utility == pytest.approx(-1)
    assert s2.group_coverage.shape == (1, 4)


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(1, 9), st.integers(-9, -1), st.integers(-9, -1), st.integers(1, 9)),
                  min_size=2, max_size=6),
    split=st.integers(1, 5),
    counts=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    low=st.floats(0, 0.3),
)  # fmt: skip
def test_constrained_games_satisfy_constraints_and_beat_every_feasible_origami(
    rows: list, split: int, counts: tuple[int, int], low: float
) -> None:
    n = len(rows)
    cut = min(split, n - 1)
    groups = (
        ResourceGroup(name="a", count=counts[0], targets=tuple(range(cut + 1))),
        ResourceGroup(name="b", count=counts[1], targets=tuple(range(cut - 1, n))),  # overlap
    )
    minimum = np.zeros(n)
    minimum[0] = low if counts[0] >= 1 else 0.0  # only group a reaches target 0
    g = game(rows, sum(counts), groups=groups, min_coverage=minimum)
    s = solve_game(g)
    oracle = solve_multiple_lps(g, bound_pruning=False)
    assert s.defender_utility == pytest.approx(oracle.defender_utility, abs=1e-6)
    assert s.coverage[0] >= minimum[0] - 1e-7
    y = s.group_coverage
    assert np.all(y.sum(axis=1) <= np.array(counts) + 1e-6)
    assert np.all(y.sum(axis=0) >= s.coverage - 1e-6)
    assert np.all(y[0, cut + 1 :] <= 1e-9) and np.all(y[1, : cut - 1] <= 1e-9)
    # never worse than the unconstrained optimum of a smaller budget that happens to fit
    assert s.defender_utility <= origami(g.payoffs, sum(counts)).defender_utility + 1e-6


def test_minimum_coverage_beyond_resources_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        game([(1, -1, -1, 1)] * 2, 1, min_coverage=np.array([0.8, 0.8]))
    assert [e.field for e in info.value.errors] == ["min_coverage"]


def test_groups_that_cannot_reach_a_required_target_are_infeasible() -> None:
    g = game([(1, -1, -1, 1)] * 2, 1, groups=(ResourceGroup(name="a", count=1, targets=(0,)),),
             min_coverage=np.array([0.0, 0.5]))  # fmt: skip
    with pytest.raises(InfeasibleGameError):
        solve_game(g)


def test_every_payoff_problem_is_listed_at_once() -> None:
    payoffs = Payoffs.from_rows([(-5, 1, 0, 1), (1, -1, 3, 2), (1, -1, -1, 1)])
    with pytest.raises(ValidationError) as info:
        SecurityGame(ids=("a", "b", "a"), payoffs=payoffs, resources=-1)
    fields = {e.field for e in info.value.errors}
    assert fields == {
        "targets[a].id",
        "resources",
        "targets[a].defender_covered",
        "targets[b].attacker_covered",
    }
