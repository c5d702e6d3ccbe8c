"""The claim tester on planted truth: real effects supported, artefacts and absent effects not."""

from __future__ import annotations

import pytest

from placeguard.engines.intel.stats.claims import (
    Check,
    Claim,
    Direction,
    Metric,
    Verdict,
    assess_claim,
    evaluate,
)
from placeguard.engines.intel.stats.planted import Planted, planted_table
from placeguard.engines.intel.stats.source import table_from_arrow

TRUTH = Planted(
    base={"place_of_worship": 80.0, "public_space": 400.0, "hard_target": 600.0},
    trend={"place_of_worship": 1.06},
    jumps={2012: 1.8},
    lethality_ratio={"place_of_worship": 1.6},
    size=60.0,
)


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return table_from_arrow(planted_table(TRUTH, seed=5))


def test_a_real_rising_share_is_supported(table) -> None:  # type: ignore[no-untyped-def]
    result = assess_claim(table, Claim(Metric.SHARE, category="place_of_worship"))
    assert result.verdict is Verdict.SUPPORTED
    assert result.primary.low is not None and result.primary.low > 1


def test_more_lethal_religious_sites_supported_and_hard_targets_not(table) -> None:  # type: ignore[no-untyped-def]
    yes = assess_claim(table, Claim(Metric.LETHALITY, category="place_of_worship",
                                    split_year=2012))  # fmt: skip
    assert yes.verdict is Verdict.SUPPORTED
    assert yes.primary.low is not None and yes.primary.low <= 1.6 <= (yes.primary.high or 0)
    names = [c.name for c in yes.checks]
    assert "ratio without the 10 deadliest attack(s)" in names
    assert "ratio relative to all other attacks in the scope" in names
    no = assess_claim(table, Claim(Metric.LETHALITY, category="hard_target", split_year=2012))
    assert no.verdict is not Verdict.SUPPORTED


def test_a_collection_jump_is_not_a_rising_trend(table) -> None:  # type: ignore[no-untyped-def]
    claim = Claim(Metric.ATTACKS, category="public_space", split_year=2005)
    result = assess_claim(table, claim)
    assert result.verdict is not Verdict.SUPPORTED
    raw = next(c for c in result.checks if c.name == "attacks without break terms")
    assert raw.low is not None and raw.low > 1  # the artefact, visible without break terms
    no_breaks = assess_claim(table, claim, breaks=())
    assert no_breaks.verdict is Verdict.SUPPORTED  # … and what a naive analysis would say


def test_deaths_claim_has_leave_k_out_checks_and_definitions(table) -> None:  # type: ignore[no-untyped-def]
    result = assess_claim(table, Claim(Metric.DEATHS, urban=True, split_year=2011,
                                       text="killings in urban centres rose"))  # fmt: skip
    doc = result.as_dict()
    assert doc["claim"]["text"] == "killings in urban centres rose"
    assert "urban" in doc["claim"]["statement"]
    assert any("deadliest" in c["name"] for c in doc["checks"])
    assert doc["data"]["breaks_in_window"] == [1998, 2008, 2012]
    assert doc["definitions"]["subject"] == "urban=True"
    assert doc["verdict"] in {"supported", "not supported", "inconclusive"}


def test_a_split_on_a_collection_break_is_inconclusive_for_counts(table) -> None:  # type: ignore[no-untyped-def]
    # "since 2011" = the years from 2012 on against the years up to 2011; GTD's 2012 break
    claim = Claim(Metric.DEATHS, urban=True, split_year=2012)
    result = assess_claim(table, claim)
    assert result.verdict is Verdict.INCONCLUSIVE and "coincides" in result.reason
    assert result.data["split_confounded_with_breaks"] == [2012]
    naive = assess_claim(table, claim, breaks=())
    assert naive.verdict is Verdict.SUPPORTED  # the 1.8× collection jump, read as a finding
    share = assess_claim(table, Claim(Metric.SHARE, urban=True, split_year=2012,
                                      share_of="deaths"))  # fmt: skip
    assert share.verdict is not Verdict.SUPPORTED  # the urban share did not change


def test_lethality_needs_a_split_year(table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="split year"):
        assess_claim(table, Claim(Metric.LETHALITY, category="place_of_worship"))


def _c(est: float | None, lo: float | None, hi: float | None, *, agrees: bool | None = None,
       contradicts: bool = False) -> Check:  # fmt: skip
    return Check("c", "t", est, lo, hi, None, 1.0, agrees, contradicts)


@pytest.mark.parametrize(
    ("primary", "checks", "verdict"),
    [
        (_c(None, None, None), [], Verdict.INCONCLUSIVE),
        (_c(0.9, 0.8, 1.1, agrees=False), [], Verdict.NOT_SUPPORTED),
        (_c(1.2, 0.9, 1.5, agrees=True), [], Verdict.INCONCLUSIVE),
        (_c(1.2, 1.1, 1.3, agrees=True), [_c(1.1, 1.0, 1.2, agrees=True)], Verdict.SUPPORTED),
        (_c(1.2, 1.1, 1.3, agrees=True), [_c(0.8, 0.7, 0.9, agrees=False, contradicts=True)],
         Verdict.INCONCLUSIVE),
        (_c(1.2, 1.1, 1.3, agrees=True),
         [_c(0.99, 0.9, 1.1, agrees=False), _c(0.98, 0.9, 1.1, agrees=False),
          _c(1.1, 0.9, 1.2, agrees=True)], Verdict.INCONCLUSIVE),
    ],
)  # fmt: skip
def test_decision_rule(primary: Check, checks: list[Check], verdict: Verdict) -> None:
    assert evaluate(primary, checks, Claim(Metric.ATTACKS))[0] is verdict


def test_min_effect_and_decrease() -> None:
    primary = _c(1.2, 1.1, 1.3, agrees=True)
    assert evaluate(primary, [], Claim(Metric.ATTACKS, min_effect=1.15))[0] is (
        Verdict.INCONCLUSIVE
    )
    down = _c(0.8, 0.7, 0.9, agrees=True)
    claim = Claim(Metric.ATTACKS, direction=Direction.DECREASE)
    assert evaluate(down, [], claim)[0] is Verdict.SUPPORTED


def test_a_lethality_rise_common_to_all_attacks_at_a_break_is_inconclusive() -> None:
    common = Planted(
        base={"place_of_worship": 80.0, "hard_target": 600.0},
        lethality_ratio={"place_of_worship": 1.5, "hard_target": 1.5},
        size=60.0,
    )
    table = table_from_arrow(planted_table(common, seed=8))
    claim = Claim(Metric.LETHALITY, category="place_of_worship", split_year=2012)
    at_break = assess_claim(table, claim)
    assert at_break.verdict is Verdict.INCONCLUSIVE
    assert "collection break" in at_break.reason
    assert at_break.data["split_at_collection_break"] == [2012]
    away = assess_claim(table, claim, breaks=(1998,))  # no break near the split: supported
    assert away.verdict is Verdict.SUPPORTED


def test_required_check_must_agree() -> None:
    primary = _c(1.2, 1.1, 1.3, agrees=True)
    required = Check("rel", "t", 0.95, 0.9, 1.05, None, 1.0, False, False, required=True)
    assert evaluate(primary, [required], Claim(Metric.LETHALITY))[0] is Verdict.INCONCLUSIVE
