"""The report's content agrees with the engines it is built from."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from placeguard.core.errors import PlaceguardError
from placeguard.engines.risk.assessment import assess
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.compliance import evaluate_overlay
from placeguard.engines.risk.inputs import AssessmentInput
from placeguard.engines.risk.planning import problem_for_site, solve_plan
from placeguard.web.reports import SiteReport
from placeguard.web.reports.report import DRIVERS_PER_SCENARIO, cell_band
from tests.web.reports.conftest import make_report


def test_matrix_has_25_cells_holding_every_scenario_once(plain_report: SiteReport) -> None:
    cells = plain_report.matrix
    assert len(cells) == 25
    assert {(c.likelihood, c.consequence) for c in cells} == {
        (lv, cv) for lv in range(1, 6) for cv in range(1, 6)
    }
    assert sum(c.count for c in cells) == len(plain_report.scenarios) == 14
    for s in plain_report.scenarios:
        cell = next(
            c
            for c in cells
            if (c.likelihood, c.consequence) == (s.likelihood_level, s.consequence_level)
        )
        assert s.name in cell.scenarios


@pytest.mark.parametrize(
    ("likelihood", "consequence", "band"),
    [(1, 1, "low"), (2, 2, "low"), (1, 5, "moderate"), (2, 4, "moderate"), (3, 3, "high"),
     (3, 5, "high"), (4, 4, "very high"), (5, 5, "very high")],
)  # fmt: skip
def test_cell_bands_follow_the_score_bands(likelihood: int, consequence: int, band: str) -> None:
    assert cell_band(likelihood, consequence) == band
    assert cell_band(consequence, likelihood) == band


def test_numbers_are_the_engines(
    pack: RiskPack, mosque: AssessmentInput, plain_report: SiteReport
) -> None:
    direct = assess(pack, mosque.profile, mosque.answers, threat_level=mosque.threat_level)
    by_id = {s.scenario: s for s in plain_report.scenarios}
    for s in direct.scenarios:
        mine = by_id[s.scenario]
        assert (mine.threat, mine.vulnerability, mine.consequence, mine.risk) == (
            s.threat, s.vulnerability, s.consequence, s.risk,
        )  # fmt: skip
        assert (mine.risk_low, mine.risk_high, mine.score, mine.band) == (
            s.risk_low, s.risk_high, s.score, s.band,
        )  # fmt: skip
        assert len(mine.drivers) <= DRIVERS_PER_SCENARIO
        assert mine.drivers == s.drivers[: len(mine.drivers)]
    risks = [s.risk for s in plain_report.scenarios]
    assert risks == sorted(risks, reverse=True)
    low, high = plain_report.total_interval
    assert low <= plain_report.total_risk <= high
    assert sum(plain_report.band_counts().values()) == 14


def test_data_gaps_are_the_unknown_answers_in_pack_order(
    pack: RiskPack, plain_report: SiteReport
) -> None:
    ids = [g.question_id for g in plain_report.gaps]
    assert set(ids) == set(plain_report.assessment.unknown)
    assert "TRN-01" in ids  # answered "unknown" in the example
    assert ids == sorted(ids, key=pack.question_index.__getitem__)
    assert plain_report.answered + len(ids) == plain_report.questions_asked


def test_key_answers_are_what_moving_one_answer_really_removes(
    pack: RiskPack, mosque: AssessmentInput, plain_report: SiteReport
) -> None:
    keys = plain_report.key_answers
    assert keys and [k.risk_reduction for k in keys] == sorted(
        (k.risk_reduction for k in keys), reverse=True
    )
    top = keys[0]
    best = len(pack.question(top.question_id).options) - 1
    moved = assess(
        pack,
        mosque.profile,
        {**mosque.answers, top.question_id: best},
        threat_level=mosque.threat_level,
        top=0,
    )
    assert top.risk_reduction == pytest.approx(plain_report.total_risk - moved.total_risk)
    assert top.share == pytest.approx(top.risk_reduction / plain_report.total_risk)


def test_plan_is_the_solvers_plan(
    pack: RiskPack, mosque: AssessmentInput, full_report: SiteReport
) -> None:
    plan = full_report.plan
    assert plan is not None and plan.error is None
    result = full_report.assessment
    problem = problem_for_site(
        pack, result.site_type, result.quality, np.array([s.risk for s in result.scenarios])
    )
    direct = solve_plan(problem, capex_budget=20_000, opex_budget=60_000)
    assert tuple(m.id for m in plan.measures) == direct.chosen
    assert plan.capex == pytest.approx(direct.capex) and plan.capex <= 20_000
    assert plan.opex == pytest.approx(direct.opex) and plan.opex <= 60_000
    assert sum(m.capex for m in plan.measures) == pytest.approx(plan.capex)
    assert plan.risk_after == pytest.approx(direct.total_after)
    assert [r.after for r in plan.residual] == pytest.approx(list(direct.risk_after))
    assert 0 < plan.reduction < 1
    assert len(plan.pareto) >= 2
    assert [p.risk for p in plan.pareto] == sorted((p.risk for p in plan.pareto), reverse=True)


def test_no_budget_no_plan(plain_report: SiteReport) -> None:
    assert plain_report.plan is None


def test_a_solver_failure_is_reported_not_raised(
    pack: RiskPack, mosque: AssessmentInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        msg = "the solver gave up"
        raise PlaceguardError(msg)

    monkeypatch.setattr("placeguard.web.reports.report.solve_plan", refuse)
    report = make_report(pack, mosque, capex_budget=1000)
    assert report.plan is not None
    assert report.plan.error == "the solver gave up"
    assert report.plan.measures == ()


def test_overlays_are_the_compliance_engines(
    pack: RiskPack, mosque: AssessmentInput, plain_report: SiteReport
) -> None:
    assert [o.id for o in plain_report.overlays] == [o.id for o in pack.overlays]
    for section, overlay in zip(plain_report.overlays, pack.overlays, strict=True):
        people = plain_report.assessment.people
        expected = evaluate_overlay(pack, overlay, mosque.profile.site_type, people, mosque.answers)
        assert list(section.statuses) == expected
    uk = next(o for o in plain_report.overlays if o.id == "uk_tppa_2025")
    assert uk.tier == "standard"  # places of worship stay standard whatever their size


def test_an_overlay_that_does_not_apply_collapses_to_one_reason(
    pack: RiskPack, mosque: AssessmentInput
) -> None:
    mall = replace(mosque.profile, site_type="retail")
    report = make_report(pack, mosque, site_type="retail", profile=mall, answers={})
    un = next(o for o in report.overlays if o.id == "un_plan_of_action_religious_sites")
    assert un.common_reason is not None and "place_of_worship" in un.common_reason


def test_inputs_are_checked(pack: RiskPack, mosque: AssessmentInput) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_report(pack, mosque, generated_at=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="differs"):
        make_report(pack, mosque, site_type="retail")
