"""Budget-optimal protection plans, solved exactly as a mixed-integer linear programme.

Choosing measure *j* (binary ``x_j``) raises its implementation quality from ``q_j`` to 1, which
multiplies scenario *k*'s risk by

    r_jk = [(1 − e^V_jk) / (1 − e^V_jk q_j)] × [(1 − e^C_jk) / (1 − e^C_jk q_j)]  ∈ (0, 1].

So ``R_k(x) = R_k⁰ × Π_j r_jk^{x_j}``: a product, not a linear function. It is made linear
*exactly* by chaining: along the measures that act on *k*, ``R_k^t = R_k^{t−1} − (1 − r_jk) w_k^t``
with ``w_k^t = R_k^{t−1} · x_j``, and the product of a bounded continuous variable and a binary
is written with four linear inequalities (``0 ≤ w ≤ U x``, ``w ≤ R^{t−1}``,
``w ≥ R^{t−1} − U (1 − x)``, with ``U = R_k⁰``). Minimising ``Σ_k R_k^last`` subject to the
capital, running-cost and openness budgets, prerequisites (``x_j ≤ x_p``) and exclusions
(``x_a + x_b ≤ 1``) then gives the optimal plan, solved by HiGHS through ``scipy.optimize.milp``.

The solver's status is checked and the chosen plan is re-evaluated with the product formula
and against every budget before it is returned; a plan that fails either check raises
``InfeasiblePlanError``.

Costing assumption: upgrading a measure from quality ``q`` costs ``(1 − q)`` of its full
one-off and running cost (half-done work is half paid).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from placeguard.core.errors import PlaceguardError
from placeguard.engines.risk.assessment import model_for
from placeguard.engines.risk.catalogue import RiskPack

__all__ = [
    "InfeasiblePlanError",
    "ParetoPoint",
    "PlanProblem",
    "PlanResult",
    "pareto_curve",
    "problem_for_site",
    "solve_plan",
]

FloatArray = NDArray[np.float64]


class InfeasiblePlanError(PlaceguardError):
    """The solver did not return a verified optimal plan."""

    code = "plan_infeasible"


@dataclass(frozen=True)
class PlanProblem:
    """One site's planning problem, in arrays.

    Attributes
    ----------
    risk : (K,) current risk per scenario (expected casualties per year).
    factor : (J, K) risk multiplier r_jk if candidate j is implemented (1 = no effect).
    capex, opex, openness : (J,) cost of each candidate (already scaled by 1 − q).
    requires : pairs (j, p): candidate j needs candidate p chosen as well.
    excludes : pairs (a, b): at most one of the two.
    ids : (J,) measure ids of the candidates.
    """

    risk: FloatArray
    factor: FloatArray
    capex: FloatArray
    opex: FloatArray
    openness: FloatArray
    requires: tuple[tuple[int, int], ...]
    excludes: tuple[tuple[int, int], ...]
    ids: tuple[str, ...]

    def residual(self, chosen: NDArray[np.bool_]) -> FloatArray:
        """(K,) risk after implementing the chosen candidates (the exact product)."""
        kept: FloatArray = self.risk * np.prod(np.where(chosen[:, None], self.factor, 1.0), axis=0)
        return kept

    def feasible(
        self, chosen: NDArray[np.bool_], capex: float, opex: float, openness: float
    ) -> bool:
        """Whether a selection respects every budget, prerequisite and exclusion."""
        tol = 1e-6
        if (
            self.capex @ chosen > capex * (1 + tol) + tol
            or self.opex @ chosen > opex * (1 + tol) + tol
        ):
            return False
        if self.openness @ chosen > openness + tol:
            return False
        if any(chosen[j] and not chosen[p] for j, p in self.requires):
            return False
        return not any(chosen[a] and chosen[b] for a, b in self.excludes)


@dataclass(frozen=True)
class PlanResult:
    """An optimal plan."""

    chosen: tuple[str, ...]
    capex: float
    opex: float
    openness: float
    risk_before: FloatArray
    risk_after: FloatArray
    status: str
    mip_gap: float

    @property
    def total_before(self) -> float:
        """Total risk before the plan."""
        return float(self.risk_before.sum())

    @property
    def total_after(self) -> float:
        """Total residual risk after the plan."""
        return float(self.risk_after.sum())


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 while HiGHS runs.

    HiGHS's C++ code can print diagnostics straight to the process's standard output, which
    would corrupt machine-readable CLI output (``--format json``).
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@dataclass
class _Rows:
    """Sparse constraint rows being assembled: ``lo ≤ A x ≤ hi``."""

    rows: list[int]
    cols: list[int]
    vals: list[float]
    lo: list[float]
    hi: list[float]

    def add(self, entries: Sequence[tuple[int, float]], lower: float, upper: float) -> None:
        row = len(self.lo)
        for col, val in entries:
            self.rows.append(row)
            self.cols.append(col)
            self.vals.append(val)
        self.lo.append(lower)
        self.hi.append(upper)


@dataclass(frozen=True)
class _Layout:
    """Where each variable lives in the MILP vector: x (J) | R (steps) | w (steps)."""

    n_j: int
    steps: tuple[tuple[int, int], ...]  # (scenario k, candidate j) along each chain
    last: dict[int, int]  # scenario → its final step

    @property
    def n_var(self) -> int:
        return self.n_j + 2 * len(self.steps)

    def x(self, j: int) -> int:
        return j

    def r(self, s: int) -> int:
        return self.n_j + s

    def w(self, s: int) -> int:
        return self.n_j + len(self.steps) + s


def _chain(problem: PlanProblem, r0: FloatArray, rows: _Rows) -> tuple[_Layout, FloatArray]:
    """Constraints that make each scenario's risk the exact product along its chain.

    ``w = R_prev · x`` is written with the full McCormick envelope over ``R_prev ∈ [L, U]``,
    where ``U = r0`` and ``L`` is the risk left if every earlier measure of the chain were
    chosen; for a binary ``x`` the envelope is exact, and the lower bound ``L`` makes the LP
    relaxation much tighter than a plain big-M. Returns the layout and each step's ``L``.
    """
    n_j, n_k = problem.factor.shape
    steps = tuple(
        (k, j)
        for k in range(n_k)
        for j in np.argsort(problem.factor[:, k], kind="stable")  # strongest first
        if problem.factor[j, k] < 1.0 and r0[k] > 0
    )
    last: dict[int, int] = {}
    layout = _Layout(n_j, steps, last)
    floor = np.zeros(len(steps))  # L of R after each step
    for s, (k, j) in enumerate(steps):
        u = float(r0[k])
        f = 1.0 - float(problem.factor[j, k])
        x, r, w = layout.x(j), layout.r(s), layout.w(s)
        prev = last.get(k)
        if prev is None:  # R_prev is the constant r0: w = r0 x exactly
            rows.add([(r, 1.0), (w, f)], u, u)  # R = r0 − f w
            rows.add([(w, 1.0), (x, -u)], 0.0, 0.0)
            low = u
        else:
            p, low = layout.r(prev), float(floor[prev])
            rows.add([(r, 1.0), (p, -1.0), (w, f)], 0.0, 0.0)  # R = R_prev − f w
            rows.add([(w, 1.0), (x, -u)], -np.inf, 0.0)  # w ≤ U x
            rows.add([(w, 1.0), (x, -low)], 0.0, np.inf)  # w ≥ L x
            rows.add([(w, 1.0), (p, -1.0), (x, -u)], -u, np.inf)  # w ≥ R_prev − U (1 − x)
            rows.add([(w, 1.0), (p, -1.0), (x, -low)], -np.inf, -low)  # w ≤ R_prev − L (1 − x)
        floor[s] = low * float(problem.factor[j, k])
        last[k] = s
    return layout, floor


def solve_plan(
    problem: PlanProblem,
    *,
    capex_budget: float,
    opex_budget: float = float("inf"),
    openness_limit: float = float("inf"),
    time_limit: float = 30.0,
) -> PlanResult:
    """The selection of candidates that minimises total residual risk within the budgets.

    Ties in risk are broken towards the cheaper plan (a cost term 10⁻⁹ times smaller than the
    risk scale is added to the objective). Optimality is to HiGHS's tolerances: a relative gap
    of 10⁻⁷ and an absolute gap of 10⁻⁶ of the largest scenario risk (risks are scaled so the
    largest is 1; scipy does not expose the absolute gap setting).
    """
    n_j, n_k = problem.factor.shape
    scale = float(problem.risk.max()) if problem.risk.size and problem.risk.max() > 0 else 1.0
    r0 = problem.risk / scale  # risks scaled to at most 1 keep HiGHS's tolerances meaningful
    rows = _Rows([], [], [], [], [])
    layout, floor = _chain(problem, r0, rows)
    for j, p in problem.requires:
        rows.add([(layout.x(j), 1.0), (layout.x(p), -1.0)], -np.inf, 0.0)
    for a, b in problem.excludes:
        rows.add([(layout.x(a), 1.0), (layout.x(b), 1.0)], -np.inf, 1.0)
    for costs, limit in (
        (problem.capex, capex_budget),
        (problem.opex, opex_budget),
        (problem.openness, openness_limit),
    ):
        if np.isfinite(limit):
            rows.add([(j, float(costs[j])) for j in range(n_j) if costs[j]], -np.inf, float(limit))

    final = sorted(layout.last.values())
    objective = np.zeros(layout.n_var)
    objective[[layout.r(s) for s in final]] = 1.0
    total_cost = float(problem.capex.sum() + problem.opex.sum()) or 1.0
    objective[:n_j] = 1e-9 * (problem.capex + problem.opex) / total_cost
    integrality = np.zeros(layout.n_var, dtype=np.int64)
    integrality[:n_j] = 1
    chain_upper = r0[[k for k, _ in layout.steps]]
    upper = np.concatenate([np.ones(n_j), chain_upper, chain_upper])
    lower = np.concatenate([np.zeros(n_j), floor, np.zeros(len(layout.steps))])
    constraints = []
    if rows.lo:
        entries = (np.array(rows.vals), (np.array(rows.rows), np.array(rows.cols)))
        matrix = coo_matrix(entries, shape=(len(rows.lo), layout.n_var))
        constraints.append(LinearConstraint(matrix.tocsr(), np.array(rows.lo), np.array(rows.hi)))
    with _quiet_stdout():
        result = milp(
            objective,
            integrality=integrality,
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options={"time_limit": time_limit, "mip_rel_gap": 1e-7, "presolve": True},
        )
    if result.status != 0 or result.x is None:
        msg = f"the plan solver did not finish with an optimal plan: {result.message}"
        raise InfeasiblePlanError(msg)
    chosen = np.round(result.x[:n_j]).astype(bool)
    if not problem.feasible(chosen, capex_budget, opex_budget, openness_limit):
        msg = "the solver's plan breaks a budget or a dependency; refusing it"
        raise InfeasiblePlanError(msg)
    after = problem.residual(chosen)
    untouched = [k for k in range(n_k) if k not in layout.last]  # no candidate acts on them
    chained = float(result.x[[layout.r(s) for s in final]].sum())
    modelled = (chained + float(r0[untouched].sum())) * scale
    if not np.isclose(modelled, after.sum(), rtol=1e-5, atol=1e-9 * scale):
        msg = "the linearised risk disagrees with the exact product; refusing the plan"
        raise InfeasiblePlanError(msg)
    return PlanResult(
        chosen=tuple(problem.ids[j] for j in np.flatnonzero(chosen)),
        capex=float(problem.capex @ chosen),
        opex=float(problem.opex @ chosen),
        openness=float(problem.openness @ chosen),
        risk_before=problem.risk.copy(),
        risk_after=after,
        status="optimal",
        mip_gap=float(getattr(result, "mip_gap", 0.0) or 0.0),
    )


@dataclass(frozen=True)
class ParetoPoint:
    """One point of the risk-versus-cost curve."""

    budget: float
    capex: float
    risk: float
    chosen: tuple[str, ...]


def pareto_curve(
    problem: PlanProblem,
    *,
    points: int = 12,
    opex_budget: float = float("inf"),
    openness_limit: float = float("inf"),
) -> list[ParetoPoint]:
    """Optimal residual risk for capital budgets from 0 to the cost of every candidate.

    Points that do not lower the risk below the previous point are dropped, so the curve is
    the Pareto front of (capital cost, residual risk) on this budget grid.
    """
    top = float(problem.capex.sum())
    curve: list[ParetoPoint] = []
    for budget in np.linspace(0.0, top, points):
        plan = solve_plan(
            problem,
            capex_budget=float(budget),
            opex_budget=opex_budget,
            openness_limit=openness_limit,
        )
        if curve and plan.total_after >= curve[-1].risk * (1 - 1e-9):
            continue
        curve.append(ParetoPoint(float(budget), plan.capex, plan.total_after, plan.chosen))
    return curve


def problem_for_site(
    pack: RiskPack, site_type: str, quality: Mapping[str, float], risk: FloatArray
) -> PlanProblem:
    """The planning problem of one assessed site.

    Candidates are the measures that suit the site type, are not yet fully implemented and
    act on some scenario. A candidate whose prerequisite is neither in place nor itself a
    candidate, or that excludes a measure already fully in place, is left out.
    """
    model = model_for(pack)
    candidates = [
        i
        for i, m in enumerate(pack.measures)
        if m.applies_to(site_type) and quality[m.id] < 1.0 and m.effects
    ]
    changed = True
    while changed:  # drop candidates whose prerequisites can never be met
        changed = False
        ids = {pack.measures[i].id for i in candidates}
        for i in list(candidates):
            m = pack.measures[i]
            blocked = any(quality[p] < 1.0 and p not in ids for p in m.requires) or any(
                quality[x] >= 1.0 for x in m.excludes
            )
            if blocked:
                candidates.remove(i)
                changed = True
    q = np.array([quality[pack.measures[i].id] for i in candidates])
    e_v = model.e_v[candidates, :, 1]
    e_c = model.e_c[candidates, :, 1]
    factor = ((1 - e_v) / (1 - e_v * q[:, None])) * ((1 - e_c) / (1 - e_c * q[:, None]))
    position = {pack.measures[i].id: n for n, i in enumerate(candidates)}
    requires = tuple(
        (position[pack.measures[i].id], position[p])
        for i in candidates
        for p in pack.measures[i].requires
        if p in position
    )
    excludes = tuple(
        sorted(
            {
                tuple(sorted((position[pack.measures[i].id], position[x])))
                for i in candidates
                for x in pack.measures[i].excludes
                if x in position
            }
        )
    )
    remaining = 1.0 - q
    return PlanProblem(
        risk=np.asarray(risk, dtype=float),
        factor=factor,
        capex=np.array([pack.measures[i].capex_central for i in candidates]) * remaining,
        opex=np.array([pack.measures[i].opex_central for i in candidates]) * remaining,
        openness=np.array([float(pack.measures[i].openness) for i in candidates]),
        requires=requires,
        excludes=excludes,  # type: ignore[arg-type]
        ids=tuple(pack.measures[i].id for i in candidates),
    )
