"""The claim tester: a public claim about incidents, stated precisely, turned into a verdict.

A :class:`Claim` names a metric (``attacks``, ``deaths``, ``lethality`` or ``share``), a
direction (increase or decrease), the subject filters (target category, attack mode, urban
flag) and the scope (region, country, years) and a split year ("since 2011").

**Primary test** (one per metric):

* ``attacks`` / ``deaths`` — count GLM of the subject's yearly counts with a level shift for
  every declared collection break: without a split year the annual rate ratio; with a split
  year Y (the first year of the "after" period — "since 2011" is Y = 2012) the ratio of the
  levels from Y on and before;
* ``share`` — the same with the subject's share of all attacks (or deaths) in the scope,
  binomial GLM (odds ratio);
* ``lethality`` — ratio of mean deaths per attack, years ≥ split over years < split, with a
  percentile-bootstrap 95 % interval.

**Sensitivity checks**: the same estimate without break terms; the share test (for counts) or
the count test (for shares); the annual trend from the split on; Mann–Kendall on the yearly
series; for deaths and lethality the
leave-k-largest-out re-estimates (k = 1, 5, 10); for lethality the permutation test, the
medians, the share of lethal and of ≥ 10-death attacks, and the ratio relative to all other
attacks in the scope (a difference-in-differences that cancels shocks common to all attacks,
such as a change of collection).

**Collection break at the split.** When a lethality claim's split year lies within one year of
a declared collection break, the periods differ in how incidents were collected as well; the
check relative to all other attacks (which cancels changes common to every category) is then
*required* to show the change: its 95 % interval must lie beyond no change in the claimed
direction.

**Decision rule** (with ``no change`` = 1 for ratios, 0 for slopes; ``threshold`` = the
``min_effect`` ratio, default 1):

1. the primary estimate cannot be computed → **inconclusive**;
   for attacks or deaths, a split whose indicator *is* a declared break's dummy (the change
   cannot be separated from the change of collection) → **inconclusive**;
2. the primary point estimate is on the other side of no change (or equal) → **not supported**;
3. the primary 95 % interval lies entirely beyond the threshold in the claimed direction and
   every *required* check is significant in the claimed direction and no sensitivity check is
   significant (p < 0.05 or interval excluding no change) in the opposite direction and at
   least half of the computable checks point in the claimed direction → **supported**;
4. otherwise → **inconclusive** (the estimate points the claimed way but the interval includes
   no change, or the checks disagree).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from placeguard.engines.intel.stats import lethality, trends
from placeguard.engines.intel.stats.aggregate import (
    Filters,
    Histogram,
    apply_filters,
    covered_years,
    fetch_histogram,
    totals_expr,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "Check",
    "Claim",
    "ClaimResult",
    "Direction",
    "Metric",
    "Verdict",
    "assess_claim",
    "evaluate",
]

IntArray = NDArray[np.int64]


class Metric(StrEnum):
    """What the claim is about."""

    ATTACKS = "attacks"
    DEATHS = "deaths"
    LETHALITY = "lethality"
    SHARE = "share"


class Direction(StrEnum):
    """The claimed direction of change."""

    INCREASE = "increase"
    DECREASE = "decrease"


class Verdict(StrEnum):
    """The outcome."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not supported"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim, stated precisely (see the module docstring)."""

    metric: Metric
    direction: Direction = Direction.INCREASE
    category: str | None = None
    scenario: str | None = None
    urban: bool | None = None
    region: str | None = None
    country: str | None = None
    split_year: int | None = None
    period: tuple[int, int] | None = None
    share_of: str = "attacks"  # for the share metric: "attacks" or "deaths"
    min_effect: float = 1.0
    text: str = ""

    def subject(self) -> Filters:
        """Filters selecting the incidents the claim is about (subject and scope)."""
        return Filters(category=self.category, scenario=self.scenario, urban=self.urban,
                       region=self.region, country=self.country, years=self.period)  # fmt: skip

    def scope(self) -> Filters:
        """Filters of the reference population (the share denominator)."""
        return Filters(region=self.region, country=self.country, years=self.period)

    def statement(self) -> str:
        """The claim in precise words."""
        what = {
            Metric.ATTACKS: "the yearly number of attacks",
            Metric.DEATHS: "the yearly number of deaths",
            Metric.LETHALITY: "the mean number of deaths per attack",
            Metric.SHARE: f"the yearly share of all {self.share_of} in the scope",
        }[self.metric]
        subject = []
        if self.category:
            subject.append(f"target category {self.category}")
        if self.scenario:
            subject.append(f"attack mode {self.scenario}")
        if self.urban is not None:
            subject.append("urban" if self.urban else "non-urban")
        scope = []
        if self.region:
            scope.append(f"region {self.region}")
        if self.country:
            scope.append(f"country {self.country}")
        if self.period:
            scope.append(f"years {self.period[0]}–{self.period[1]}")
        when = (
            f"in the years from {self.split_year} on compared with the years before"
            if self.split_year
            else "as an annual trend over the period"
        )
        return (
            f"{what.capitalize()} for {', '.join(subject) or 'all incidents'}"
            f"{' (' + ', '.join(scope) + ')' if scope else ''} shows an {self.direction} {when}"
            + (f", by at least ×{self.min_effect:g}" if self.min_effect != 1.0 else "")
            + "."
        )


@dataclass(frozen=True, slots=True)
class Check:
    """One test: estimate, interval, p-value and how it relates to the claim."""

    name: str
    test: str
    estimate: float | None
    low: float | None
    high: float | None
    p_value: float | None
    null: float = 1.0  # the value meaning "no change"
    agrees: bool | None = None  # estimate on the claimed side (None: not computable)
    contradicts: bool = False  # significant on the other side
    required: bool = False  # must agree for "supported" (guards a known confounder)
    confounded: tuple[int, ...] = ()  # breaks that coincide with the split (not separable)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "test": self.test,
            "estimate": _num(self.estimate),
            "ci": [_num(self.low), _num(self.high)],
            "p_value": _num(self.p_value),
            "no_change": self.null,
            "agrees": self.agrees,
            "contradicts": self.contradicts,
            "required": self.required,
            "confounded_with_breaks": list(self.confounded),
        }


@dataclass(frozen=True)
class ClaimResult:
    """The verdict with everything behind it."""

    claim: Claim
    verdict: Verdict
    reason: str
    primary: Check
    checks: tuple[Check, ...]
    definitions: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        c = self.claim
        return {
            "claim": {
                "text": c.text,
                "statement": c.statement(),
                "metric": str(c.metric),
                "direction": str(c.direction),
                "category": c.category,
                "scenario": c.scenario,
                "urban": c.urban,
                "region": c.region,
                "country": c.country,
                "split_year": c.split_year,
                "period": list(c.period) if c.period else None,
                "share_of": c.share_of if c.metric is Metric.SHARE else None,
                "min_effect": c.min_effect,
            },
            "verdict": str(self.verdict),
            "reason": self.reason,
            "primary": self.primary.as_dict(),
            "checks": [x.as_dict() for x in self.checks],
            "definitions": self.definitions,
            "data": self.data,
        }


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _check(  # noqa: PLR0917 - the fields of a Check, in order
    name: str, test: str, est: float | None, lo: float | None, hi: float | None,
    p: float | None, direction: Direction, null: float = 1.0,
) -> Check:  # fmt: skip
    if est is None or not math.isfinite(est):
        return Check(name, test, None, lo, hi, p, null, None, False)
    up = direction is Direction.INCREASE
    agrees = est > null if up else est < null
    if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
        significant_other = hi < null if up else lo > null
    else:
        significant_other = p is not None and p < 0.05 and not agrees and est != null
    return Check(name, test, est, lo, hi, p, null, agrees, bool(significant_other))


def _fit_check(
    name: str, test: str, fit: trends.CountTrend | trends.ShareTrend | None, d: Direction
) -> Check:
    """A check from a count or share fit (None: not computable)."""
    if fit is None:
        return _check(name, test, None, None, None, None, d)
    est = fit.rate_ratio if isinstance(fit, trends.CountTrend) else fit.odds_ratio
    check = _check(name, test, est, fit.low, fit.high, fit.p_value, d)
    return dataclasses.replace(check, confounded=fit.confounded)


def _significant(check: Check, *, up: bool) -> bool:
    """The check's interval (or, without one, its p < 0.05) is beyond no change in the claimed
    direction."""
    if not check.agrees:
        return False
    if check.low is not None and check.high is not None:
        return check.low > check.null if up else check.high < check.null
    return check.p_value is not None and check.p_value < 0.05


def evaluate(  # noqa: PLR0911 - one return per step of the decision rule
    primary: Check, checks: Sequence[Check], claim: Claim
) -> tuple[Verdict, str]:
    """Apply the decision rule of the module docstring."""
    up = claim.direction is Direction.INCREASE
    word = "increase" if up else "decrease"
    if primary.estimate is None:
        return Verdict.INCONCLUSIVE, "The primary estimate could not be computed (too few data)."
    if primary.confounded and claim.metric in {Metric.ATTACKS, Metric.DEATHS}:
        years = ", ".join(str(b) for b in primary.confounded)
        return (
            Verdict.INCONCLUSIVE,
            f"The change from {claim.split_year} on coincides with the declared collection "
            f"break of {years}: in counts it cannot be separated from the change of collection. "
            "The share check, which a collection change common to all incidents leaves largely "
            "unchanged, is the one to read (or test the claim with --metric share).",
        )
    if not primary.agrees:
        extra = " — significantly" if primary.contradicts else ""
        return (
            Verdict.NOT_SUPPORTED,
            f"The primary estimate ({primary.estimate:.3g}) points away from an {word}{extra}.",
        )
    threshold = claim.min_effect if up else 1.0 / claim.min_effect
    if primary.null != 1.0:
        threshold = primary.null
    lo, hi = primary.low, primary.high
    beyond = (lo is not None and lo > threshold) if up else (hi is not None and hi < threshold)
    computable = [c for c in checks if c.agrees is not None]
    agreeing = [c for c in computable if c.agrees]
    against = [c for c in checks if c.contradicts]
    if not beyond:
        return (
            Verdict.INCONCLUSIVE,
            f"The estimate points to an {word} but its 95 % interval includes "
            f"{'no change' if threshold == primary.null else f'×{threshold:g}'}.",
        )
    missing = [c for c in checks if c.required and not _significant(c, up=up)]
    if missing:
        names = ", ".join(c.name for c in missing)
        return (
            Verdict.INCONCLUSIVE,
            f"The primary test supports it, but the split year is within a year of a declared "
            f"collection break and the check that cancels collection changes ({names}) does "
            "not show the change beyond no change.",
        )
    if against:
        names = ", ".join(c.name for c in against)
        return (
            Verdict.INCONCLUSIVE,
            f"The primary test supports it, but these checks are significant the other way: "
            f"{names}.",
        )
    if len(agreeing) * 2 < len(computable):
        return (
            Verdict.INCONCLUSIVE,
            f"The primary test supports it, but only {len(agreeing)} of {len(computable)} "
            "sensitivity checks point the same way.",
        )
    return (
        Verdict.SUPPORTED,
        f"The primary 95 % interval excludes no change and {len(agreeing)} of "
        f"{len(computable)} sensitivity checks point the same way; none contradicts it.",
    )


def _series(hist: Histogram, years: IntArray) -> dict[str, IntArray]:
    return hist.yearly(None, years)


def _top_deaths(table: ir.Table, years: tuple[int, int], k: int) -> list[tuple[int, int]]:
    t = table.filter(table.deaths.notnull() & table.year.between(years[0], years[1]))
    rows = t.order_by(t.deaths.desc()).limit(k).select("year", "deaths").to_pyarrow()
    return list(zip(rows.column("year").to_pylist(), rows.column("deaths").to_pylist(),
                    strict=True))  # fmt: skip


def _count_checks(
    claim: Claim, table: ir.Table, sub: Histogram, scope: Histogram, *, years: IntArray,
    breaks: Sequence[int],
) -> tuple[Check, list[Check], dict[str, Any]]:  # fmt: skip
    d = claim.direction
    split = claim.split_year
    window = years
    s = _series(sub, window)
    tot = _series(scope, window)
    field_name = "attacks" if claim.metric is Metric.ATTACKS else "deaths"
    if claim.metric is Metric.SHARE:
        field_name = claim.share_of
    counts, totals = s[field_name], tot[field_name]
    effect = f"ratio of the levels in years ≥ {split} and before" if split else "annual ratio"
    checks: list[Check] = []
    if claim.metric is Metric.SHARE:
        test = f"binomial GLM of the share (+ break terms); odds {effect}"
        adj = trends.share_trend(window, counts, totals, breaks=breaks, split=split)
        raw = trends.share_trend(window, counts, totals, split=split)
        primary = _fit_check("share with collection breaks", test, adj, d)
        checks.append(_fit_check("share without break terms", test, raw, d))
        cnt = trends.count_trend(window, counts, breaks=breaks, split=split)
        checks.append(_fit_check(f"count of {field_name} with collection breaks",
                                 f"count GLM; rate {effect}", cnt, d))  # fmt: skip
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
        keep = ~np.isnan(share)
        mk = trends.mann_kendall(share[keep], window[keep])
    else:
        adj_c = trends.count_trend(window, counts, breaks=breaks, split=split)
        raw_c = trends.count_trend(window, counts, split=split)
        test = f"count GLM of yearly {field_name} (+ break terms); rate {effect}"
        primary = _fit_check(f"{field_name} with collection breaks",
                             f"{test} ({adj_c.model if adj_c else '-'})", adj_c, d)  # fmt: skip
        checks.append(_fit_check(f"{field_name} without break terms", test, raw_c, d))
        sh = trends.share_trend(window, counts, totals, breaks=breaks, split=split)
        checks.append(_fit_check(f"share of all {field_name} in the scope, with breaks",
                                 f"binomial GLM; odds {effect}", sh, d))  # fmt: skip
        mk = trends.mann_kendall(counts, window)
        if claim.metric is Metric.DEATHS and len(window):
            top = _top_deaths(
                apply_filters(table, claim.subject()),
                (int(window[0]), int(window[-1])),
                max(lethality.LEAVE_OUT),
            )
            for k in lethality.LEAVE_OUT:
                if k > len(top):
                    continue
                reduced = counts.copy()
                for year, deaths in top[:k]:
                    reduced[np.searchsorted(window, year)] -= deaths
                lk = trends.count_trend(window, reduced, breaks=breaks, split=split)
                checks.append(_fit_check(f"deaths without the {k} deadliest attack(s)",
                                         test, lk, d))  # fmt: skip
    if split is not None:
        after = window[window >= split]
        series = counts[window >= split]
        slope = trends.count_trend(after, series, breaks=breaks)
        checks.append(_fit_check(f"annual trend of {field_name} from {split} on",
                                 "count GLM with break terms; annual rate ratio", slope,
                                 d))  # fmt: skip
    if mk is not None:
        checks.append(_check("Mann–Kendall", "Mann–Kendall trend test; Sen's slope per year",
                             mk.sen_slope, None, None, mk.p_value, d, null=0.0))  # fmt: skip
    data = {
        "window": [int(window[0]), int(window[-1])] if len(window) else None,
        "yearly": [
            {"year": int(y), "value": int(c), "scope_total": int(t)}
            for y, c, t in zip(window, counts, totals, strict=True)
        ],
        "breaks_in_window": list(trends.break_columns(window, breaks)[1]) if len(window) else [],
        "split_confounded_with_breaks": list(primary.confounded),
    }
    return primary, checks, data


def _lethality_checks(
    claim: Claim,
    sub: Histogram,
    scope: Histogram,
    *,
    years: IntArray,
    seed: int,
    resamples: int,
    breaks: Sequence[int],
) -> tuple[Check, list[Check], dict[str, Any]]:
    d = claim.direction
    split = claim.split_year
    if split is None:
        msg = "a lethality claim needs a split year (the periods to compare)"
        raise ValueError(msg)
    before, after = years[years < split], years[years >= split]
    vb, cb, ub = sub.distribution(None, before)
    va, ca, ua = sub.distribution(None, after)
    comp = lethality.compare((vb, cb, ub), (va, ca, ua), seed=seed, resamples=resamples)
    primary = _check("ratio of mean deaths per attack (after / before)",
                     "percentile bootstrap of the ratio of means",
                     comp.ratio, comp.low, comp.high, comp.p_two_sided, d)  # fmt: skip
    checks: list[Check] = []
    p_dir = comp.p_increase if d is Direction.INCREASE else comp.p_decrease
    perm_agrees = comp.difference > 0 if d is Direction.INCREASE else comp.difference < 0
    p_other = comp.p_decrease if d is Direction.INCREASE else comp.p_increase
    checks.append(Check("permutation test on the difference of means",
                        "permutation (multivariate hypergeometric), one-sided",
                        comp.difference, None, None, p_dir, 0.0,
                        perm_agrees if math.isfinite(comp.difference) else None,
                        bool(p_other < 0.05)))  # fmt: skip
    checks.append(_check("median deaths per attack (after − before)", "difference of medians",
                         comp.after.median - comp.before.median, None, None, None, d,
                         null=0.0))  # fmt: skip
    for label, a, b, na, nb in (
        ("share of lethal attacks (≥ 1 death)", comp.after.share_lethal,
         comp.before.share_lethal, comp.after.attacks, comp.before.attacks),
        ("share of attacks with ≥ 10 deaths", comp.after.share_mass, comp.before.share_mass,
         comp.after.attacks, comp.before.attacks),
    ):  # fmt: skip
        diff = a - b
        pooled = (a * na + b * nb) / (na + nb) if na + nb else math.nan
        se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb)) if na and nb else math.nan
        p = float(2 * stats.norm.sf(abs(diff) / se)) if se and math.isfinite(se) else None
        half = 1.96 * math.sqrt(a * (1 - a) / na + b * (1 - b) / nb) if na and nb else math.nan
        checks.append(_check(f"{label} (after − before)", "two-proportion z-test", diff,
                             diff - half, diff + half, p, d, null=0.0))  # fmt: skip
    for lo in comp.leave_out:
        checks.append(_check(f"ratio without the {lo.k} deadliest attack(s)",
                             "percentile bootstrap of the ratio of means",
                             lo.ratio, lo.low, lo.high, None, d))  # fmt: skip
    # relative to all other attacks in the scope (cancels common collection shocks)
    other_b = _minus(scope.distribution(None, before), (vb, cb))
    other_a = _minus(scope.distribution(None, after), (va, ca))
    rng = np.random.default_rng(seed + 99)
    mb = lethality.bootstrap_means(vb, cb, rng, resamples)
    ma = lethality.bootstrap_means(va, ca, rng, resamples)
    ob = lethality.bootstrap_means(*other_b, rng, resamples)
    oa = lethality.bootstrap_means(*other_a, rng, resamples)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = (ma / mb) / (oa / ob)
        other_ratio = _mean(other_a) / _mean(other_b)
    finite = rr[np.isfinite(rr)]
    if len(finite) >= 0.9 * resamples and math.isfinite(comp.ratio) and other_ratio > 0:
        lo_rr, hi_rr = np.quantile(finite, [0.025, 0.975])
        est = comp.ratio / other_ratio
    else:
        lo_rr = hi_rr = est = math.nan
    relative = _check("ratio relative to all other attacks in the scope",
                      "ratio of the subject's after/before ratio to that of other attacks; "
                      "percentile bootstrap", est, float(lo_rr), float(hi_rr), None,
                      d)  # fmt: skip
    at_break = [b for b in breaks if abs(split - b) <= 1]
    checks.append(dataclasses.replace(relative, required=bool(at_break)))
    data = {
        "before": [int(before[0]), int(before[-1])] if len(before) else None,
        "after": [int(after[0]), int(after[-1])] if len(after) else None,
        "lethality": comp.as_dict(),
        "split_at_collection_break": at_break,
    }
    return primary, checks, data


def _mean(hist: tuple[NDArray[np.float64], IntArray]) -> float:
    v, c = hist
    n = int(c.sum())
    return float(c @ v) / n if n else math.nan


def _minus(
    total: tuple[NDArray[np.float64], IntArray, int], part: tuple[NDArray[np.float64], IntArray]
) -> tuple[NDArray[np.float64], IntArray]:
    tv, tc, _ = total
    pv, pc = part
    out = tc.copy()
    pos = np.searchsorted(tv, pv)
    out[pos] -= pc
    return tv, np.maximum(out, 0)


def assess_claim(
    table: ir.Table,
    claim: Claim,
    *,
    breaks: Sequence[int] = trends.DEFAULT_BREAKS,
    missing_years: Sequence[int] = (),
    seed: int = 0,
    resamples: int = lethality.DEFAULT_RESAMPLES,
    source: str = "",
) -> ClaimResult:
    """Test ``claim`` on a canonical incident ``table`` (see the module docstring)."""
    from placeguard.engines.intel.stats.trend_report import DEFINITIONS

    sub = fetch_histogram(totals_expr(apply_filters(table, claim.subject())))
    scope = fetch_histogram(totals_expr(apply_filters(table, claim.scope())))
    first = claim.period[0] if claim.period else None
    last = claim.period[1] if claim.period else None
    years = covered_years(scope.year.tolist(), first=first, last=last, missing=missing_years)
    if claim.metric is Metric.LETHALITY:
        primary, checks, data = _lethality_checks(claim, sub, scope, years=years, seed=seed,
                                                  resamples=resamples, breaks=breaks)  # fmt: skip
    else:
        primary, checks, data = _count_checks(claim, table, sub, scope, years=years, breaks=breaks)
    verdict, reason = evaluate(primary, checks, claim)
    data.update(
        source=source,
        years=[int(years[0]), int(years[-1])] if len(years) else None,
        missing_years=[int(y) for y in missing_years],
        breaks=list(breaks),
        attacks_in_subject=int(sub.n.sum()),
        attacks_in_scope=int(scope.n.sum()),
        seed=seed,
        resamples=resamples,
    )
    definitions = {
        **DEFINITIONS,
        "subject": claim.subject().describe(),
        "scope": claim.scope().describe(),
        "decision_rule": "supported: the primary 95 % interval lies beyond no change (or the "
        "min_effect) in the claimed direction, every required check is significant the same "
        "way, no check is significant the other way and at least half of the computable checks "
        "point the claimed way; inconclusive when a count change at the split coincides with a "
        "declared collection break; not supported: the primary estimate points the other way; "
        "otherwise "
        "inconclusive",
    }
    return ClaimResult(claim, verdict, reason, primary, tuple(checks), definitions, data)
