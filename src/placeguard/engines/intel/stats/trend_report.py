"""The trend report: per key (category, attack mode, region …) yearly attacks and deaths, the
annual rate ratio with and without collection-break terms, share and Mann–Kendall checks,
lethality before/after a split year, change points — from one grouped query.

Multiple testing: the break-adjusted attack-trend p-values and the change-point p-values are
each adjusted across the keys of the report (Benjamini–Hochberg, ``q`` values); the number of
keys tested is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from placeguard.engines.intel.stats import changepoints, lethality, trends
from placeguard.engines.intel.stats.aggregate import (
    By,
    Filters,
    Histogram,
    apply_filters,
    covered_years,
    fetch_histogram,
    histogram_expr,
    totals_expr,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["ReportOptions", "build_report", "report_from_histograms"]

DEFINITIONS = {
    "attack": "one incident row of the source; an incident with several target categories or "
    "attack modes counts once under each",
    "deaths": "the source's death count (GTD nkill: includes perpetrators); unknown counts are "
    "missing, never zero",
    "rate_ratio": "exp(β_year) of a yearly-count GLM (Poisson, negative binomial or "
    "quasi-Poisson by overdispersion test) with one level-shift term per declared collection "
    "break (rate_ratio) or without them (rate_ratio_unadjusted); Wald 95 % interval",
    "share": "the key's share of all attacks (or deaths) per year, binomial GLM on year "
    "(+ breaks); quasi-binomial when overdispersed; annual odds ratio",
    "lethality": "mean deaths per attack with a known count, percentile bootstrap 95 % interval "
    "(multinomial resampling of the attacks); 'before' = years < split year, 'after' = years ≥ "
    "split year",
    "missing_years": "years the dataset does not cover; left out of every series, not zeros",
}


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What the report covers and how."""

    by: By = By.CATEGORY
    split_year: int | None = None  # None: the middle of the covered years
    breaks: tuple[int, ...] = trends.DEFAULT_BREAKS
    missing_years: tuple[int, ...] = ()
    filters: Filters = field(default_factory=Filters)
    seed: int = 0
    resamples: int = lethality.DEFAULT_RESAMPLES
    leave_out: tuple[int, ...] = lethality.LEAVE_OUT


def _num(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(x)


def _pair(a: float, b: float) -> list[float | None]:
    return [_num(a), _num(b)]


def _key_section(
    key: str,
    hist: Histogram,
    *,
    totals: dict[str, np.ndarray[Any, Any]],
    years: np.ndarray[Any, np.dtype[np.int64]],
    split: int,
    options: ReportOptions,
) -> dict[str, Any]:
    series = hist.yearly(key, years)
    attacks, deaths = series["attacks"], series["deaths"]
    adj = trends.count_trend(years, attacks, breaks=options.breaks)
    raw = trends.count_trend(years, attacks)
    d_adj = trends.count_trend(years, deaths, breaks=options.breaks)
    d_raw = trends.count_trend(years, deaths)
    share = trends.share_trend(years, attacks, totals["attacks"], breaks=options.breaks)
    share_raw = trends.share_trend(years, attacks, totals["attacks"])
    mk = trends.mann_kendall(attacks, years)
    seg = changepoints.segment(years, attacks, breaks=options.breaks)
    before_years, after_years = years[years < split], years[years >= split]
    vb, cb, ub = hist.distribution(key, before_years)
    va, ca, ua = hist.distribution(key, after_years)
    comp = lethality.compare(
        (vb, cb, ub), (va, ca, ua), seed=options.seed, resamples=options.resamples,
        leave_out=options.leave_out, leave_out_ci=False,
    )  # fmt: skip
    return {
        "key": key,
        "attacks": int(attacks.sum()),
        "deaths": int(deaths.sum()),
        "attacks_with_unknown_deaths": int((attacks - series["deaths_known"]).sum()),
        "yearly": [
            {"year": int(y), "attacks": int(a), "deaths": int(d), "deaths_known": int(k)}
            for y, a, d, k in zip(years, attacks, deaths, series["deaths_known"], strict=True)
        ],
        "rate_ratio": _num(adj.rate_ratio) if adj else None,
        "rate_ratio_ci": _pair(*adj.ci) if adj else None,
        "rate_ratio_p": _num(adj.p_value) if adj else None,
        "rate_ratio_model": adj.model if adj else None,
        "rate_ratio_unadjusted": _num(raw.rate_ratio) if raw else None,
        "rate_ratio_unadjusted_ci": _pair(*raw.ci) if raw else None,
        "rate_ratio_unadjusted_p": _num(raw.p_value) if raw else None,
        "deaths_rate_ratio": _num(d_adj.rate_ratio) if d_adj else None,
        "deaths_rate_ratio_ci": _pair(*d_adj.ci) if d_adj else None,
        "deaths_rate_ratio_unadjusted": _num(d_raw.rate_ratio) if d_raw else None,
        "deaths_rate_ratio_unadjusted_ci": _pair(*d_raw.ci) if d_raw else None,
        "trend": {
            "attacks": adj.as_dict() if adj else None,
            "attacks_unadjusted": raw.as_dict() if raw else None,
            "deaths": d_adj.as_dict() if d_adj else None,
            "deaths_unadjusted": d_raw.as_dict() if d_raw else None,
            "share_of_attacks": share.as_dict() if share else None,
            "share_of_attacks_unadjusted": share_raw.as_dict() if share_raw else None,
            "mann_kendall_attacks": mk.as_dict() if mk else None,
        },
        "lethality_before": _num(comp.before.mean),
        "lethality_before_ci": _pair(comp.before.low, comp.before.high),
        "lethality_after": _num(comp.after.mean),
        "lethality_after_ci": _pair(comp.after.low, comp.after.high),
        "lethality_ratio": _num(comp.ratio),
        "lethality_ratio_ci": _pair(comp.low, comp.high),
        "lethality": _clean(comp.as_dict()),
        "change_points": seg.as_dict(),
    }


def _clean(value: Any) -> Any:
    """NaN/inf → None, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def report_from_histograms(
    hist: Histogram,
    totals: Histogram,
    options: ReportOptions,
    *,
    source: str = "",
    release: str | None = None,
    attribution: str = "",
    progress: Callable[[int], None] | None = None,
    keys: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The report from already-grouped histograms (see :func:`build_report`)."""
    years = covered_years(totals.year.tolist(), missing=options.missing_years)
    if len(years) == 0:
        msg = "no incidents to report on"
        raise ValueError(msg)
    split = options.split_year
    if split is None:
        split = int(years[len(years) // 2])
    total_series = totals.yearly(None, years)
    chosen = list(keys) if keys is not None else list(hist.keys)
    sections = []
    for key in chosen:
        sections.append(
            _key_section(key, hist, totals=total_series, years=years, split=split, options=options)
        )
        if progress is not None:
            progress(1)
    trend_p = [s["rate_ratio_p"] if s["rate_ratio_p"] is not None else math.nan for s in sections]
    cp_p = [s["change_points"]["p_value_any_change"] for s in sections]
    _, trend_q = changepoints.benjamini_hochberg(trend_p)
    _, cp_q = changepoints.benjamini_hochberg(cp_p)
    for s, tq, cq in zip(sections, trend_q, cp_q, strict=True):
        s["rate_ratio_q"] = _num(float(tq))
        s["change_points"]["q_value_any_change"] = _num(float(cq))
    doc: dict[str, Any] = _clean(
        {
            "format": "placeguard-trend-report/1",
            "source": source,
            "release": release,
            "attribution": attribution,
            "by": str(options.by),
            "filters": options.filters.describe(),
            "years": [int(years[0]), int(years[-1])],
            "missing_years": [y for y in options.missing_years if years[0] < y < years[-1]],
            "breaks": list(options.breaks),
            "split_year": split,
            "seed": options.seed,
            "resamples": options.resamples,
            "cells_tested": len(sections),
            "total": {
                "yearly": [
                    {"year": int(y), "attacks": int(a), "deaths": int(d)}
                    for y, a, d in zip(
                        years, total_series["attacks"], total_series["deaths"], strict=True
                    )
                ]
            },
            "definitions": DEFINITIONS,
            "groups": sections,
        }
    )
    return doc


def build_report(
    table: ir.Table,
    options: ReportOptions,
    *,
    source: str = "",
    release: str | None = None,
    attribution: str = "",
    progress: Callable[[int], None] | None = None,
    on_keys: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Group ``table`` once and compute the trend report.

    ``on_keys`` is told how many keys there are (to size a progress bar) before the per-key
    statistics run; ``progress`` is called with 1 after each key.
    """
    filtered = apply_filters(table, options.filters)
    hist = fetch_histogram(histogram_expr(filtered, options.by))
    totals = fetch_histogram(totals_expr(filtered))
    if on_keys is not None:
        on_keys(len(hist.keys))
    return report_from_histograms(hist, totals, options, source=source, release=release,
                                  attribution=attribution, progress=progress)  # fmt: skip
