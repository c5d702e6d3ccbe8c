"""National grant allocation: which measures to fund at which sites, within one budget.

Solving one exact MILP over every site and measure at once is too large for thousands of
sites (each site brings its own chain of risk variables), so the allocation is done in two
steps, each stated plainly:

1. **Per-site options.** For each site, a nested sequence of plans is built greedily: start
   from nothing and repeatedly add the candidate with the largest risk reduction per unit of
   capital cost (respecting prerequisites and exclusions). Every prefix is an option
   ``(cost, residual risk)``; "fund nothing" is always one.
2. **Exact choice across sites.** A multiple-choice knapsack MILP picks exactly one option per
   site to minimise national residual risk within the budget, solved by HiGHS. Its optimality
   gap (relative to the best bound HiGHS proves) is reported, together with the gap to the LP
   relaxation.

The result is optimal over the options of step 1; the options themselves are greedy, which
the report says. For one site, ``planning.solve_plan`` gives the exact optimum instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from placeguard.engines.highs import quiet_stdout
from placeguard.engines.risk.planning import InfeasiblePlanError, PlanProblem

__all__ = ["Allocation", "SiteOption", "allocate", "greedy_options"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SiteOption:
    """One candidate plan for one site."""

    chosen: tuple[str, ...]
    capex: float
    risk: float


def greedy_options(problem: PlanProblem) -> list[SiteOption]:
    """Nested plans by best risk reduction per unit of capital (free measures first)."""
    n = len(problem.ids)
    chosen = np.zeros(n, dtype=bool)
    risk = problem.risk.copy()
    options = [SiteOption((), 0.0, float(risk.sum()))]
    requires = [[p for j, p in problem.requires if j == i] for i in range(n)]
    excludes = {(a, b) for a, b in problem.excludes} | {(b, a) for a, b in problem.excludes}
    cost = 0.0
    while True:
        best, best_ratio = -1, -1.0
        for j in range(n):
            if chosen[j] or not all(chosen[p] for p in requires[j]):
                continue
            if any(chosen[b] for a, b in excludes if a == j):
                continue
            gain = float((risk * (1.0 - problem.factor[j])).sum())
            if gain <= 0:
                continue
            ratio = gain / problem.capex[j] if problem.capex[j] > 0 else np.inf
            if ratio > best_ratio:
                best, best_ratio = j, ratio
        if best < 0:
            return options
        chosen[best] = True
        risk = risk * problem.factor[best]
        cost += float(problem.capex[best])
        ids = tuple(problem.ids[j] for j in np.flatnonzero(chosen))
        options.append(SiteOption(ids, cost, float(risk.sum())))


@dataclass(frozen=True)
class Allocation:
    """The national allocation."""

    plans: tuple[SiteOption, ...]  # one per site, in input order
    budget: float
    spent: float
    risk_before: float
    risk_after: float
    mip_gap: float  # HiGHS's proven relative gap
    lp_bound: float  # residual risk of the LP relaxation (a lower bound)
    options_considered: int

    @property
    def gap_to_lp_bound(self) -> float:
        """Relative distance from the LP lower bound (an upper bound on the true gap)."""
        return (self.risk_after - self.lp_bound) / self.risk_after if self.risk_after > 0 else 0.0


def allocate(
    problems: Sequence[PlanProblem], *, budget: float, time_limit: float = 50.0
) -> Allocation:
    """Fund one option per site to minimise total residual risk within ``budget``."""
    if not problems:
        return Allocation((), budget, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    site_options = [greedy_options(p) for p in problems]
    offsets = np.cumsum([0] + [len(o) for o in site_options])
    n = int(offsets[-1])
    risk = np.array([o.risk for opts in site_options for o in opts])
    cost = np.array([o.capex for opts in site_options for o in opts])
    rows = np.repeat(np.arange(len(problems)), [len(o) for o in site_options])
    one_each = coo_matrix((np.ones(n), (rows, np.arange(n))), shape=(len(problems), n)).tocsr()
    scale = float(risk.max()) if n and risk.max() > 0 else 1.0
    constraints = [
        LinearConstraint(one_each, np.ones(len(problems)), np.ones(len(problems))),
        LinearConstraint(cost[None, :], -np.inf, budget),
    ]
    with quiet_stdout():
        result = milp(
            risk / scale,
            integrality=np.ones(n, dtype=np.int64),
            bounds=Bounds(np.zeros(n), np.ones(n)),
            constraints=constraints,
            options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
        )
    if result.x is None or result.status not in (0, 1):  # 1: time limit with a feasible plan
        msg = f"the allocation solver found no plan: {result.message}"
        raise InfeasiblePlanError(msg)
    pick = np.round(result.x).astype(bool)
    plans = tuple(
        site_options[s][int(np.flatnonzero(pick[offsets[s] : offsets[s + 1]])[0])]
        for s in range(len(problems))
    )
    spent = float(sum(p.capex for p in plans))
    if spent > budget * (1 + 1e-9) + 1e-6 or len(plans) != len(problems):
        msg = "the allocation breaks the budget; refusing it"
        raise InfeasiblePlanError(msg)
    lp = linprog(  # type: ignore[call-overload]  # the stubs reject sparse A_eq; HiGHS takes it
        risk / scale,
        A_ub=cost[None, :],
        b_ub=[budget],
        A_eq=one_each,
        b_eq=np.ones(len(problems)),
        bounds=(0, 1),
        method="highs",
    )
    lp_bound = float(lp.fun) * scale if lp.status == 0 else float("nan")
    return Allocation(
        plans=plans,
        budget=budget,
        spent=spent,
        risk_before=float(sum(o[0].risk for o in site_options)),
        risk_after=float(sum(p.risk for p in plans)),
        mip_gap=float(getattr(result, "mip_gap", 0.0) or 0.0),
        lp_bound=lp_bound,
        options_considered=n,
    )
