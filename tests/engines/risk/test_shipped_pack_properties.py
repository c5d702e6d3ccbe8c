"""The issue's properties, checked on the shipped content pack (not only the tiny one)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.content import load_risk_pack
from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.catalogue import SITE_TYPES
from placeguard.engines.risk.planning import problem_for_site, solve_plan

PACK = load_risk_pack()


@st.composite
def sites(draw: st.DrawFn) -> tuple[SiteProfile, dict[str, int | str]]:
    site_type = draw(st.sampled_from(SITE_TYPES))
    profile = SiteProfile(
        site_type=site_type,
        capacity=draw(st.integers(0, 80_000)),
        symbolic=draw(st.sampled_from([0.0, 1.0, 2.0])),
    )
    answers: dict[str, int | str] = {}
    for question in PACK.questions_for(site_type):
        answers[question.id] = draw(
            st.one_of(
                st.integers(0, len(question.options) - 1), st.sampled_from(["unknown", "n/a"])
            )
        )
    return profile, answers


@settings(max_examples=20, deadline=None)
@given(site=sites(), pick=st.integers(0, 10_000))
def test_improving_one_answer_never_raises_a_scenario_risk(site: tuple, pick: int) -> None:
    profile, answers = site
    before = assess(PACK, profile, answers, top=0)
    question = PACK.questions_for(profile.site_type)[
        pick % len(PACK.questions_for(profile.site_type))
    ]
    current = answers[question.id]
    start = 0 if current in ("unknown", "n/a") else int(current)
    after = assess(PACK, profile, {**answers, question.id: len(question.options) - 1}, top=0)
    assert start <= len(question.options) - 1
    for a, b in zip(before.scenarios, after.scenarios, strict=True):
        assert b.risk <= a.risk * (1 + 1e-9) + 1e-15


@settings(max_examples=4, deadline=None)
@given(site=sites(), budgets=st.tuples(st.floats(0, 50_000), st.floats(0, 500_000)))
def test_plans_stay_within_budget_and_larger_budgets_never_do_worse(
    site: tuple, budgets: tuple
) -> None:
    profile, answers = site
    result = assess(PACK, profile, answers, top=0)
    problem = problem_for_site(
        PACK, profile.site_type, result.quality, np.array([s.risk for s in result.scenarios])
    )
    small, large = sorted(budgets)
    plan_small = solve_plan(problem, capex_budget=small, opex_budget=20_000, openness_limit=4)
    plan_large = solve_plan(problem, capex_budget=large, opex_budget=20_000, openness_limit=4)
    for plan, budget in ((plan_small, small), (plan_large, large)):
        assert plan.capex <= budget + 1e-6
        assert plan.opex <= 20_000 + 1e-6
        assert plan.openness <= 4
    assert plan_large.total_after <= plan_small.total_after * (1 + 1e-6) + 2e-6 * float(
        problem.risk.max()
    )


def test_unknown_is_never_better_than_worst_on_the_shipped_pack() -> None:
    profile = SiteProfile(site_type="venue", capacity=20_000)
    for question in PACK.questions_for("venue")[:25]:
        unknown = assess(PACK, profile, {question.id: "unknown"}, top=0)
        worst = assess(PACK, profile, {question.id: 0}, top=0)
        for u, w in zip(unknown.scenarios, worst.scenarios, strict=True):
            assert u.risk == pytest.approx(w.risk)
