"""Normalised gain and indicator figures against hand-computed values."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placeguard.engines.preparedness.training import (
    NOT_STATED,
    FollowUp,
    Scores,
    TrainingRecord,
    cohort_gain,
    indicator_report,
    kirkpatrick_summary,
    normalised_gain,
)


def test_individual_gain_by_hand() -> None:
    # (80 − 40) / (100 − 40) = 40 / 60 = 0.6667
    assert normalised_gain(40, 80, 100) == pytest.approx(2 / 3)
    # (10 − 20) / (100 − 20) = −10 / 80 = −0.125 (a participant can get worse)
    assert normalised_gain(20, 10, 100) == pytest.approx(-0.125)
    assert normalised_gain(100, 100, 100) is None  # no room to improve
    with pytest.raises(ValueError, match="outside"):
        normalised_gain(-1, 50, 100)


def test_cohort_gain_by_hand() -> None:
    scores = [
        Scores("a", 40, 80),  # g = 40/60 = 0.6667
        Scores("b", 60, 90),  # g = 30/40 = 0.75
        Scores("c", 100, 100),  # pre = max: excluded from individual g
        Scores("d", 50, None),  # no post test: incomplete
    ]
    cohort = cohort_gain(scores)
    assert cohort.n_complete == 3
    assert cohort.n_incomplete == 1
    assert cohort.n_excluded_at_ceiling == 1
    # mean pre = (40 + 60 + 100)/3 = 66.667 %; mean post = (80 + 90 + 100)/3 = 90 %
    assert cohort.mean_pre_pct == pytest.approx(200 / 3)
    assert cohort.mean_post_pct == pytest.approx(90.0)
    # g of averages = (90 − 66.667)/(100 − 66.667) = 23.333/33.333 = 0.7
    assert cohort.g_of_averages == pytest.approx(0.7)
    # average of gains = (0.6667 + 0.75)/2 = 0.70833
    assert cohort.average_of_gains == pytest.approx((2 / 3 + 0.75) / 2)
    assert cohort.band == "medium"  # 0.7 is not > 0.7


def test_indicator_report_by_hand() -> None:
    records = [
        TrainingRecord(
            "p1", "c1", "AA", "police", "hvm", gender="female", satisfaction=5, pre=40, post=80
        ),
        TrainingRecord("p1", "c2", "AA", "police", "ttx", gender="female", satisfaction=4),
        TrainingRecord("p2", "c1", "AA", "operator", "hvm", satisfaction=3, pre=60, post=90),
        TrainingRecord("p3", "c1", "BB", "police", "hvm", gender="male", pre=20, post=60),
        TrainingRecord("p4", "c1", "BB", "police", "hvm", attended=False, satisfaction=1),
    ]
    followups = [
        FollowUp("c1", dt.date(2025, 6, 1), completed_on=dt.date(2025, 5, 20)),
        FollowUp("c2", dt.date(2025, 7, 1)),
        FollowUp("c3", dt.date(2026, 1, 1)),  # not yet due
    ]
    report = indicator_report(records, followups, as_of=dt.date(2025, 8, 1))
    # attended: p1 (twice), p2, p3 → 3 distinct officials; p4 did not attend
    assert report.officials_trained == 3
    assert report.by_country == {"AA": 2, "BB": 1}
    assert report.by_sector == {"operator": 1, "police": 2}
    assert report.by_gender == {"female": 1, "male": 1, NOT_STATED: 1}
    assert report.by_topic == {"hvm": 3, "ttx": 1}  # p1 counts under both topics
    # satisfaction answers of attendees: 5, 4, 3 → mean 4.0 (p4's 1 is excluded)
    assert report.satisfaction_mean == pytest.approx(4.0)
    assert report.satisfaction_responses == 3
    # learning: 3 complete (p1@c1, p2@c1, p3@c1), 1 incomplete (p1@c2)
    # mean pre = (40+60+20)/3 = 40 %, mean post = (80+90+60)/3 = 76.667 %
    # g = (76.667 − 40)/(100 − 40) = 36.667/60 = 0.61111
    assert report.learning.n_incomplete == 1
    assert report.learning.g_of_averages == pytest.approx((230 / 3 - 40) / 60)
    # individual: 40/60, 30/40, 40/80 → mean (0.6667 + 0.75 + 0.5)/3 = 0.63889
    assert report.learning.average_of_gains == pytest.approx((2 / 3 + 0.75 + 0.5) / 3)
    # follow-ups due by 1 Aug 2025: c1, c2 → 1 completed → 0.5
    assert report.followups_due == 2
    assert report.followup_completion_rate == pytest.approx(0.5)


def test_kirkpatrick_summary_levels() -> None:
    cohort = cohort_gain([Scores("a", 40, 80)])
    levels = kirkpatrick_summary([], satisfaction_mean=4.2, gain=cohort)
    assert [lv.evidenced for lv in levels] == [True, True, False, False]
    assert "0.67" in levels[1].headline


score = st.integers(min_value=0, max_value=100)


@given(score, score)
def test_gain_is_at_most_one(pre: int, post: int) -> None:
    g = normalised_gain(pre, post, 100)
    assert g is None or g <= 1


@given(score, score)
def test_improvement_gives_positive_gain(pre: int, post: int) -> None:
    if post > pre:
        g = normalised_gain(pre, post, 100)
        assert g is not None
        assert g > 0


@given(st.lists(st.tuples(score, score), min_size=1, max_size=12), st.randoms())
def test_cohort_invariant_to_order(pairs: list[tuple[int, int]], rnd: object) -> None:
    scores = [Scores(f"p{i}", a, b) for i, (a, b) in enumerate(pairs)]
    shuffled = list(scores)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    one, two = cohort_gain(scores), cohort_gain(shuffled)
    for name in ("g_of_averages", "average_of_gains", "mean_pre_pct", "mean_post_pct"):
        a, b = getattr(one, name), getattr(two, name)
        assert (a is None and b is None) or a == pytest.approx(b)
    assert one.n_excluded_at_ceiling == two.n_excluded_at_ceiling
