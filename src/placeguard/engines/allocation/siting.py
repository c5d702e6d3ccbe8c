"""Siting response units: maximal covering (MCLP) and set covering (LSCP).

Both models work on a **coverage matrix** ``A`` (sites × candidate bases, boolean):
``A[i, j]`` is true when a unit at base ``j`` reaches site ``i`` within the standard.
:func:`coverage_sets` builds it from a road graph.

MCLP (Church & ReVelle 1974), with demand ``w`` and exactly ``k`` units::

    maximise    Σ_i w_i y_i
    subject to  y_i ≤ Σ_j A_ij x_j      for every site i
                Σ_j x_j = k,   x_j ∈ {0, 1},   0 ≤ y_i ≤ 1

LSCP (Toregas et al. 1971), over the sites that some base can reach::

    minimise    Σ_j x_j
    subject to  Σ_j A_ij x_j ≥ 1        for every coverable site i,   x_j ∈ {0, 1}

Method, for both:

1. sites no base reaches, sites of zero demand (MCLP), and bases reaching nothing are set
   aside; bases reaching exactly the same sites are merged, and so are sites reached by
   exactly the same bases (their demands summed) — none of which changes the optimum;
2. a **greedy** solution (largest marginal covered demand first; for MCLP then improved by
   1-swaps until none helps, within the time limit);
3. the **LP relaxation** (HiGHS) gives a bound on the optimum: an upper bound on covered demand
   for MCLP (tightened by the greedy guarantee, optimum ≤ greedy / (1 − 1/e)), a lower bound
   ``⌈LP⌉`` on the number of units for LSCP. (The Lagrangian relaxation of the covering rows
   has the integrality property, so its best bound equals this LP bound.) When the greedy value
   meets the bound it is proven optimal;
4. otherwise, when the instance has at most ``max_exact_nonzeros`` non-zeros, the **MILP**
   (HiGHS via :func:`scipy.optimize.milp`) with a time limit. Its status is always checked and
   its answer re-verified: a time-out is reported as ``time_limit`` with the better of its
   incumbent and the greedy solution and the best proven bound — never as optimal.

The reported ``gap`` is the relative distance between the solution and the bound; it is an
upper bound on the true optimality gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp
from scipy.sparse import coo_array, csc_array, csr_array
from scipy.sparse.csgraph import dijkstra

from placeguard.core.errors import FieldError, ValidationError

__all__ = [
    "SitingResult",
    "SolveStatus",
    "coverage_sets",
    "greedy_mclp",
    "solve_lscp",
    "solve_mclp",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_GREEDY_GUARANTEE = 1.0 - 1.0 / math.e
_TOL = 1e-9
_REL_GAP = 1e-6  # a solution within this relative distance of its bound counts as optimal
_BLOCK_CELLS = 4_000_000  # Dijkstra rows per block × nodes: bounds the dense buffer (32 MB)


class SolveStatus(StrEnum):
    """How good the reported solution is known to be."""

    OPTIMAL = "optimal"  # proven within a relative 1e-6: the MILP finished, or a bound met
    TIME_LIMIT = "time_limit"  # the MILP stopped at its time limit; gap against the best bound
    HEURISTIC = "heuristic"  # the MILP was not run (instance above the size threshold)


@dataclass(frozen=True, slots=True, kw_only=True)
class SitingResult:
    """A siting solution and how far from optimal it may be.

    Attributes
    ----------
    model : str
        ``"mclp"`` or ``"lscp"``.
    chosen : ndarray of int64
        Candidate columns chosen, sorted.
    covered : ndarray of bool
        Per site: reached by a chosen base.
    uncoverable : ndarray of bool
        Per site that needs cover (MCLP: demand > 0; LSCP: required): no candidate reaches it.
    objective : float
        MCLP: demand covered. LSCP: number of units.
    bound : float
        MCLP: an upper bound on the best demand covered. LSCP: a lower bound on the units.
    lp_bound : float
        The LP-relaxation value (NaN when the LP was not solved).
    demand_total : float
        Σ demand (MCLP); number of sites to cover (LSCP).
    method : str
        ``"exact"``, ``"greedy"`` or ``"greedy+swap"``.
    status : SolveStatus
    """

    model: str
    chosen: IntArray
    covered: BoolArray
    uncoverable: BoolArray
    objective: float
    bound: float
    lp_bound: float
    demand_total: float
    method: str
    status: SolveStatus

    @property
    def gap(self) -> float:
        """Relative gap to the bound (≥ 0; 0 when proven optimal)."""
        if self.status == SolveStatus.OPTIMAL:
            return 0.0
        if self.model == "mclp":
            return max(0.0, (self.bound - self.objective) / self.bound) if self.bound > 0 else 0.0
        return max(0.0, (self.objective - self.bound) / self.objective) if self.objective else 0.0

    @property
    def demand_uncovered(self) -> float:
        """MCLP: demand not covered. LSCP: sites left uncovered (the uncoverable ones)."""
        return (
            max(0.0, self.demand_total - self.objective)
            if self.model == "mclp"
            else float(self.uncoverable.sum())
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "model": self.model,
            "method": self.method,
            "status": self.status.value,
            "chosen": [int(j) for j in self.chosen],
            "objective": self.objective,
            "bound": self.bound,
            "lp_bound": self.lp_bound if math.isfinite(self.lp_bound) else None,
            "gap": self.gap,
            "demand_uncovered": self.demand_uncovered,
            "covered_sites": int(self.covered.sum()),
            "uncoverable_sites": [int(i) for i in np.flatnonzero(self.uncoverable)],
        }


# ---------------------------------------------------------------- coverage matrix
def coverage_sets(
    times: csr_array, site_nodes: IntArray, candidate_nodes: IntArray, *, standard_s: float
) -> csr_array:
    """Which candidate base reaches which site within the standard.

    One Dijkstra per distinct site node on the *reversed* graph, cut off at the standard,
    gives the time from every node to that site; blocks of sites bound the memory used.

    Parameters
    ----------
    times : csr_array
        ``(n, n)`` travel times, seconds.
    site_nodes : ndarray of int64
        Node index of each site.
    candidate_nodes : ndarray of int64
        Node index of each candidate base; ``-1`` for a base off the network (reaches nothing).
    standard_s : float
        Seconds.

    Returns
    -------
    csr_array of bool, shape (sites, candidates)
    """
    site_nodes = np.asarray(site_nodes, dtype=np.int64)
    candidate_nodes = np.asarray(candidate_nodes, dtype=np.int64)
    n = times.shape[0]
    unique, inverse = np.unique(site_nodes, return_inverse=True)
    reverse = csr_array(times.T)
    valid = candidate_nodes >= 0
    cols = candidate_nodes[valid]
    col_index = np.flatnonzero(valid)
    rows_out: list[IntArray] = []
    cols_out: list[IntArray] = []
    block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, unique.size, block):
        nodes = unique[start : start + block]
        dist = np.atleast_2d(dijkstra(reverse, directed=True, indices=nodes, limit=standard_s))
        r, c = np.nonzero(dist[:, cols] <= standard_s)
        rows_out.append(r + start)
        cols_out.append(col_index[c])
    r = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols_out) if cols_out else np.zeros(0, dtype=np.int64)
    by_unique = csr_array(
        (np.ones(r.size, dtype=bool), (r, c)), shape=(unique.size, candidate_nodes.size)
    )
    return csr_array(by_unique[inverse])


# ---------------------------------------------------------------- shared helpers
def _as_cover(cover: Any) -> csc_array:
    matrix = csc_array(cover, dtype=bool)
    matrix.eliminate_zeros()
    matrix.sort_indices()
    return matrix


def _distinct_columns(a: csc_array) -> IntArray:
    """First column of each distinct non-empty column pattern, in column order."""
    seen: set[bytes] = set()
    keep = []
    for j in range(a.shape[1]):
        pattern = a.indices[a.indptr[j] : a.indptr[j + 1]]
        if pattern.size == 0:
            continue
        key = pattern.tobytes()
        if key not in seen:
            seen.add(key)
            keep.append(j)
    return np.asarray(keep, dtype=np.int64)


def _merge_rows(a: csc_array, w: FloatArray) -> tuple[csc_array, FloatArray]:
    """Sites reached by exactly the same bases become one row carrying their summed weight."""
    rows = csr_array(a)
    rows.sort_indices()
    groups: dict[bytes, int] = {}
    label = np.empty(a.shape[0], dtype=np.int64)
    first: list[int] = []
    for i in range(a.shape[0]):
        key = rows.indices[rows.indptr[i] : rows.indptr[i + 1]].tobytes()
        if key not in groups:
            groups[key] = len(first)
            first.append(i)
        label[i] = groups[key]
    merged = csc_array(rows[np.asarray(first, dtype=np.int64)])
    return merged, np.bincount(label, weights=w, minlength=len(first)).astype(np.float64)


def _covered_by(a: csc_array, chosen: IntArray) -> BoolArray:
    if chosen.size == 0:
        return np.zeros(a.shape[0], dtype=bool)
    return np.asarray(a[:, chosen].sum(axis=1)).ravel() > 0


def _run_milp(
    c: FloatArray,
    integrality: IntArray,
    constraints: list[LinearConstraint],
    *,
    time_limit_s: float,
) -> OptimizeResult:
    return milp(
        c,
        integrality=integrality,
        bounds=Bounds(np.zeros(c.size), np.ones(c.size)),
        constraints=constraints,
        options={"time_limit": max(time_limit_s, 0.01), "mip_rel_gap": _REL_GAP, "disp": False},
    )


def _integral_choice(x: FloatArray | None, n: int) -> IntArray | None:
    """Chosen columns from a MILP answer, or None when it is missing or not integral."""
    if x is None:
        return None
    head = np.asarray(x[:n], dtype=np.float64)
    if np.any(np.abs(head - np.round(head)) > 1e-6):
        return None
    return np.flatnonzero(np.round(head) > 0.5).astype(np.int64)


def _check_time_limit(time_limit_s: float, problems: list[FieldError]) -> None:
    if not (math.isfinite(time_limit_s) and time_limit_s > 0):
        problems.append(FieldError("time_limit", f"time limit {time_limit_s} s must be > 0"))


# ---------------------------------------------------------------- MCLP
def greedy_mclp(a: csc_array, w: FloatArray, k: int) -> IntArray:
    """Greedy MCLP: ``k`` times add the base with the largest newly covered demand.

    Ties go to the lowest column index. Returns the chosen columns in the order picked.
    """
    at = csr_array(a.T)
    uncovered = np.ones(a.shape[0], dtype=bool)
    chosen: list[int] = []
    taken = np.zeros(a.shape[1], dtype=bool)
    for _ in range(min(k, a.shape[1])):
        gain = at @ (w * uncovered)
        gain[taken] = -np.inf
        j = int(np.argmax(gain))
        chosen.append(j)
        taken[j] = True
        uncovered[a.indices[a.indptr[j] : a.indptr[j + 1]]] = False
    return np.asarray(chosen, dtype=np.int64)


def _swap_improve(a: csc_array, w: FloatArray, chosen: IntArray, deadline: float) -> IntArray:
    """Best-improvement 1-swaps (one base out, one in) until none helps or time runs out."""
    at = csr_array(a.T)
    chosen = chosen.copy()
    count = np.asarray(a[:, chosen].sum(axis=1)).ravel()
    tol = _TOL * max(float(w.sum()), 1.0)
    for _ in range(50 * max(chosen.size, 1)):
        if time.perf_counter() > deadline:
            break
        gain_free = at @ (w * (count == 0))
        single = w * (count == 1)
        best, best_pos, best_in = tol, -1, -1
        for pos, j in enumerate(chosen):
            rows = a.indices[a.indptr[j] : a.indptr[j + 1]]
            only_j = np.zeros(a.shape[0])
            only_j[rows] = single[rows]
            delta = gain_free + at @ only_j - only_j.sum()
            delta[chosen] = -np.inf
            j_in = int(np.argmax(delta))
            if delta[j_in] > best:
                best, best_pos, best_in = float(delta[j_in]), pos, j_in
        if best_pos < 0:
            break
        j_out = chosen[best_pos]
        count[a.indices[a.indptr[j_out] : a.indptr[j_out + 1]]] -= 1
        count[a.indices[a.indptr[best_in] : a.indptr[best_in + 1]]] += 1
        chosen[best_pos] = best_in
    return chosen


def _mclp_model(a: csc_array, w: FloatArray, k: int) -> tuple[FloatArray, list[LinearConstraint]]:
    """Variables ``[x (bases), y (sites)]``; rows ``y_i − Σ_j A_ij x_j ≤ 0`` and ``Σ x = k``."""
    nr, nc = a.shape
    coo = coo_array(a)
    link = coo_array(
        (
            np.concatenate([-np.ones(coo.nnz), np.ones(nr)]),
            (
                np.concatenate([coo.row, np.arange(nr)]),
                np.concatenate([coo.col, nc + np.arange(nr)]),
            ),
        ),
        shape=(nr, nc + nr),
    ).tocsr()
    pick = np.concatenate([np.ones(nc), np.zeros(nr)])[None, :]
    c = np.concatenate([np.zeros(nc), -w])
    return c, [
        LinearConstraint(link, -np.inf, np.zeros(nr)),
        LinearConstraint(pick, k, k),
    ]


@dataclass(slots=True)
class _Best:
    """The best MCLP solution so far on the reduced, scaled problem, and its bound."""

    pick: IntArray
    value: float
    bound: float
    lp_bound: float
    method: str
    status: SolveStatus

    def proven(self) -> bool:
        return self.value >= self.bound * (1.0 - _REL_GAP) - _TOL


def _mclp_search(
    a: csc_array, w: FloatArray, k: int, *, deadline: float, max_exact_nonzeros: int, swap: bool
) -> _Best:
    """Greedy, bound, then (if needed and small enough) the MILP — see the module docstring."""
    pick = greedy_mclp(a, w, k)
    value = float(w[_covered_by(a, pick)].sum())
    bound = value / _GREEDY_GUARANTEE if k < a.shape[1] else value
    best = _Best(pick, value, bound, math.nan, "greedy", SolveStatus.HEURISTIC)
    if best.proven():
        best.status = SolveStatus.OPTIMAL
        return best
    if swap:
        improved = _swap_improve(a, w, pick, deadline)
        improved_value = float(w[_covered_by(a, improved)].sum())
        if improved_value > value + _TOL:
            best.pick, best.value, best.method = improved, improved_value, "greedy+swap"
    c, constraints = _mclp_model(a, w, k)
    lp = _run_milp(c, np.zeros(c.size, dtype=np.int64), constraints,
                   time_limit_s=deadline - time.perf_counter())  # fmt: skip
    if lp.status == 0 and lp.fun is not None:
        best.lp_bound = -float(lp.fun)
        best.bound = min(best.bound, best.lp_bound)
    if best.proven():
        best.status = SolveStatus.OPTIMAL
        return best
    if a.nnz + a.shape[0] > max_exact_nonzeros:
        return best  # HEURISTIC: too large to attempt exactly
    integrality = np.concatenate([np.ones(a.shape[1]), np.zeros(a.shape[0])]).astype(np.int64)
    result = _run_milp(c, integrality, constraints, time_limit_s=deadline - time.perf_counter())
    exact = _integral_choice(result.x, a.shape[1]) if result.status in (0, 1) else None
    if exact is not None and exact.size == k:
        exact_value = float(w[_covered_by(a, exact)].sum())
        if exact_value >= best.value - _TOL:
            best.pick, best.value, best.method = exact, exact_value, "exact"
    dual = getattr(result, "mip_dual_bound", None)
    if result.status == 0 and best.method == "exact":
        best.bound = best.value
    elif dual is not None and math.isfinite(dual):
        best.bound = min(best.bound, -float(dual))
    best.status = SolveStatus.OPTIMAL if best.proven() else SolveStatus.TIME_LIMIT
    return best


def solve_mclp(
    cover: Any,
    weights: Any,
    k: int,
    *,
    time_limit_s: float = 30.0,
    max_exact_nonzeros: int = 2_000_000,
    swap: bool = True,
) -> SitingResult:
    """Place exactly ``k`` units to maximise the demand covered (MCLP).

    Parameters
    ----------
    cover : array-like or sparse, bool, shape (sites, candidates)
        Coverage matrix.
    weights : array-like of float, shape (sites,)
        Demand per site (e.g. people), ≥ 0.
    k : int
        Units to place, 1 ≤ k ≤ candidates.
    time_limit_s : float
        Seconds for the whole solve (swap improvement, LP and MILP).
    max_exact_nonzeros : int
        Above this many non-zeros in the reduced model, the MILP is not attempted.
    swap : bool
        Improve the greedy solution by 1-swaps.

    Returns
    -------
    SitingResult

    Raises
    ------
    ValidationError
        Naming every problem with the inputs.
    """
    deadline = time.perf_counter() + time_limit_s
    a_full = _as_cover(cover)
    w_full = np.asarray(weights, dtype=np.float64).ravel()
    problems: list[FieldError] = []
    n_sites, n_cand = a_full.shape
    if w_full.size != n_sites:
        problems.append(FieldError("weights", f"{w_full.size} weights for {n_sites} sites"))
    elif not np.all(np.isfinite(w_full) & (w_full >= 0)):
        problems.append(FieldError("weights", "weights must be finite and ≥ 0"))
    if k < 1:
        problems.append(FieldError("units", f"units {k} must be ≥ 1"))
    elif k > n_cand:
        problems.append(FieldError("units", f"units {k} exceed the {n_cand} candidate(s)"))
    _check_time_limit(time_limit_s, problems)
    if problems:
        msg = f"the MCLP inputs have {len(problems)} problem(s)"
        raise ValidationError(msg, errors=problems)

    uncoverable = (np.diff(csr_array(a_full).indptr) == 0) & (w_full > 0)
    rows = np.flatnonzero(~uncoverable & (w_full > 0))
    a_rows = csc_array(a_full[rows])
    cols = _distinct_columns(a_rows)
    a, w = _merge_rows(csc_array(a_rows[:, cols]), w_full[rows])
    scale = float(w.max()) if w.size else 1.0
    best = _mclp_search(a, w / scale, min(k, cols.size), deadline=deadline,
                        max_exact_nonzeros=max_exact_nonzeros, swap=swap)  # fmt: skip
    chosen = cols[best.pick] if best.pick.size else np.zeros(0, dtype=np.int64)
    if chosen.size < k:  # fewer distinct useful bases than units: the rest change nothing
        spare = np.setdiff1d(np.arange(n_cand), chosen)[: k - chosen.size]
        chosen = np.concatenate([chosen, spare])
    chosen = np.sort(chosen)
    covered = _covered_by(a_full, chosen)
    objective = float(w_full[covered].sum())
    optimal = best.status == SolveStatus.OPTIMAL
    return SitingResult(
        model="mclp",
        chosen=chosen,
        covered=covered,
        uncoverable=uncoverable,
        objective=objective,
        bound=objective if optimal else max(best.bound * scale, objective),
        lp_bound=best.lp_bound * scale,
        demand_total=float(w_full.sum()),
        method=best.method,
        status=best.status,
    )


# ---------------------------------------------------------------- LSCP
def _greedy_cover(a: csc_array, sites: FloatArray) -> IntArray:
    """Greedy set cover (most uncovered sites first; ``sites`` counts the sites per row), then
    drop any base the others make redundant (last picked first)."""
    at = csr_array(a.T)
    uncovered = np.ones(a.shape[0], dtype=bool)
    chosen: list[int] = []
    while uncovered.any():
        gain = at @ (sites * uncovered)
        j = int(np.argmax(gain))
        chosen.append(j)
        uncovered[a.indices[a.indptr[j] : a.indptr[j + 1]]] = False
    count = np.asarray(a[:, chosen].sum(axis=1)).ravel() if chosen else np.zeros(0)
    kept = list(chosen)
    for j in reversed(chosen):
        rows = a.indices[a.indptr[j] : a.indptr[j + 1]]
        if np.all(count[rows] >= 2):
            count[rows] -= 1
            kept.remove(j)
    return np.asarray(sorted(kept), dtype=np.int64)


def solve_lscp(
    cover: Any,
    *,
    required: Any = None,
    time_limit_s: float = 30.0,
    max_exact_nonzeros: int = 2_000_000,
) -> SitingResult:
    """The fewest units that cover every coverable site (LSCP).

    Parameters
    ----------
    cover : array-like or sparse, bool, shape (sites, candidates)
        Coverage matrix.
    required : array-like of bool, shape (sites,), optional
        Sites that must be covered (default: all); sites no base reaches are left out and
        reported as ``uncoverable``.
    time_limit_s, max_exact_nonzeros
        As for :func:`solve_mclp`.

    Returns
    -------
    SitingResult
        ``objective`` is the number of units.
    """
    started = time.perf_counter()
    a_full = _as_cover(cover)
    n_sites = a_full.shape[0]
    problems: list[FieldError] = []
    need = np.ones(n_sites, dtype=bool) if required is None else np.asarray(required, dtype=bool)
    if need.shape != (n_sites,):
        problems.append(FieldError("required", f"{need.size} flags for {n_sites} sites"))
    _check_time_limit(time_limit_s, problems)
    if problems:
        msg = f"the LSCP inputs have {len(problems)} problem(s)"
        raise ValidationError(msg, errors=problems)

    uncoverable = (np.diff(csr_array(a_full).indptr) == 0) & need
    rows = np.flatnonzero(need & ~uncoverable)
    a_rows = csc_array(a_full[rows])
    cols = _distinct_columns(a_rows)
    a, sites = _merge_rows(csc_array(a_rows[:, cols]), np.ones(rows.size))
    pick = _greedy_cover(a, sites)
    units = float(pick.size)
    lp_bound = math.nan
    bound = 1.0 if rows.size else 0.0
    method, status = "greedy", SolveStatus.HEURISTIC
    deadline = started + time_limit_s
    if units > bound:
        c = np.ones(cols.size)
        constraints = [
            LinearConstraint(csr_array(a.astype(np.float64)), np.ones(a.shape[0]), np.inf)
        ]
        lp = _run_milp(c, np.zeros(cols.size, dtype=np.int64), constraints,
                       time_limit_s=deadline - time.perf_counter())  # fmt: skip
        if lp.status == 0 and lp.fun is not None:
            lp_bound = float(lp.fun)
            bound = max(bound, math.ceil(lp_bound - 1e-7))
        if units > bound and a.nnz <= max_exact_nonzeros:
            result = _run_milp(c, np.ones(cols.size, dtype=np.int64), constraints,
                               time_limit_s=deadline - time.perf_counter())  # fmt: skip
            exact = _integral_choice(result.x, cols.size) if result.status in (0, 1) else None
            if exact is not None and _covered_by(a, exact).all() and exact.size <= units:
                pick, units, method = exact, float(exact.size), "exact"
            dual = getattr(result, "mip_dual_bound", None)
            if dual is not None and math.isfinite(dual):
                bound = max(bound, math.ceil(float(dual) - 1e-7))
            if result.status == 0 and method == "exact":
                bound = units
            status = SolveStatus.TIME_LIMIT
    if units <= bound:
        status = SolveStatus.OPTIMAL
    chosen = np.sort(cols[pick]) if pick.size else np.zeros(0, dtype=np.int64)
    return SitingResult(
        model="lscp",
        chosen=chosen,
        covered=_covered_by(a_full, chosen),
        uncoverable=uncoverable,
        objective=units,
        bound=float(min(bound, units)),
        lp_bound=lp_bound,
        demand_total=float(rows.size),
        method=method,
        status=status,
    )
