"""End to end through the real GTD adapter: a synthetic GTD-layout file with planted effects,
read straight from the file, must give back the planted trends and lethality ratio — and the
planted collection jumps must not come out as trends."""

from __future__ import annotations

import pytest

from placeguard.engines.intel.stats.source import table_from_file
from placeguard.engines.intel.stats.trend_report import ReportOptions, build_report
from placeguard.engines.intel.synthetic import write_gtd


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("synthetic") / "gtd.csv"
    truth = write_gtd(path, 30_000, seed=11)
    return path, truth


def test_report_recovers_the_planted_truth(planted) -> None:  # type: ignore[no-untyped-def]
    path, truth = planted
    split = truth.spec.split_year
    options = ReportOptions(split_year=split, missing_years=(), resamples=1000)
    report = build_report(table_from_file(path, "gtd"), options, source="gtd")
    groups = {g["key"]: g for g in report["groups"]}
    covered = 0
    for category, rr in truth.rate_ratios.items():
        lo, hi = groups[category]["rate_ratio_ci"]
        covered += lo <= rr <= hi
    assert covered >= len(truth.rate_ratios) - 1  # 95 % intervals: at most one miss
    # the planted jumps (net ×1.6 from 2012) read as a rising trend without break terms
    flat = [c for c, rr in truth.rate_ratios.items() if rr == 1.0]
    assert flat
    assert all(groups[c]["rate_ratio_unadjusted_ci"][0] > 1.0 for c in flat)
    ratio = truth.spec.lethality_ratio
    hits = sum(
        g["lethality_ratio_ci"][0] <= ratio <= g["lethality_ratio_ci"][1]
        for g in groups.values()
        if g["key"] in truth.rate_ratios and g["lethality_ratio_ci"][0] is not None
    )
    assert hits >= len(truth.rate_ratios) - 1
