"""Incidents on a map without disclosing rows: counts per latitude/longitude grid cell.

The dashboard map shows where attacks happened as aggregates only. Incidents with coordinates
are binned into square cells of ``cell_deg`` degrees (cell index ``floor(lat / cell_deg)``,
``floor(lon / cell_deg)``); each cell reports its centre, the number of attacks and the deaths
among attacks with a known count (unknown counts stay unknown: ``known_deaths`` says how many
attacks the death total covers). Cells with fewer than ``min_attacks`` attacks are not drawn —
small-cell suppression, so that a cell never points at one identifiable licensed row — and
their attacks are reported as one ``suppressed_attacks`` total, as are incidents without
coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from placeguard.engines.intel.stats.aggregate import Filters, apply_filters

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["GridCell", "GridSummary", "grid_cells"]


@dataclass(frozen=True, slots=True)
class GridCell:
    """One drawn cell: centre, attacks, deaths among ``known_deaths`` attacks."""

    lat: float
    lon: float
    attacks: int
    deaths: int
    known_deaths: int


@dataclass(frozen=True, slots=True)
class GridSummary:
    """The drawn cells (most attacks first) and what was left off the map."""

    cell_deg: float
    min_attacks: int
    cells: tuple[GridCell, ...]
    suppressed_attacks: int
    without_coordinates: int


def grid_cells(
    table: ir.Table,
    filters: Filters | None = None,
    *,
    cell_deg: float = 0.5,
    min_attacks: int = 3,
) -> GridSummary:
    """Attacks and deaths per grid cell of the (filtered) canonical ``table``.

    Parameters
    ----------
    table : ibis Table
        Canonical incidents (``latitude``, ``longitude``, ``deaths``).
    filters : Filters, optional
        The dashboard's filters (category, attack mode, region, urban flag, years).
    cell_deg : float
        Cell size in degrees (0.5° is about 55 km north–south).
    min_attacks : int
        Cells with fewer attacks are suppressed (counted in ``suppressed_attacks``).

    Returns
    -------
    GridSummary
    """
    if not cell_deg > 0 or not math.isfinite(cell_deg):
        msg = "cell_deg must be a positive number of degrees"
        raise ValueError(msg)
    t = apply_filters(table, filters) if filters is not None else table
    located = t.latitude.notnull() & t.longitude.notnull()
    total = int(t.count().to_pyarrow().as_py())
    with_xy = t.filter(located)
    binned = with_xy.mutate(
        row=(with_xy.latitude / cell_deg).floor().cast("int64"),
        col=(with_xy.longitude / cell_deg).floor().cast("int64"),
    )
    grouped = binned.group_by(["row", "col"]).aggregate(
        attacks=binned.count(),
        deaths=binned.deaths.sum(),
        known_deaths=binned.deaths.notnull().sum(),
    )
    data = grouped.to_pyarrow().to_pylist()
    cells: list[GridCell] = []
    suppressed = 0
    for rec in data:
        attacks = int(rec["attacks"])
        if attacks < min_attacks:
            suppressed += attacks
            continue
        cells.append(
            GridCell(
                lat=(int(rec["row"]) + 0.5) * cell_deg,
                lon=(int(rec["col"]) + 0.5) * cell_deg,
                attacks=attacks,
                deaths=int(rec["deaths"] or 0),
                known_deaths=int(rec["known_deaths"] or 0),
            )
        )
    cells.sort(key=lambda c: (-c.attacks, c.lat, c.lon))
    located_n = sum(int(rec["attacks"]) for rec in data)
    return GridSummary(
        cell_deg=cell_deg,
        min_attacks=min_attacks,
        cells=tuple(cells),
        suppressed_attacks=suppressed,
        without_coordinates=total - located_n,
    )
