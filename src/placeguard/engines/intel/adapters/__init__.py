"""Dataset adapters: one module per source, each ``read_*(path, ...) -> list[Incident]``.

:func:`read_incidents` dispatches on the source id used by the CLI.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from placeguard.engines.intel.adapters._base import IncidentImportError, Progress
from placeguard.engines.intel.adapters.custom import CustomMapping
from placeguard.engines.intel.schema import Incident

__all__ = ["IncidentImportError", "Source", "read_incidents"]


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
