"""Risk model: hand-computed cases, intervals, explanations and the properties of the issue."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.scales import band_of, level

VENUE = SiteProfile(site_type="venue", capacity=1000)


def test_hand_computed_example(tiny: RiskPack) -> None:
    result = assess(tiny, VENUE, {"Q1": 1, "Q2": 0, "Q3": 2})
    ram = result.scenario("vehicle_ramming")
    # T = 1e-4; V = 0.8 × (1 − 0.8 × 0.5) = 0.48; C = min(1000 × 0.5, 100) × 0.1 × (1 − 0.25) = 7.5
    assert ram.threat == pytest.approx(1e-4)
    assert ram.vulnerability == pytest.approx(0.48)
    assert ram.consequence == pytest.approx(7.5)
    assert ram.risk == pytest.approx(3.6e-4)
    knife = result.scenario("bladed_weapon")
    # T = 2e-4; V = 0.9; C = min(100, 10) × 0.02 × (1 − 0.5) = 0.1
    assert knife.risk == pytest.approx(2e-4 * 0.9 * 0.1)
    assert result.total_risk == pytest.approx(3.6e-4 + 1.8e-5)


def test_interval_is_the_corner_evaluation(tiny: RiskPack) -> None:
    ram = assess(tiny, VENUE, {"Q1": 1, "Q2": 0, "Q3": 2}).scenario("vehicle_ramming")
    low = 5e-5 * (0.7 * (1 - 0.9 * 0.5)) * (100 * 0.05 * 0.75)
    high = 3e-4 * (0.9 * (1 - 0.7 * 0.5)) * (100 * 0.2 * 0.75)
    assert ram.risk_low == pytest.approx(low)
    assert ram.risk_high == pytest.approx(high)
    assert ram.risk_low <= ram.risk <= ram.risk_high


def test_threat_level_symbolism_and_threats_scale_t(tiny: RiskPack) -> None:
    base = assess(tiny, VENUE, {}).scenario("vehicle_ramming").threat
    assert assess(tiny, VENUE, {}, threat_level=5).scenario(
        "vehicle_ramming"
    ).threat == pytest.approx(10 * base)
    marked = SiteProfile(site_type="venue", capacity=1000, symbolic=2, threatened=True)
    assert assess(tiny, marked, {}).scenario("vehicle_ramming").threat == pytest.approx(
        base * 2 * 2
    )


def test_unknown_and_unanswered_count_as_worst_and_are_flagged(tiny: RiskPack) -> None:
    worst = assess(tiny, VENUE, {"Q1": 0, "Q2": 0, "Q3": 0})
    unknown = assess(tiny, VENUE, {"Q1": "unknown", "Q2": 0})
    assert unknown.total_risk == pytest.approx(worst.total_risk)
    assert set(unknown.unknown) == {"Q1", "Q3"}
    assert worst.unknown == ()


def test_not_applicable_questions_are_left_out(tiny: RiskPack) -> None:
    # Q3 is not asked of places of worship: KIT has no evidence there and counts as absent.
    pow_site = SiteProfile(site_type="place_of_worship", capacity=1000)
    result = assess(tiny, pow_site, {"Q1": 2, "Q2": 2})
    assert result.unknown == ()
    assert result.quality["KIT"] == 0.0
    assert assess(tiny, VENUE, {"Q1": 2, "Q2": 2, "Q3": "n/a"}).quality["KIT"] == 0.0


def test_planned_measures_count_as_fully_implemented(tiny: RiskPack) -> None:
    planned = assess(tiny, VENUE, {"Q1": 0, "Q2": 0, "Q3": 0}, planned=["BARRIER"])
    answered = assess(tiny, VENUE, {"Q1": 2, "Q2": 0, "Q3": 0})
    assert planned.total_risk == pytest.approx(answered.total_risk)


def test_events_larger_than_capacity_raise_consequence(tiny: RiskPack) -> None:
    from placeguard.core.timeprofile import TimeProfile

    profile = TimeProfile.from_json({"events": [{"name": "Final", "start": "2027-01-01T10:00",
                                                 "end": "2027-01-01T12:00", "expected_attendance": 5000}]})  # fmt: skip
    small = SiteProfile(site_type="venue", capacity=100)
    with_event = SiteProfile(site_type="venue", capacity=100, time_profile=profile)
    assert with_event.people == 5000
    assert (
        assess(tiny, with_event, {}).scenario("vehicle_ramming").consequence
        > assess(tiny, small, {}).scenario("vehicle_ramming").consequence
    )


def test_drivers_are_ordered_and_explained(tiny: RiskPack) -> None:
    ram = assess(tiny, VENUE, {"Q1": 0, "Q2": 1, "Q3": 2}).scenario("vehicle_ramming")
    ids = [d.question_id for d in ram.drivers]
    assert ids[0] == "Q1"  # barriers matter most for ramming
    assert ids == ["Q1", "Q2"]  # Q3 is already at its best
    shares = [d.share for d in ram.drivers]
    assert shares == sorted(shares, reverse=True)
    # moving Q1 from 0 to 1: V from 0.8×0.9 to 0.8×0.2×0.9 → risk falls by 80 %
    assert ram.drivers[0].share == pytest.approx(0.8)
    assert "Barriers? — answered “none”" in ram.drivers[0].sentence(ram.name)
    assert "80%" in ram.drivers[0].sentence(ram.name)


def test_scales_and_bands() -> None:
    assert list(level([1e-6, 1e-5, 5e-4, 1], (1e-5, 1e-4, 1e-3, 1e-2))) == [1, 2, 3, 5]
    assert [band_of(s) for s in (1, 10, 11, 25, 26, 63, 64, 125)] == [
        "low", "low", "moderate", "moderate", "high", "high", "very high", "very high",
    ]  # fmt: skip


def test_score_is_the_product_of_levels(tiny: RiskPack) -> None:
    for sc in assess(tiny, VENUE, {"Q1": 1}).scenarios:
        assert sc.score == sc.threat_level * sc.vulnerability_level * sc.consequence_level
        assert 1 <= sc.score <= 125


# ------------------------------------------------------------------ properties (hypothesis)
answers_st = st.fixed_dictionaries(
    {q: st.one_of(st.integers(0, 2), st.just("unknown")) for q in ("Q1", "Q2", "Q3")}
)


@settings(max_examples=150, deadline=None)
@given(
    answers=answers_st,
    question=st.sampled_from(["Q1", "Q2", "Q3"]),
    capacity=st.integers(0, 100_000),
)
def test_improving_any_single_answer_never_raises_any_scenario_risk(
    tiny: RiskPack, answers: dict[str, int | str], question: str, capacity: int
) -> None:
    site = SiteProfile(site_type="venue", capacity=capacity)
    before = assess(tiny, site, answers)
    current = answers[question]
    start = 0 if current == "unknown" else int(current)
    for better in range(start, 3):
        after = assess(tiny, site, {**answers, question: better})
        for a, b in zip(before.scenarios, after.scenarios, strict=True):
            assert b.risk <= a.risk * (1 + 1e-12)
            assert b.risk_high <= a.risk_high * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(answers=answers_st, question=st.sampled_from(["Q1", "Q2", "Q3"]))
def test_unknown_is_never_better_than_the_worst_option(
    tiny: RiskPack, answers: dict[str, int | str], question: str
) -> None:
    unknown = assess(tiny, VENUE, {**answers, question: "unknown"})
    worst = assess(tiny, VENUE, {**answers, question: 0})
    for u, w in zip(unknown.scenarios, worst.scenarios, strict=True):
        assert u.risk >= w.risk * (1 - 1e-12)


@settings(max_examples=100, deadline=None)
@given(answers=answers_st, small=st.integers(0, 50_000), extra=st.integers(0, 50_000))
def test_more_capacity_never_lowers_consequence(
    tiny: RiskPack, answers: dict[str, int | str], small: int, extra: int
) -> None:
    a = assess(tiny, SiteProfile(site_type="venue", capacity=small), answers)
    b = assess(tiny, SiteProfile(site_type="venue", capacity=small + extra), answers)
    for x, y in zip(a.scenarios, b.scenarios, strict=True):
        assert y.consequence >= x.consequence


@given(answers=answers_st)
@settings(max_examples=30, deadline=None)
def test_scores_are_deterministic(tiny: RiskPack, answers: dict[str, int | str]) -> None:
    assert assess(tiny, VENUE, answers).as_dict() == assess(tiny, VENUE, answers).as_dict()


def test_vectorised_scores_equal_one_by_one(tiny: RiskPack) -> None:
    from placeguard.engines.risk.assessment import model_for
    from placeguard.engines.risk.model import PortfolioInput

    model = model_for(tiny)
    rng = np.random.default_rng(3)
    combos = list(itertools.product([0, 1, 2], repeat=3))
    rows = np.array([[tiny.question(q).options[a].quality for q, a in zip(("Q1", "Q2", "Q3"), c, strict=True)]
                     for c in combos])  # fmt: skip
    n = len(combos)
    caps = rng.integers(10, 5000, n).astype(float)
    batch = PortfolioInput(site_type=np.full(n, model.type_index("venue")), people=caps,
                           symbolic=np.zeros(n), threatened=np.zeros(n, bool), impact=np.ones(n),
                           threat_level=np.full(n, 3), answers=rows)  # fmt: skip
    scores = model.score(batch)
    for i, combo in enumerate(combos):
        one = assess(tiny, SiteProfile(site_type="venue", capacity=int(caps[i])),
                     dict(zip(("Q1", "Q2", "Q3"), combo, strict=True)))  # fmt: skip
        assert scores.R[i] == pytest.approx([s.risk for s in one.scenarios])


@pytest.mark.parametrize("on_grid", [True, False])
def test_vectorised_scores_match_a_naive_loop(tiny: RiskPack, on_grid: bool) -> None:
    """Both the table look-up path (grid qualities) and the direct path agree with plain loops."""
    from placeguard.engines.risk.assessment import model_for
    from placeguard.engines.risk.model import PortfolioInput

    model = model_for(tiny)
    rng = np.random.default_rng(7)
    n = 40
    raw = rng.choice([0.0, 0.25, 0.5, 1.0], (n, 3)) if on_grid else rng.random((n, 3))
    answers = np.where(rng.random((n, 3)) < 0.2, np.nan, raw)
    people = rng.uniform(0, 3000, n)
    sites = PortfolioInput(site_type=np.full(n, model.type_index("venue")), people=people,
                           symbolic=np.zeros(n), threatened=np.zeros(n, bool), impact=np.ones(n),
                           threat_level=np.full(n, 3), answers=answers)  # fmt: skip
    scores = model.score(sites)
    for s in range(n):
        q = [0.0 if np.isnan(a) else float(a) for a in answers[s]]  # one question per measure here
        for k, spec in enumerate(tiny.scenarios):
            v, c = (
                spec.success_probability[1],
                min(people[s] * spec.exposed_share, spec.max_exposed) * spec.lethality[1],
            )
            for m, measure in enumerate(tiny.measures):
                for effect in measure.effects:
                    if effect.scenario == spec.id:
                        factor = 1 - effect.effectiveness[1] * q[m]
                        v, c = (v * factor, c) if effect.on == "V" else (v, c * factor)
            t = spec.base_rate.get("venue", spec.base_rate["default"])[1]
            assert scores.R[s, k] == pytest.approx(t * v * c, rel=1e-5, abs=1e-15)


def test_integer_answer_units_score_exactly_like_float_qualities() -> None:
    """The no-conversion integer layout (the fast path) is the same model as the float one."""
    import dataclasses

    from placeguard.content import load_risk_pack
    from placeguard.engines.risk.assessment import model_for
    from placeguard.engines.risk.catalogue import OPTION_GRID
    from placeguard.engines.risk.model import PortfolioInput

    pack = load_risk_pack()
    model = model_for(pack)
    rng = np.random.default_rng(11)
    n = 300
    types = rng.integers(0, len(model.site_types), n)
    units = np.full((n, model.n_questions), -1, dtype=np.int16)
    for j, question in enumerate(pack.questions):
        choice = rng.integers(0, len(question.options), n)
        grid = np.array([round(o.quality * OPTION_GRID) for o in question.options])
        asked = model.applies[types, j] & (rng.random(n) < 0.8)
        units[:, j] = np.where(asked, grid[choice], -1)
    sites = PortfolioInput(site_type=types, people=rng.uniform(10, 5000, n),
                           symbolic=np.zeros(n), threatened=np.zeros(n, bool), impact=np.ones(n),
                           threat_level=np.full(n, 3), answers=units)  # fmt: skip
    floats = np.where(units >= 0, units / OPTION_GRID, np.nan)
    by_int = model.score(sites)
    by_float = model.score(dataclasses.replace(sites, answers=floats))
    np.testing.assert_allclose(by_int.R, by_float.R, rtol=1e-12)
    np.testing.assert_allclose(by_int.quality, by_float.quality, rtol=1e-12)
    # each measure's quality is the mean of its asked evidencing questions (0 when none asked)
    for m in rng.choice(model.n_measures, 10, replace=False):
        rows = floats[:, model.evidence[:, m] > 0]
        asked = ~np.isnan(rows)
        mean = np.where(asked.any(axis=1), np.nansum(rows, axis=1) / np.maximum(asked.sum(1), 1), 0)
        np.testing.assert_allclose(by_int.quality[:, m], mean, rtol=1e-12)
    with pytest.raises(ValueError, match="units"):
        model.score(dataclasses.replace(sites, answers=np.full_like(units, OPTION_GRID + 1)))
