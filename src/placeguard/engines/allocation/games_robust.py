"""Robust alternatives to the exact SSE, and how each coverage fares against each attacker.

The SSE assumes a perfectly rational attacker who knows the payoffs we wrote down. Two
departures are offered, each with its own optimal coverage:

* **Quantal response** (bounded rationality): the attacker picks target ``t`` with
  probability ``q_t ∝ exp(λ U_a(t, c))``; ``λ = 0`` is uniformly random, ``λ → ∞``
  approaches the rational attacker. The defender maximises ``Σ q_t U_d(t, c)``, a
  non-convex problem, solved by SLSQP with the analytic gradient from several starts (the
  SSE coverage, uniform spreads, random points); meant for up to about 200 targets.
* **Interval payoffs**: the attacker's payoffs are only known to lie in intervals. A target
  may be attacked if, for some payoffs in the intervals, it is the attacker's best choice,
  i.e. if its best-case utility ``U_a^hi(t)`` exceeds ``R = max_s U_a^lo(s)``. The robust
  (maximin) coverage maximises the defender's worst utility over those targets; it is a
  MILP (one binary per target for "may be attacked", one for the target that sets ``R``),
  solved exactly by HiGHS. Exact ties count in the defender's favour, as in the SSE. When
  the time limit runs out first, the best coverage found (the MILP's incumbent, or the SSE
  coverage when HiGHS found none or a worse one) is returned with ``status="time_limit"``,
  the proven upper bound and the optimality gap — as the Bayesian solver does.

:func:`compare_models` reports each coverage's defender utility under each model, beside
the SSE.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, minimize
from scipy.sparse import coo_matrix, csr_matrix, vstack

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.allocation._highs import SolverError, solve_linear
from placeguard.engines.allocation.games import (
    LP_TOL,
    Payoffs,
    SecurityGame,
    best_response,
    solve_game,
)

__all__ = [
    "IntervalPayoffs",
    "ModelComparison",
    "compare_models",
    "interval_worst_case",
    "quantal_utility",
    "solve_interval",
    "solve_quantal",
]

FloatArray = NDArray[np.float64]
MAX_QUANTAL_TARGETS = 400


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalPayoffs:
    """Attacker payoff intervals, (n,) arrays: ``low ≤ true ≤ high``."""

    attacker_covered_low: FloatArray
    attacker_covered_high: FloatArray
    attacker_uncovered_low: FloatArray
    attacker_uncovered_high: FloatArray

    def problems(self, n: int) -> list[FieldError]:
        """Every inconsistency (lengths, reversed intervals, covered above uncovered)."""
        arrays = (
            self.attacker_covered_low,
            self.attacker_covered_high,
            self.attacker_uncovered_low,
            self.attacker_uncovered_high,
        )
        if any(np.shape(a) != (n,) or not np.all(np.isfinite(a)) for a in arrays):
            return [FieldError("intervals", f"expected {n} finite values per bound")]
        errors = []
        if np.any(self.attacker_covered_low > self.attacker_covered_high):
            errors.append(FieldError("intervals.attacker_covered", "low above high"))
        if np.any(self.attacker_uncovered_low > self.attacker_uncovered_high):
            errors.append(FieldError("intervals.attacker_uncovered", "low above high"))
        if np.any(self.attacker_covered_low > self.attacker_uncovered_low) or np.any(
            self.attacker_covered_high > self.attacker_uncovered_high
        ):
            errors.append(FieldError("intervals", "covered bound above the uncovered bound"))
        return errors


def quantal_utility(payoffs: Payoffs, coverage: FloatArray, rationality: float) -> float:
    """Defender's expected utility against a quantal-response attacker with ``λ``."""
    value, _ = _quantal_and_gradient(payoffs, coverage, rationality)
    return value


def _quantal_and_gradient(
    payoffs: Payoffs, coverage: FloatArray, rationality: float
) -> tuple[float, FloatArray]:
    ua = payoffs.attacker(coverage)
    ud = payoffs.defender(coverage)
    weights = np.exp(rationality * (ua - ua.max()))
    q = weights / weights.sum()
    value = float(q @ ud)
    delta_a = payoffs.attacker_uncovered - payoffs.attacker_covered
    delta_d = payoffs.defender_covered - payoffs.defender_uncovered
    # ∂/∂c_j Σ q_t U_d(t) = q_j [ΔD_j − λ ΔA_j (U_d(j) − value)]
    gradient: FloatArray = q * (delta_d - rationality * delta_a * (ud - value))
    return value, gradient


@dataclass(frozen=True, slots=True)
class QuantalSolution:
    """Best coverage found against a quantal-response attacker."""

    coverage: FloatArray
    defender_utility: float
    rationality: float
    starts: int


def solve_quantal(
    game: SecurityGame, *, rationality: float, starts: int = 4, seed: int = 0
) -> QuantalSolution:
    """Defender's best coverage against a quantal-response attacker (multi-start SLSQP).

    Parameters
    ----------
    game : the game (its resource constraints apply).
    rationality : ``λ ≥ 0``, in 1/utility units.
    starts : number of starting points (the SSE coverage is always one).
    seed : seed of the random starting points (the result is deterministic for a seed).

    Returns
    -------
    QuantalSolution
        A local optimum, the best of the starts; not proven globally optimal.

    Raises
    ------
    ValidationError
        For a negative ``λ`` or more than 400 targets.
    """
    errors = []
    if not np.isfinite(rationality) or rationality < 0:
        errors.append(FieldError("rationality", "must be a number ≥ 0"))
    if game.n > MAX_QUANTAL_TARGETS:
        errors.append(FieldError("targets", f"quantal response supports ≤ {MAX_QUANTAL_TARGETS}"))
    if errors:
        msg = "Cannot solve the quantal-response game."
        raise ValidationError(msg, errors=errors)
    poly = game.polytope
    n, nv = game.n, poly.n_vars
    matrix, lower, upper = poly.rows(nv, n)
    lo, hi = poly.var_bounds()
    sse = solve_game(game)
    rng = np.random.default_rng(seed)
    first = sse.coverage
    if poly.pairs:
        groups, targets = (np.array(v) for v in zip(*poly.pairs, strict=True))
        first = np.concatenate([first, sse.group_coverage[groups, targets]])
    points = [first]
    for k in range(1, starts):
        raw = rng.random(nv) if k > 1 else np.ones(nv)
        points.append(_feasible_start(raw, poly.resources, lo, hi))

    def objective(x: FloatArray) -> tuple[float, FloatArray]:
        value, grad = _quantal_and_gradient(game.payoffs, np.clip(x[:n], 0.0, 1.0), rationality)
        full = np.zeros(nv)
        full[:n] = -grad
        return -value, full

    constraint = LinearConstraint(matrix.toarray(), lower, upper)
    best_x, best_value = points[0][:n], quantal_utility(game.payoffs, points[0][:n], rationality)
    for start in points:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Values in x were outside bounds")
            result = minimize(
                objective,
                start,
                jac=True,
                method="SLSQP",
                bounds=Bounds(lo, hi),
                constraints=[constraint],
                options={"maxiter": 300, "ftol": 1e-9},
            )
        x = np.clip(np.asarray(result.x, dtype=np.float64), lo, hi)
        if not _feasible(matrix, lower, upper, x):
            continue
        value = quantal_utility(game.payoffs, x[:n], rationality)
        if value > best_value:
            best_x, best_value = x[:n], value
    return QuantalSolution(best_x + 0.0, best_value, rationality, len(points))


def _feasible_start(
    raw: FloatArray, resources: float, lo: FloatArray, hi: FloatArray
) -> FloatArray:
    scaled = raw * min(1.0, resources / max(float(raw.sum()), 1e-12))
    clipped: FloatArray = np.clip(scaled, lo, hi)
    return clipped


def _feasible(matrix: csr_matrix, lower: FloatArray, upper: FloatArray, x: FloatArray) -> bool:
    rows = matrix @ x
    return bool(np.all(rows >= lower - 1e-7) and np.all(rows <= upper + 1e-7))


def interval_worst_case(
    payoffs: Payoffs, intervals: IntervalPayoffs, coverage: FloatArray
) -> float:
    """Defender's worst-case utility over attacker payoffs in the intervals."""
    c = coverage
    low = intervals.attacker_uncovered_low - c * (
        intervals.attacker_uncovered_low - intervals.attacker_covered_low
    )
    high = intervals.attacker_uncovered_high - c * (
        intervals.attacker_uncovered_high - intervals.attacker_covered_high
    )
    tol = LP_TOL * payoffs.scale
    ud = payoffs.defender(c)
    level = float(low.max())
    anchors = np.flatnonzero(low >= level - tol)
    possible = high > level + tol
    worst_other = float(ud[possible].min()) if possible.any() else np.inf
    return float(max(min(float(ud[a]), worst_other) for a in anchors))


@dataclass(frozen=True, slots=True, kw_only=True)
class IntervalSolution:
    """The robust (maximin) coverage under interval attacker payoffs.

    Attributes
    ----------
    coverage : (n,) coverage probabilities (the best found).
    worst_case_utility : the defender's worst-case utility of ``coverage``.
    upper_bound : proven upper bound of the optimal worst-case utility.
    proven_optimal : True when HiGHS proved optimality (to a relative gap ≤ 1e-7).
    gap : relative gap ``(upper_bound − worst_case_utility) / max(|worst_case_utility|, ε)``.
    gap_absolute : ``upper_bound − worst_case_utility`` (utility units).
    status : ``"optimal"`` or ``"time_limit"``.
    """

    coverage: FloatArray
    worst_case_utility: float
    upper_bound: float
    proven_optimal: bool = True
    gap: float = 0.0
    gap_absolute: float = 0.0
    status: str = "optimal"


def solve_interval(
    game: SecurityGame, intervals: IntervalPayoffs, *, time_limit: float = 60.0
) -> IntervalSolution:
    """Robust maximin coverage when the attacker's payoffs lie in intervals (exact MILP).

    Parameters
    ----------
    game : the game (its resource constraints apply).
    intervals : the attacker's payoff intervals.
    time_limit : seconds for HiGHS; when they run out the best coverage found is returned
        with ``status="time_limit"``, ``proven_optimal=False`` and its gap to the bound.

    Returns
    -------
    IntervalSolution

    Raises
    ------
    ValidationError
        For inconsistent intervals.
    SolverError
        When HiGHS fails (numerical trouble) or ends with a status other than optimal or a
        time limit.
    """
    errors = intervals.problems(game.n)
    if errors:
        msg = "The payoff intervals are invalid."
        raise ValidationError(msg, errors=errors)
    p, poly, n = game.payoffs, game.polytope, game.n
    low_u, low_c = intervals.attacker_uncovered_low, intervals.attacker_covered_low
    high_u, high_c = intervals.attacker_uncovered_high, intervals.attacker_covered_high
    d_low, d_high = low_u - low_c, high_u - high_c
    delta_d = p.defender_covered - p.defender_uncovered
    nv0 = poly.n_vars
    dvar, rvar, h0, b0 = nv0, nv0 + 1, nv0 + 2, nv0 + 2 + n
    nv = nv0 + 2 + 2 * n
    r_min, r_max = float(low_c.max()), float(low_u.max())
    d_max = float(p.defender_covered.max())
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def add(c: list[int], v: list[float], a: float, b: float) -> None:
        rows.extend([len(lo)] * len(c))
        cols.extend(c)
        vals.extend(v)
        lo.append(a)
        hi.append(b)

    for s in range(n):
        m_anchor = r_max - float(low_c[s])
        m_def = d_max - float(p.defender_uncovered[s])
        m_att = max(0.0, float(high_u[s]) - r_min)
        add([s, rvar], [-d_low[s], -1.0], -np.inf, -low_u[s])  # R ≥ U_a^lo(s)
        add([rvar, s, h0 + s], [1.0, d_low[s], m_anchor], -np.inf, low_u[s] + m_anchor)
        add([dvar, s, b0 + s], [1.0, -delta_d[s], -m_def], -np.inf, p.defender_uncovered[s])
        add([s, rvar, b0 + s], [-d_high[s], -1.0, m_att], -np.inf, m_att - high_u[s])
        add([b0 + s, h0 + s], [1.0, 1.0], -np.inf, 1.0)
    add(list(range(h0, h0 + n)), [1.0] * n, 1.0, 1.0)
    own = csr_matrix(
        coo_matrix((np.array(vals), (np.array(rows), np.array(cols))), shape=(len(lo), nv))
    )
    base, base_lo, base_hi = poly.rows(nv, n)
    var_lo, var_hi = poly.var_bounds()
    cost = np.zeros(nv)
    cost[dvar] = -1.0
    integrality = np.zeros(nv, dtype=np.int64)
    integrality[h0:] = 1
    result = solve_linear(
        cost,
        csr_matrix(vstack([own, base])),
        np.concatenate([lo, base_lo]),
        np.concatenate([hi, base_hi]),
        var_lower=np.concatenate(
            [var_lo, [float(p.defender_uncovered.min()), r_min], np.zeros(2 * n)]
        ),
        var_upper=np.concatenate([var_hi, [d_max, r_max], np.ones(2 * n)]),
        integrality=integrality,
        time_limit=time_limit,
    )
    if result.status == "optimal" and result.x is not None:
        coverage = poly.tidy(result.x[:n])
        value = interval_worst_case(p, intervals, coverage)
        return IntervalSolution(coverage=coverage, worst_case_utility=value, upper_bound=value)
    if result.status != "time_limit":
        msg = f"the interval-robust MILP ended with status {result.status}"
        raise SolverError(msg)
    return _interval_incumbent(game, intervals, result.x, result.bound, d_max)


def _interval_incumbent(
    game: SecurityGame,
    intervals: IntervalPayoffs,
    x: FloatArray | None,
    bound: float,
    d_max: float,
) -> IntervalSolution:
    """The best coverage known when the MILP ran out of time, with its gap to the bound.

    Candidates are HiGHS's incumbent (when it found one) and the SSE coverage (always
    feasible); the better worst case wins. The bound is HiGHS's dual bound (it minimises
    ``−D``), or the largest covered defender payoff when HiGHS proved none.
    """
    p, n = game.payoffs, game.n
    candidates = [game.polytope.tidy(x[:n])] if x is not None else []
    candidates.append(solve_game(game).coverage)
    scored = [(interval_worst_case(p, intervals, c), i) for i, c in enumerate(candidates)]
    value, best = max(scored)
    upper = -bound if np.isfinite(bound) else d_max
    upper = max(min(upper, d_max), value)
    gap_abs = upper - value
    return IntervalSolution(
        coverage=candidates[best],
        worst_case_utility=value,
        upper_bound=upper,
        proven_optimal=False,
        gap=gap_abs / max(abs(value), 1e-9 * p.scale),
        gap_absolute=gap_abs,
        status="time_limit",
    )


@dataclass(frozen=True, slots=True)
class ModelComparison:
    """Defender utility of each candidate coverage under each attacker model.

    Attributes
    ----------
    coverages : name → (n,) coverage; always ``"sse"``, plus ``"quantal"`` and
        ``"interval"`` when computed.
    utilities : coverage name → model name → defender utility. Models: ``"rational"``
        (SSE tie-breaking), ``"quantal"`` (expected utility at ``rationality``) and
        ``"interval"`` (worst case over the intervals) when given.
    interval : the interval solver's result (status, bound, gap) when intervals were given.
    """

    coverages: dict[str, FloatArray]
    utilities: dict[str, dict[str, float]]
    rationality: float | None
    interval: IntervalSolution | None = None


def compare_models(
    game: SecurityGame,
    *,
    rationality: float | None = None,
    intervals: IntervalPayoffs | None = None,
    seed: int = 0,
    interval_time_limit: float = 60.0,
) -> ModelComparison:
    """Solve each requested model and evaluate every coverage under every model."""
    coverages = {"sse": solve_game(game).coverage}
    if rationality is not None:
        coverages["quantal"] = solve_quantal(game, rationality=rationality, seed=seed).coverage
    robust = None
    if intervals is not None:
        robust = solve_interval(game, intervals, time_limit=interval_time_limit)
        coverages["interval"] = robust.coverage
    tol = LP_TOL * game.payoffs.scale
    utilities: dict[str, dict[str, float]] = {}
    for name, c in coverages.items():
        row = {"rational": best_response(game.payoffs, c, tol)[3]}
        if rationality is not None:
            row["quantal"] = quantal_utility(game.payoffs, c, rationality)
        if intervals is not None:
            row["interval"] = interval_worst_case(game.payoffs, intervals, c)
        utilities[name] = row
    return ModelComparison(coverages, utilities, rationality, robust)
