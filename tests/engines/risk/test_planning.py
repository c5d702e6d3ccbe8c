"""Budget-optimal plans: exact against exhaustive search, budgets respected, monotone in budget."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.planning import PlanProblem, pareto_curve, problem_for_site, solve_plan


def brute_force(problem: PlanProblem, capex: float, opex: float, openness: float) -> float:
    """The best total residual risk over every feasible subset (the naive oracle)."""
    n = len(problem.ids)
    best = float(problem.risk.sum())
    for bits in itertools.product([False, True], repeat=n):
        chosen = np.array(bits, dtype=bool)
        if problem.feasible(chosen, capex, opex, openness):
            best = min(best, float(problem.residual(chosen).sum()))
    return best


@st.composite
def problems(draw: st.DrawFn) -> PlanProblem:
    n_j = draw(st.integers(1, 7))
    n_k = draw(st.integers(1, 4))
    risk = np.array(draw(st.lists(st.floats(1e-7, 10.0), min_size=n_k, max_size=n_k)))
    factor = np.array([
        [draw(st.one_of(st.just(1.0), st.floats(0.05, 1.0))) for _ in range(n_k)] for _ in range(n_j)
    ])  # fmt: skip
    costs = st.lists(st.floats(0, 100).map(lambda v: round(v, 1)), min_size=n_j, max_size=n_j)
    pairs = st.lists(st.tuples(st.integers(0, n_j - 1), st.integers(0, n_j - 1)).filter(lambda p: p[0] != p[1]),
                     max_size=2)  # fmt: skip
    return PlanProblem(
        risk=risk, factor=factor, capex=np.array(draw(costs)), opex=np.array(draw(costs)),
        openness=np.array(draw(st.lists(st.integers(0, 3), min_size=n_j, max_size=n_j)), dtype=float),
        requires=tuple(draw(pairs)), excludes=tuple(draw(pairs)), ids=tuple(f"M{j}" for j in range(n_j)),
    )  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(
    problem=problems(), capex=st.floats(0, 400), opex=st.floats(0, 400), openness=st.integers(0, 10)
)
def test_milp_matches_exhaustive_search(
    problem: PlanProblem, capex: float, opex: float, openness: int
) -> None:
    plan = solve_plan(problem, capex_budget=capex, opex_budget=opex, openness_limit=openness)
    # HiGHS stops at an absolute gap of 1e-6 on risks scaled to a maximum of 1.
    tolerance = 2e-6 * float(problem.risk.max())
    best = brute_force(problem, capex, opex, openness)
    assert plan.total_after == pytest.approx(best, rel=1e-6, abs=tolerance)
    assert plan.capex <= capex + 1e-6
    assert plan.opex <= opex + 1e-6
    assert plan.openness <= openness + 1e-9


@settings(max_examples=60, deadline=None)
@given(problem=problems(), budgets=st.lists(st.floats(0, 400), min_size=2, max_size=4))
def test_a_larger_budget_never_yields_a_higher_optimal_risk(
    problem: PlanProblem, budgets: list[float]
) -> None:
    risks = [solve_plan(problem, capex_budget=b).total_after for b in sorted(budgets)]
    for smaller, larger in itertools.pairwise(risks):
        assert larger <= smaller * (1 + 1e-6) + 2e-6 * float(problem.risk.max())


def test_site_plan_on_the_tiny_pack(tiny: RiskPack) -> None:
    site = SiteProfile(site_type="venue", capacity=1000)
    result = assess(tiny, site, {"Q1": 0, "Q2": 0, "Q3": 0})
    problem = problem_for_site(
        tiny, "venue", result.quality, np.array([s.risk for s in result.scenarios])
    )
    assert problem.ids == ("BARRIER", "GUARD", "KIT")
    assert problem.capex.tolist() == [20000, 0, 1000]
    # 1,000 buys the kits only; 21,000 buys barriers and kits; guards cost 50,000 a year.
    assert solve_plan(problem, capex_budget=1000, opex_budget=500).chosen == ("KIT",)
    assert solve_plan(problem, capex_budget=21000, opex_budget=500).chosen == ("BARRIER", "KIT")
    full = solve_plan(problem, capex_budget=21000, opex_budget=100000)
    assert full.chosen == ("BARRIER", "GUARD", "KIT")
    assert full.total_after < result.total_risk
    planned = assess(tiny, site, {"Q1": 0, "Q2": 0, "Q3": 0}, planned=list(full.chosen))
    assert full.total_after == pytest.approx(
        planned.total_risk
    )  # the plan's residual is the model's


def test_openness_limit_keeps_guards_out(tiny: RiskPack) -> None:
    result = assess(tiny, SiteProfile(site_type="venue", capacity=1000), {})
    problem = problem_for_site(
        tiny, "venue", result.quality, np.array([s.risk for s in result.scenarios])
    )
    plan = solve_plan(problem, capex_budget=1e6, opex_budget=1e6, openness_limit=1)
    assert "GUARD" not in plan.chosen
    assert plan.openness <= 1


def test_partly_done_measures_cost_the_remaining_share(tiny: RiskPack) -> None:
    result = assess(tiny, SiteProfile(site_type="venue", capacity=1000), {"Q1": 1})
    problem = problem_for_site(
        tiny, "venue", result.quality, np.array([s.risk for s in result.scenarios])
    )
    assert problem.capex[problem.ids.index("BARRIER")] == pytest.approx(10000)


def test_pareto_curve_falls_as_cost_rises(tiny: RiskPack) -> None:
    result = assess(tiny, SiteProfile(site_type="venue", capacity=1000), {})
    problem = problem_for_site(
        tiny, "venue", result.quality, np.array([s.risk for s in result.scenarios])
    )
    curve = pareto_curve(problem, points=8)
    costs = [p.capex for p in curve]
    risks = [p.risk for p in curve]
    assert costs == sorted(costs)
    assert risks == sorted(risks, reverse=True)
    assert len(curve) >= 2


def test_what_if_compares_two_plans(tiny: RiskPack) -> None:
    from placeguard.engines.risk.whatif import compare_plans

    site = SiteProfile(site_type="venue", capacity=1000)
    answers = {"Q1": 1, "Q2": 0, "Q3": 0}
    result = compare_plans(tiny, site, answers, ["BARRIER"], ["KIT", "GUARD"])
    assert result.total_a == pytest.approx(
        assess(tiny, site, answers, planned=["BARRIER"]).total_risk
    )
    assert result.total_b == pytest.approx(
        assess(tiny, site, answers, planned=["KIT", "GUARD"]).total_risk
    )
    assert result.capex_a == pytest.approx(10000)  # barriers half in place: half the price
    assert result.capex_b == pytest.approx(1000)
    assert result.opex_b == pytest.approx(50100)
    ram = next(r for r in result.scenarios if r["scenario"] == "vehicle_ramming")
    assert ram["plan_a"] < ram["current"]
    assert ram["difference_b_minus_a"] == pytest.approx(ram["plan_b"] - ram["plan_a"])
