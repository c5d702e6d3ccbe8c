"""Crosswalk gaps, GAO completeness, P/S/M/U roll-up and AAR/IP overdue flags."""

from __future__ import annotations

import datetime as dt

import pytest

from placeguard.content.preparedness import load_preparedness_pack
from placeguard.core.errors import ValidationError
from placeguard.engines.preparedness.aar import (
    ActionStatus,
    AfterActionReport,
    AreaForImprovement,
    CapabilityElement,
    CorrectiveAction,
    overdue_actions,
    summarise,
    validate_aar,
)
from placeguard.engines.preparedness.evaluation import Rating, TaskRating, roll_up
from placeguard.engines.preparedness.plans import (
    Indicator,
    NationalActionPlan,
    PlanAction,
    PlanObjective,
    Strategy,
    crosswalk,
    gao_completeness,
)


def _plan() -> NationalActionPlan:
    a1 = PlanAction(
        "A1",
        "Soft-target risk assessment",
        lead_agency="Ministry",
        mandate_refs=("unscr2396.soft_targets_risk_assessment", "unscr2341.op6"),
        end=dt.date(2026, 6, 30),
        budget=50_000.0,
        indicators=(Indicator("sites assessed", baseline=0, target=200),),
    )
    a2 = PlanAction("A2", "Operator forum", mandate_refs=("unscr2396", "bogus.ref"))
    a3 = PlanAction(
        "A3", "Dropped", lead_agency="Police", status="cancelled", mandate_refs=("unscr2341.op5",)
    )
    return NationalActionPlan(
        Strategy("Demo plan", purpose="Protect soft targets", scope="All site types"),
        (
            PlanObjective("OB1", "Know the risk", priority=1, actions=(a1, a2)),
            PlanObjective("OB2", "Partner", actions=(a3,)),
        ),
    )


def test_crosswalk_gaps_on_hand_made_plan() -> None:
    mandates = load_preparedness_pack().mandates
    result = crosswalk(_plan(), mandates)
    assert result.covered["unscr2396.soft_targets_risk_assessment"] == ("A1",)
    assert result.covered["unscr2341.op6"] == ("A1",)
    # A3 is cancelled, so OP5 is a gap; everything not cited is a gap too
    expected_gaps = [
        p.id
        for p in mandates.provisions
        if p.id not in {"unscr2396.soft_targets_risk_assessment", "unscr2341.op6"}
    ]
    assert list(result.gaps) == expected_gaps
    assert result.instrument_only == (("A2", "unscr2396"),)
    assert result.unknown_refs == (("A2", "bogus.ref"),)


def test_gao_completeness_rule() -> None:
    results = {
        r.characteristic: r for r in gao_completeness(_plan(), load_preparedness_pack().mandates)
    }
    # purpose and scope given, methodology missing → partially met
    assert results["purpose_scope_methodology"].verdict == "partially met"
    assert results["purpose_scope_methodology"].missing[0][0] == "methodology"
    assert results["problem_definition_risk_assessment"].verdict == "not met"
    goals = results["goals_objectives_activities_measures"]
    assert goals.verdict == "partially met"
    missing = dict(goals.missing)
    assert "OB2" in missing["priorities"]
    assert "A2" in missing["performance_measures"]
    assert "objectives" not in missing


def test_rating_roll_up() -> None:
    objectives = {"O1": ("public_warning", ["T1", "T2", "T3"]), "O2": ("public_warning", ["T1"])}
    ratings = [
        TaskRating("O1", "T1", "e1", Rating.P),
        TaskRating("O1", "T1", "e2", Rating.M),  # two evaluators: worse middle → M
        TaskRating("O1", "T2", "e1", Rating.S),
        TaskRating("O2", "T1", "e1", Rating.S),
        TaskRating("O2", "T1", "e2", Rating.P),
        TaskRating("O2", "T1", "e3", Rating.P),  # median of P, P, S → P
    ]
    by_objective, by_capability = roll_up(objectives, ratings)
    o1, o2 = by_objective
    assert o1.task_ratings == {"T1": Rating.M, "T2": Rating.S}
    assert o1.rating is Rating.M  # worst rated task
    assert o1.unrated_tasks == ("T3",)
    assert not o1.complete
    assert o2.rating is Rating.P
    assert by_capability[0].rating is Rating.M
    with pytest.raises(ValueError, match="unknown"):
        roll_up(objectives, [TaskRating("O3", "T1", "e1", Rating.P)])


def _action(
    aid: str, due: dt.date, status: ActionStatus = ActionStatus.OPEN, done: dt.date | None = None
) -> CorrectiveAction:
    return CorrectiveAction(
        aid,
        "AFI-1",
        "Fix radio",
        CapabilityElement.EQUIPMENT,
        "Police",
        "ops@example.org",
        dt.date(2025, 1, 1),
        due,
        status,
        done,
    )


def test_overdue_flags_and_summary() -> None:
    today = dt.date(2025, 3, 10)
    actions = (
        _action("CA-1", dt.date(2025, 3, 1)),  # 9 days overdue
        _action("CA-2", dt.date(2025, 3, 10)),  # due today: not overdue
        _action("CA-3", dt.date(2025, 2, 1), ActionStatus.COMPLETED, dt.date(2025, 2, 5)),
        _action("CA-4", dt.date(2025, 1, 20), ActionStatus.IN_PROGRESS),  # 49 days
    )
    flags = overdue_actions(actions, today)
    assert [(f.action, f.days) for f in flags] == [("CA-4", 49), ("CA-1", 9)]
    report = AfterActionReport(
        "TTX",
        "exercise",
        dt.date(2025, 1, 1),
        areas=(
            AreaForImprovement("AFI-1", "public_warning", "Slow alarm", "No code word"),
            AreaForImprovement("AFI-2", "public_warning", "No roll call", "No list"),
        ),
        actions=actions,
    )
    validate_aar(report)
    summary = summarise(report, today)
    assert summary.areas_without_action == ("AFI-2",)
    assert summary.by_element == {CapabilityElement.EQUIPMENT: 4}


def test_aar_validation_lists_every_problem() -> None:
    bad = AfterActionReport(
        "TTX",
        "drill",
        dt.date(2025, 1, 1),
        areas=(AreaForImprovement("AFI-1", "x", "obs", " "),),
        actions=(
            CorrectiveAction(
                "CA-1",
                "AFI-9",
                "d",
                CapabilityElement.TRAINING,
                "",
                "c",
                dt.date(2025, 2, 1),
                dt.date(2025, 1, 1),
                ActionStatus.COMPLETED,
            ),
        ),
    )
    with pytest.raises(ValidationError) as info:
        validate_aar(bad)
    fields = {e.field for e in info.value.errors}
    assert fields == {
        "kind",
        "areas[0].root_cause",
        "actions[0].area",
        "actions[0].owner_org",
        "actions[0].due",
        "actions[0].completed_on",
    }
