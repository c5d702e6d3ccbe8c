"""Dataset adapters: one module per source, each ``read_*(path, ...) -> list[Incident]``.

:func:`read_incidents` dispatches on the source id used by the CLI; :func:`read_incidents_table`
returns the canonical Arrow table instead (the fast path for large files: GTD, UCDP and ACLED are
read and validated column-wise, see :mod:`._columnar`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from placeguard.engines.intel.adapters._base import IncidentImportError, Progress
from placeguard.engines.intel.adapters.custom import CustomMapping
from placeguard.engines.intel.schema import Incident, incidents_to_arrow

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["IncidentImportError", "Source", "read_incidents", "read_incidents_table"]


class Source(StrEnum):
    """Incident sources an import understands."""

    GTD = "gtd"
    ACLED = "acled"
    RDWTI = "rdwti"
    UCDP = "ucdp"
    GDELT1 = "gdelt1"
    GDELT2 = "gdelt2"
    CUSTOM = "custom"


def read_incidents(
    path: Path,
    source: Source | str,
    *,
    mapping: CustomMapping | None = None,
    release: str | None = None,
    progress: Progress | None = None,
) -> list[Incident]:
    """Read, validate and map ``path`` as ``source``; all rows or ``IncidentImportError``."""
    from placeguard.engines.intel.adapters import acled, custom, gdelt, gtd, rdwti, ucdp

    kind = Source(source)
    if kind is Source.CUSTOM:
        if mapping is None:
            msg = "a custom import needs a mapping file"
            raise ValueError(msg)
        return custom.read_custom(path, mapping, release=release, progress=progress)
    if kind in {Source.GDELT1, Source.GDELT2}:
        version = 1 if kind is Source.GDELT1 else 2
        return gdelt.read_gdelt(path, version=version, release=release, progress=progress)
    reader = {
        Source.GTD: gtd.read_gtd,
        Source.ACLED: acled.read_acled,
        Source.RDWTI: rdwti.read_rdwti,
        Source.UCDP: ucdp.read_ucdp,
    }[kind]
    return reader(path, release=release, progress=progress)


def read_incidents_table(
    path: Path,
    source: Source | str,
    *,
    mapping: CustomMapping | None = None,
    release: str | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """Like :func:`read_incidents`, as a canonical Arrow table (vectorised for GTD, UCDP and
    ACLED)."""
    from placeguard.engines.intel.adapters import acled, gtd, ucdp

    kind = Source(source)
    if kind is Source.ACLED:
        return acled.read_acled_table(path, release=release, progress=progress)
    if kind is Source.GTD:
        return gtd.read_gtd_table(path, release=release, progress=progress)
    if kind is Source.UCDP:
        return ucdp.read_ucdp_table(path, release=release, progress=progress)
    rows = read_incidents(path, kind, mapping=mapping, release=release, progress=progress)
    return incidents_to_arrow(rows)
