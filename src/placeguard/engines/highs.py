"""A mixed-integer program that grows row by row, solved again and again by HiGHS (highspy).

``scipy.optimize.milp`` rebuilds the model on every call and hides most HiGHS options. Cutting-
plane loops (outer approximation in ``risk.planning``) instead keep one model, add a few rows
per round, and turn off the restarts that cost small, repeatedly solved models most of their
time.

The status of every solve is checked by the caller through :attr:`MilpOutcome.optimal`: a time
limit or an infeasible model is never mistaken for an optimum.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix

__all__ = ["IncrementalMilp", "MilpOutcome", "SparseRows", "quiet_stdout"]

FloatArray = NDArray[np.float64]


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 while HiGHS runs.

    HiGHS's C++ code prints a banner and diagnostics straight to the process's standard output,
    which would corrupt machine-readable CLI output (``--format json``).
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
class SparseRows:
    """Constraint rows being assembled: ``lower ≤ A x ≤ upper``."""

    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add(self, entries: Sequence[tuple[int, float]], lower: float, upper: float) -> None:
        """One row: ``lower ≤ Σ value × x[column] ≤ upper`` over ``(column, value)`` entries."""
        row = len(self.lower)
        for col, val in entries:
            self.rows.append(row)
            self.cols.append(col)
            self.vals.append(val)
        self.lower.append(lower)
        self.upper.append(upper)

    def __len__(self) -> int:
        return len(self.lower)


@dataclass(frozen=True)
class MilpOutcome:
    """What one solve returned."""

    optimal: bool
    status: str
    x: FloatArray
    objective: float
    dual_bound: float


class IncrementalMilp:
    """Minimise ``c @ x`` over bounded columns, some integer, and rows added over time."""

    def __init__(
        self, cost: FloatArray, lower: FloatArray, upper: FloatArray, integer: NDArray[np.bool_]
    ) -> None:
        with quiet_stdout():  # the constructor prints HiGHS's banner
            self._highs = highspy.Highs()  # type: ignore[no-untyped-call]  # unannotated __init__
        h = self._highs
        h.setOptionValue("output_flag", False)
        # Restarts re-presolve the model after fixing columns; on these small models solved many
        # times they cost more than they save (measured: about half the time of a hard solve).
        h.setOptionValue("mip_allow_restart", False)
        n = cost.size
        self.n_columns = n
        h.addVars(n, np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64))
        columns = np.arange(n, dtype=np.int32)
        self._cost = np.asarray(cost, dtype=np.float64)
        h.changeColsCost(n, columns, self._cost)
        integral = columns[np.asarray(integer, dtype=bool)]
        if integral.size:
            kinds = np.full(integral.size, highspy.HighsVarType.kInteger)
            h.changeColsIntegrality(integral.size, integral, kinds)

    def add_rows(self, rows: SparseRows) -> None:
        """Append the rows (and leave ``rows`` as it was)."""
        if not len(rows):
            return
        shape = (len(rows), self.n_columns)
        entries = (np.array(rows.vals), (np.array(rows.rows), np.array(rows.cols)))
        matrix = coo_matrix(entries, shape=shape).tocsr()
        lower = np.nan_to_num(np.array(rows.lower), neginf=-highspy.kHighsInf)
        upper = np.nan_to_num(np.array(rows.upper), posinf=highspy.kHighsInf)
        self._highs.addRows(
            shape[0],
            lower,
            upper,
            matrix.nnz,
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            matrix.data.astype(np.float64),
        )

    def solve(self, *, time_limit: float, rel_gap: float, abs_gap: float = 0.0) -> MilpOutcome:
        """Solve until the gap is within ``rel_gap`` or ``abs_gap`` (or the time runs out).

        A solution whose cost disagrees with the objective HiGHS reports is not called optimal.
        (No starting solution is offered: with highspy 1.16, a model solved during presolve
        hands back the starting point instead of the optimum it reports.)
        """
        h = self._highs
        h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
        h.setOptionValue("mip_rel_gap", float(rel_gap))
        h.setOptionValue("mip_abs_gap", float(abs_gap))
        with quiet_stdout():
            h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        x = np.array(h.getSolution().col_value, dtype=np.float64)
        objective = float(info.objective_function_value)
        optimal = status == highspy.HighsModelStatus.kOptimal and x.size == self.n_columns
        label = h.modelStatusToString(status)
        if optimal and abs(float(self._cost @ x) - objective) > 1e-9 * (1.0 + abs(objective)):
            optimal, label = False, "solution inconsistent with its reported objective"
        return MilpOutcome(
            optimal=optimal,
            status=label,
            x=x,
            objective=objective,
            dual_bound=float(info.mip_dual_bound),
        )
