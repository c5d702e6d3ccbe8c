"""Bayesian games: ground truth, brute-force enumeration, DOBSS agreement and time limits."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.games import Payoffs, origami
from placeguard.engines.allocation.games_bayesian import (
    AttackerType,
    BayesianGame,
    evaluate_bayesian,
    solve_bayesian,
    solve_bayesian_dobss,
)


def bayesian(types: list[tuple[float, list]], m: float) -> BayesianGame:
    n = len(types[0][1])
    kinds = tuple(
        AttackerType(name=f"k{i}", prior=p, payoffs=Payoffs.from_rows(rows))
        for i, (p, rows) in enumerate(types)
    )
    return BayesianGame(ids=tuple(f"t{i}" for i in range(n)), resources=m, types=kinds)


def brute_force(game: BayesianGame) -> float:
    """Best LP over every joint profile of the types' attacked targets (n^K LPs)."""
    n, best = game.n, -np.inf
    for profile in itertools.product(range(n), repeat=len(game.types)):
        rows, rhs, cost, const = [], [], np.zeros(n), 0.0
        for kind, t in zip(game.types, profile, strict=True):
            p = kind.payoffs
            da = p.attacker_uncovered - p.attacker_covered
            for s in range(n):
                if s != t:
                    row = np.zeros(n)
                    row[s] -= da[s]
                    row[t] += da[t]
                    rows.append(row)
                    rhs.append(p.attacker_uncovered[t] - p.attacker_uncovered[s])
            cost[t] -= kind.prior * (p.defender_covered[t] - p.defender_uncovered[t])
            const += kind.prior * p.defender_uncovered[t]
        rows.append(np.ones(n))
        rhs.append(game.resources)
        result = linprog(cost, A_ub=np.array(rows), b_ub=rhs, bounds=(0, 1), method="highs")
        if result.status == 0:
            best = max(best, const - result.fun)
    return best


def test_gt10_two_types_three_targets() -> None:
    udc, udu = (4, 2, 1), (-8, -4, -2)
    type1 = [(udc[i], udu[i], (-3, -2, -1)[i], (6, 4, 2)[i]) for i in range(3)]
    type2 = [(udc[i], udu[i], -1, (1, 3, 5)[i]) for i in range(3)]
    g = bayesian([(0.6, type1), (0.4, type2)], 1)
    s = solve_bayesian(g)
    assert s.proven_optimal
    assert s.defender_utility == pytest.approx(-18 / 11, abs=1e-6)
    assert s.coverage == pytest.approx([16 / 33, 13 / 33, 4 / 33], abs=1e-6)
    assert s.responses[1].attacked == 2
    assert s.responses[0].attacker_utility == pytest.approx(54 / 33, abs=1e-6)


def test_one_type_equals_the_single_type_game() -> None:
    rows = [(5, -20, -10, 30), (5, -10, -10, 20), (1, -3, -2, 8)]
    s = solve_bayesian(bayesian([(1.0, rows)], 1))
    assert s.defender_utility == pytest.approx(origami(Payoffs.from_rows(rows), 1).defender_utility)


def test_duplicated_types_equal_one_type() -> None:
    rows = [(2, -5, -1, 4), (9, -3, -8, 5), (3, -1, -2, 2)]
    one = solve_bayesian(bayesian([(1.0, rows)], 2)).defender_utility
    two = solve_bayesian(bayesian([(0.3, rows), (0.7, rows)], 2)).defender_utility
    assert two == pytest.approx(one, abs=1e-6)


type_rows = st.lists(
    st.tuples(st.integers(1, 10), st.integers(-10, -1), st.integers(-10, -1), st.integers(1, 10)),
    min_size=6,
    max_size=6,
)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 6),
    tables=st.lists(type_rows, min_size=2, max_size=3),
    weights=st.lists(st.integers(1, 9), min_size=3, max_size=3),
    m=st.integers(0, 3),
)
def test_equals_brute_force_enumeration(n: int, tables: list, weights: list, m: int) -> None:
    if len(tables) == 3:
        n = min(n, 4)  # n^K LPs in the oracle
    priors = np.array(weights[: len(tables)], dtype=float)
    priors /= priors.sum()
    g = bayesian([(float(p), t[:n]) for p, t in zip(priors, tables, strict=False)], m)
    expected = brute_force(g)
    ours = solve_bayesian(g)
    assert ours.proven_optimal
    assert ours.defender_utility == pytest.approx(expected, abs=1e-6)
    assert ours.gap_absolute <= 1e-6 * max(1.0, abs(expected))
    assert solve_bayesian_dobss(g).defender_utility == pytest.approx(expected, abs=1e-6)
    value, _ = evaluate_bayesian(g, ours.coverage)
    assert value == pytest.approx(ours.defender_utility)
    assert ours.coverage.sum() <= m + 1e-9


def random_game(n: int, k: int, seed: int) -> BayesianGame:
    rng = np.random.default_rng(seed)
    types = []
    for _ in range(k):
        rows = np.column_stack([rng.integers(1, 11, n), -rng.integers(1, 11, n),
                                -rng.integers(1, 11, n), rng.integers(1, 11, n)])  # fmt: skip
        types.append((1 / k, rows.tolist()))
    return bayesian(types, n // 5)


def test_time_limit_returns_a_plan_with_its_gap() -> None:
    g = random_game(50, 5, 0)
    s = solve_bayesian(g, time_limit=0)
    assert not s.proven_optimal
    assert s.status == "time_limit"
    assert s.upper_bound >= s.defender_utility
    assert s.gap_absolute == pytest.approx(s.upper_bound - s.defender_utility)
    assert s.gap > 0
    assert s.coverage.sum() <= g.resources + 1e-9
    value, _ = evaluate_bayesian(g, s.coverage)
    assert value == pytest.approx(s.defender_utility)


def test_short_time_limit_in_branch_and_bound_reports_the_bound() -> None:
    g = random_game(40, 5, 3)
    s = solve_bayesian(g, time_limit=0.05)
    assert s.upper_bound >= s.defender_utility - 1e-9
    assert s.proven_optimal == (s.status == "optimal")


def test_every_type_problem_is_listed() -> None:
    good = Payoffs.from_rows([(1, -1, -1, 1), (1, -1, -1, 1)])
    bad = Payoffs.from_rows([(1, -1, 2, 1), (-2, -1, -1, 1)])
    with pytest.raises(ValidationError) as info:
        BayesianGame(
            ids=("a", "b"),
            resources=1,
            types=(
                AttackerType(name="x", prior=0.5, payoffs=good),
                AttackerType(name="x", prior=0.2, payoffs=bad),
            ),
        )
    fields = {e.field for e in info.value.errors}
    assert {"types[x].name", "types[x].targets[a].attacker_covered",
            "types[x].targets[b].defender_covered", "types.prior"} <= fields  # fmt: skip
