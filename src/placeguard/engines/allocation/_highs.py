"""Thin, checked access to HiGHS through :mod:`scipy.optimize`.

Every call here checks the solver's status: scipy's ``milp`` and ``linprog`` can return a
time-out or an infeasible model with a plausible-looking ``x``, so callers receive either a
result they may trust or an explicit status they must handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from placeguard.core.errors import PlaceguardError
from placeguard.engines.highs import quiet_stdout

__all__ = ["InfeasibleGameError", "LinearResult", "SolverError", "quiet_stdout", "solve_linear"]

FloatArray = NDArray[np.float64]

# scipy.optimize.milp status codes
OPTIMAL = 0
LIMIT = 1
INFEASIBLE = 2


class SolverError(PlaceguardError):
    """HiGHS failed (numerical trouble, unboundedness) or returned an unverifiable answer."""

    code = "solver_failed"


class InfeasibleGameError(PlaceguardError):
    """The resource constraints admit no coverage at all (for example minimum coverage
    that needs more resources than exist)."""

    code = "game_infeasible"


@dataclass(frozen=True, slots=True)
class LinearResult:
    """Outcome of one (mixed-integer) linear solve, minimisation form.

    Attributes
    ----------
    status : ``"optimal"``, ``"infeasible"`` or ``"time_limit"``.
    x : the solution, or None when there is none (infeasible, or a time-out before any
        feasible point was found).
    objective : objective value of ``x`` (nan without ``x``).
    bound : the best proven lower bound of the minimum (equal to ``objective`` when optimal;
        ``-inf`` when unknown).
    nodes : branch-and-bound nodes (0 for a pure LP).
    """

    status: str
    x: FloatArray | None
    objective: float
    bound: float
    nodes: int


def solve_linear(
    cost: FloatArray,
    matrix: csr_matrix,
    lower: FloatArray,
    upper: FloatArray,
    *,
    var_lower: FloatArray,
    var_upper: FloatArray,
    integrality: NDArray[np.int64] | None = None,
    time_limit: float | None = None,
    rel_gap: float = 1e-7,
) -> LinearResult:
    """Minimise ``cost @ x`` s.t. ``lower ≤ matrix @ x ≤ upper`` and variable bounds.

    Returns
    -------
    LinearResult
        ``status`` is never "optimal" unless HiGHS proved it.

    Raises
    ------
    SolverError
        On any status other than optimal, infeasible or a time/iteration limit.
    """
    options: dict[str, Any] = {"presolve": True}
    if integrality is not None:
        options["mip_rel_gap"] = rel_gap
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 1e-3)
    constraints = LinearConstraint(cast(Any, matrix), lower, upper)
    with quiet_stdout():
        result = milp(
            cost,
            integrality=integrality,
            bounds=Bounds(var_lower, var_upper),
            constraints=constraints,
            options=cast(Any, options),
        )
    x = None if result.x is None else np.asarray(result.x, dtype=np.float64)
    nodes = int(getattr(result, "mip_node_count", 0) or 0)
    if result.status == OPTIMAL and x is not None:
        objective = float(cost @ x)
        dual = getattr(result, "mip_dual_bound", None)
        bound = objective if dual is None or integrality is None else float(dual)
        return LinearResult("optimal", x, objective, min(bound, objective), nodes)
    if result.status == INFEASIBLE:
        return LinearResult("infeasible", None, float("nan"), float("inf"), nodes)
    if result.status == LIMIT:
        dual = getattr(result, "mip_dual_bound", None)
        bound = float(dual) if dual is not None and np.isfinite(dual) else float("-inf")
        objective = float(cost @ x) if x is not None else float("nan")
        return LinearResult("time_limit", x, objective, bound, nodes)
    msg = f"HiGHS failed: {result.message} (status {result.status})"
    raise SolverError(msg)
