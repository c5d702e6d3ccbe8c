"""Plain records that the exporters hand to the STIX and MISP builders, and stable ids.

The web layer fills these from rows it took from the visibility functions; the builders never
see a model. Ids are deterministic (uuid5 of the instance namespace, the kind and the primary
key) so a re-export names every object the same way and consumers can de-duplicate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from placeguard.core.vocab import TLP

__all__ = [
    "BulletinRecord",
    "ExportSet",
    "IncidentRecord",
    "LocationRecord",
    "OrgRecord",
    "stable_uuid",
    "stix_timestamp",
]


def stable_uuid(namespace: uuid.UUID, kind: str, key: object) -> uuid.UUID:
    """The uuid5 of ``kind:key`` in ``namespace`` (the same inputs give the same id)."""
    return uuid.uuid5(namespace, f"{kind}:{key}")


def stix_timestamp(moment: datetime) -> str:
    """``moment`` as a STIX 2.1 timestamp: UTC, millisecond precision, ``Z`` suffix."""
    if moment.tzinfo is None:  # callers pass aware datetimes; a naive one is read as UTC
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class OrgRecord:
    """An organisation: the ``identity`` named as ``created_by_ref``."""

    pk: int
    name: str
    created: datetime


@dataclass(frozen=True, slots=True)
class BulletinRecord:
    """A bulletin the caller may export (content, not a stub)."""

    pk: int
    title: str
    body: str
    tlp: TLP
    org: OrgRecord
    created: datetime
    modified: datetime
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class LocationRecord:
    """A site as a place: name, coordinates, country and administrative area."""

    pk: int
    name: str
    latitude: float
    longitude: float
    tlp: TLP
    created: datetime
    modified: datetime
    country: str = ""
    administrative_area: str = ""
    org: OrgRecord | None = None


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """An incident, located at zero or more of the exported locations (by their ``pk``)."""

    pk: int
    name: str
    description: str
    tlp: TLP
    org: OrgRecord
    created: datetime
    modified: datetime
    location_pks: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportSet:
    """Everything one export carries, by kind."""

    bulletins: tuple[BulletinRecord, ...] = ()
    locations: tuple[LocationRecord, ...] = ()
    incidents: tuple[IncidentRecord, ...] = field(default=())

    def merged(self, other: ExportSet) -> ExportSet:
        """Both sets together."""
        return ExportSet(
            bulletins=self.bulletins + other.bulletins,
            locations=self.locations + other.locations,
            incidents=self.incidents + other.incidents,
        )

    def at_most(self, max_tlp: TLP) -> ExportSet:
        """Only the records at ``max_tlp`` or less restrictive."""
        return replace(
            self,
            bulletins=tuple(b for b in self.bulletins if b.tlp.rank <= max_tlp.rank),
            locations=tuple(loc for loc in self.locations if loc.tlp.rank <= max_tlp.rank),
            incidents=tuple(i for i in self.incidents if i.tlp.rank <= max_tlp.rank),
        )

    def counts(self) -> dict[str, int]:
        """Number of records per kind."""
        return {
            "bulletin": len(self.bulletins),
            "location": len(self.locations),
            "incident": len(self.incidents),
        }
