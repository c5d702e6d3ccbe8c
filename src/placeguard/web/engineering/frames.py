"""Compact, stepped views of a run for the result map: exit flows, queues and density frames.

Everything here is small, JSON-ready and rounded, so it can live in the study's result:

* :func:`hydraulic_timeline` — at up to :data:`MAX_STEPS` + 1 times from 0 to the total time:
  people safe (exact, the engine's cumulative curve), people out through each destination and
  the queue in front of each bottleneck (schematic, see :data:`TIMELINE_ASSUMPTIONS`);
* :func:`density_frames` — the recorded positions of a microscopic run as classic density
  (people per cell / cell area) on a square grid, sparse, at up to :data:`MAX_FRAMES` times.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAX_FRAMES",
    "MAX_GRID_CELLS",
    "MAX_STEPS",
    "TIMELINE_ASSUMPTIONS",
    "density_frames",
    "hydraulic_timeline",
    "layout_bounds",
]

#: Steps of the hydraulic timeline (plus the start).
MAX_STEPS = 60
#: Density frames kept from a microscopic run.
MAX_FRAMES = 60
#: Cells along the longer side of the density grid (at least 0.5 m each).
MAX_GRID_CELLS = 40
MIN_CELL_M = 0.5

TIMELINE_ASSUMPTIONS = (
    "result map timeline: people safe over time is the hydraulic model's cumulative curve; "
    "people out per exit are drawn linearly between its first-out and clear times (its mean "
    "flow), and each bottleneck's queue rises linearly to its longest queue and falls back to "
    "zero at the end of queueing — a schematic view, the tables give the computed figures",
)


def _times(total_s: float, steps: int = MAX_STEPS) -> npt.NDArray[np.float64]:
    end = max(float(total_s), 1.0)
    return np.linspace(0.0, end, steps + 1)


def hydraulic_timeline(result: Any) -> dict[str, Any]:
    """Stepped exit flows and queues of a :class:`HydraulicResult` (see module docstring)."""
    t = _times(result.total_time_s)
    safe = result.already_safe + np.interp(t, result.times, result.cumulative, left=0.0)
    exits = {}
    for d in result.destinations:
        span = d.clear_s - d.first_s
        if span > 0:
            share = np.clip((t - d.first_s) / span, 0.0, 1.0)
        else:
            share = (t >= d.clear_s).astype(np.float64)
        out = d.occupants * share
        flow = np.where((t >= d.first_s) & (t <= d.clear_s), d.mean_flow_pps, 0.0)
        exits[d.opening] = {
            "out": [round(float(v), 1) for v in out],
            "flow_pps": [round(float(v), 3) for v in flow],
            "capacity_pps": round(float(d.capacity_pps), 3),
        }
    queues = {}
    for b in result.bottlenecks:
        queues[b.opening] = [
            round(float(v), 1)
            for v in np.interp(
                t,
                [b.queue_start_s, b.max_queue_at_s, b.queue_end_s],
                [0.0, b.max_queue, 0.0],
                left=0.0,
                right=0.0,
            )
        ]
    return {
        "times_s": [round(float(v), 1) for v in t],
        "safe": [round(float(v), 1) for v in safe],
        "occupants": round(float(result.occupants), 1),
        "exits": exits,
        "queues": queues,
    }


def layout_bounds(layout: Any) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of a layout's spaces, in metres."""
    boxes = np.array([s.polygon.bounds for s in layout.spaces], dtype=np.float64)
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )


def density_frames(
    trajectories: npt.NDArray[np.float64],
    *,
    bounds: tuple[float, float, float, float],
    frame_rate: float,
    max_frames: int = MAX_FRAMES,
) -> dict[str, Any]:
    """Classic density on a square grid at up to ``max_frames`` recorded frames.

    ``trajectories`` rows are (agent id, frame, x, y). Each kept frame is a sparse list of
    ``[column, row, density p/m²]`` for the non-empty cells, plus the number of people still
    inside. Cells are square, at least :data:`MIN_CELL_M` and at most :data:`MAX_GRID_CELLS`
    along the longer side.
    """
    x0, y0, x1, y1 = bounds
    width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    cell = max(MIN_CELL_M, max(width, height) / MAX_GRID_CELLS)
    nx, ny = math.ceil(width / cell), math.ceil(height / cell)
    grid = {"x0": x0, "y0": y0, "cell_m": round(cell, 4), "nx": nx, "ny": ny}
    if len(trajectories) == 0:
        return {"grid": grid, "frames": [], "max_density": 0.0}
    recorded = np.unique(trajectories[:, 1].astype(np.int64))
    keep = recorded[np.unique(np.linspace(0, len(recorded) - 1, min(max_frames, len(recorded)))
                              .round().astype(np.int64))]  # fmt: skip
    area = cell * cell
    out = []
    peak = 0.0
    for f in keep:
        rows = trajectories[trajectories[:, 1] == f]
        ix = np.clip(((rows[:, 2] - x0) / cell).astype(np.int64), 0, nx - 1)
        iy = np.clip(((rows[:, 3] - y0) / cell).astype(np.int64), 0, ny - 1)
        counts = np.zeros((nx, ny), dtype=np.int64)
        np.add.at(counts, (ix, iy), 1)
        cx, cy = np.nonzero(counts)
        dens = counts[cx, cy] / area
        peak = max(peak, float(dens.max(initial=0.0)))
        cells = [[int(a), int(b), round(float(d), 2)] for a, b, d in zip(cx, cy, dens, strict=True)]
        out.append({"t_s": round(float(f) / frame_rate, 2), "agents": len(rows), "cells": cells})
    return {"grid": grid, "frames": out, "max_density": round(peak, 2)}
