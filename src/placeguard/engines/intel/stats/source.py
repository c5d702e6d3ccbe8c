"""Straight from a file to an Ibis table on an in-memory DuckDB — no store, no database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from placeguard.engines.intel.stats.trends import DEFAULT_BREAKS

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = [
    "ATTRIBUTION",
    "DATASET_DEFAULTS",
    "DatasetDefaults",
    "table_from_arrow",
    "table_from_file",
]


@dataclass(frozen=True, slots=True)
class DatasetDefaults:
    """Declared collection breaks and uncovered years of a dataset (users may override)."""

    breaks: tuple[int, ...] = ()
    missing_years: tuple[int, ...] = ()


#: GTD: START's FAQ breaks (1998, Apr 2008, 2012); 1993 is not in the main file (its partial
#: recovery is distributed separately), so 1993 is an uncovered year, never a zero.
DATASET_DEFAULTS: dict[str, DatasetDefaults] = {
    "gtd": DatasetDefaults(DEFAULT_BREAKS, (1993,)),
}

ATTRIBUTION: dict[str, str] = {
    "gtd": "National Consortium for the Study of Terrorism and Responses to Terrorism (START), "
    "Global Terrorism Database, University of Maryland. Aggregates only; rows not redistributed.",
    "acled": "Armed Conflict Location & Event Data (ACLED), acleddata.com. Aggregates only; "
    "rows not redistributed.",
    "rdwti": "RAND Database of Worldwide Terrorism Incidents. Aggregates only; rows not "
    "redistributed.",
    "ucdp": "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program, CC BY 4.0.",
    "gdelt": "The GDELT Project (gdeltproject.org); media-event counts, not incident counts.",
}


def table_from_arrow(arrow: pa.Table, *, connection: Any = None) -> ir.Table:
    """A canonical Arrow table as an Ibis table; DuckDB scans the Arrow memory in place (no
    copy) unless another ``connection`` is given, which gets a temporary table."""
    import ibis

    if connection is not None:
        table = connection.create_table("incidents", arrow, temp=True, overwrite=True)
    else:
        table = ibis.memtable(arrow)
    return table.mutate(year=table.year.cast("int32"))


def table_from_file(
    path: Path,
    source: str,
    *,
    mapping: Any = None,
    release: str | None = None,
    progress: Callable[[int], None] | None = None,
    urban: Any = None,
) -> ir.Table:
    """Read, validate and map ``path`` with the ``source`` adapter; return it as Ibis.

    ``urban`` is an urban classifier of :mod:`placeguard.engines.intel.urban` (nearest
    GeoNames place or urban-centre polygons); when given, the ``urban`` flag and its method
    are set on every incident before the statistics run.
    """
    from placeguard.engines.intel.adapters import read_incidents_table

    arrow = read_incidents_table(path, source, mapping=mapping, release=release,
                                 progress=progress)  # fmt: skip
    if urban is not None:
        from placeguard.engines.intel.urban import apply_urban

        arrow = apply_urban(arrow, urban)
    return table_from_arrow(arrow)
