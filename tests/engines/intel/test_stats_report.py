"""The trend report and the grouping it rests on: planted truth recovered, counts checked
against a naive pass over the rows, missing years and unknown deaths handled."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from placeguard.engines.intel.report import render_trend_report
from placeguard.engines.intel.stats.aggregate import (
    By,
    Filters,
    apply_filters,
    covered_years,
    fetch_histogram,
    histogram_expr,
)
from placeguard.engines.intel.stats.planted import Planted, planted_table
from placeguard.engines.intel.stats.source import table_from_arrow
from placeguard.engines.intel.stats.trend_report import ReportOptions, build_report

TRUTH = Planted(
    base={"place_of_worship": 150.0, "public_space": 600.0, "hard_target": 900.0},
    trend={"place_of_worship": 1.05},
    jumps={2012: 1.8},
    lethality_ratio={"place_of_worship": 1.5},
    missing_years=(1993,),
    size=60.0,
)


@pytest.fixture(scope="module")
def arrow():  # type: ignore[no-untyped-def]
    return planted_table(TRUTH, seed=21)


@pytest.fixture(scope="module")
def report(arrow):  # type: ignore[no-untyped-def]
    options = ReportOptions(split_year=2012, missing_years=(1993,), resamples=2000)
    return build_report(table_from_arrow(arrow), options, source="planted")


def test_yearly_counts_match_a_naive_pass_over_the_rows(arrow, report) -> None:  # type: ignore[no-untyped-def]
    rows = arrow.select(["year", "target_categories", "deaths"]).to_pylist()
    attacks: Counter[tuple[str, int]] = Counter()
    deaths: Counter[tuple[str, int]] = Counter()
    known: Counter[tuple[str, int]] = Counter()
    for r in rows:
        for cat in r["target_categories"]:
            attacks[cat, r["year"]] += 1
            if r["deaths"] is not None:
                deaths[cat, r["year"]] += r["deaths"]
                known[cat, r["year"]] += 1
    for group in report["groups"]:
        for y in group["yearly"]:
            key = (group["key"], y["year"])
            assert (y["attacks"], y["deaths"], y["deaths_known"]) == (
                attacks[key],
                deaths[key],
                known[key],
            )


def test_missing_year_is_left_out_not_zero(report) -> None:  # type: ignore[no-untyped-def]
    years = [y["year"] for y in report["groups"][0]["yearly"]]
    assert 1993 not in years and 1992 in years and 1994 in years
    assert report["missing_years"] == [1993]


def test_planted_effects_are_recovered_and_the_break_is_not_a_trend(report) -> None:  # type: ignore[no-untyped-def]
    groups = {g["key"]: g for g in report["groups"]}
    pow_ = groups["place_of_worship"]
    lo, hi = pow_["rate_ratio_ci"]
    assert lo <= 1.05 <= hi
    lo, hi = pow_["lethality_ratio_ci"]
    assert lo <= 1.5 <= hi
    for flat in ("public_space", "hard_target"):
        g = groups[flat]
        lo, hi = g["rate_ratio_ci"]
        assert lo <= 1.0 <= hi  # with break terms: no trend
        assert g["rate_ratio_unadjusted_ci"][0] > 1.0  # without: the 2012 jump reads as one
        assert g["lethality_ratio_ci"][0] <= 1.0 <= g["lethality_ratio_ci"][1]
        cps = g["change_points"]["change_points"]
        assert cps and all(c["at_collection_break"] == 2012 for c in cps)
    assert report["cells_tested"] == 3
    assert all(g["rate_ratio_q"] >= g["rate_ratio_p"] for g in report["groups"])


def test_lethality_mean_matches_the_rows(arrow, report) -> None:  # type: ignore[no-untyped-def]
    rows = arrow.select(["year", "target_categories", "deaths"]).to_pylist()
    after = [r["deaths"] for r in rows
             if r["year"] >= 2012 and "hard_target" in r["target_categories"]
             and r["deaths"] is not None]  # fmt: skip
    g = next(g for g in report["groups"] if g["key"] == "hard_target")
    assert g["lethality_after"] == pytest.approx(np.mean(after))
    assert g["lethality"]["after"]["attacks_known"] == len(after)


def test_html_escapes_and_marks_breaks(report) -> None:  # type: ignore[no-untyped-def]
    doc = dict(report, source="<script>alert(1)</script>")
    html = render_trend_report(doc)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "break 2012" in html and "place_of_worship" in html
    assert html.count("<svg") == 3


def test_filters_and_other_breakdowns(arrow) -> None:  # type: ignore[no-untyped-def]
    table = table_from_arrow(arrow)
    urban = apply_filters(table, Filters(urban=True, years=(2000, 2005)))
    n = urban.count().to_pyarrow().as_py()
    rows = arrow.select(["year", "urban"]).to_pylist()
    assert n == sum(1 for r in rows if r["urban"] and 2000 <= r["year"] <= 2005)
    hist = fetch_histogram(histogram_expr(table, By.URBAN))
    assert set(hist.keys) == {"urban", "non_urban"}
    regions = fetch_histogram(histogram_expr(table, By.REGION))
    assert int(regions.n.sum()) == arrow.num_rows


def test_covered_years() -> None:
    assert covered_years([1990, 1995], missing=(1993,)).tolist() == [1990, 1991, 1992, 1994, 1995]
    assert covered_years([], first=2000, last=2001).tolist() == [2000, 2001]
