"""MISP event JSON: one event per exported record, tagged with its TLP 2.0 level.

The shape is MISP's ``restSearch`` answer (``{"response": [{"Event": …}, …]}``), which MISP and
PyMISP read back. Rules (research/info-sharing.md §4.4):

* every event carries exactly one tag, its TLP (``tlp:clear`` … ``tlp:red``, the MISP ``tlp``
  taxonomy); no other tag is ever exported, so PlaceGuard's local labels (site tags,
  need-to-know tokens, caveats) never leave;
* distribution follows the level: CLEAR → 3 (all communities), GREEN → 1 (this community),
  AMBER and stricter → 0 (the receiving organisation only; MISP sharing groups are not mapped,
  the receiving admin widens if allowed);
* nothing above ``max_tlp`` is included, whatever the caller passed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from placeguard.core.interchange.records import (
    BulletinRecord,
    ExportSet,
    IncidentRecord,
    LocationRecord,
    OrgRecord,
    stable_uuid,
)
from placeguard.core.vocab import TLP

__all__ = ["DISTRIBUTION", "build_misp", "tlp_tag"]

#: MISP distribution level for each TLP level.
DISTRIBUTION: dict[TLP, str] = {
    TLP.CLEAR: "3",
    TLP.GREEN: "1",
    TLP.AMBER: "0",
    TLP.AMBER_STRICT: "0",
    TLP.RED: "0",
}
_INHERIT = "5"  # an attribute inherits the event's distribution
_ANALYSIS_COMPLETE = "2"
_THREAT_LEVEL_UNDEFINED = "4"


def tlp_tag(level: TLP) -> str:
    """The MISP ``tlp`` taxonomy tag of ``level`` (``tlp:amber+strict``)."""
    return f"tlp:{level.value}"


def _epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _orgc(ns: uuid.UUID, org: OrgRecord | None) -> dict[str, str]:
    if org is None:
        return {"name": "PlaceGuard", "uuid": str(stable_uuid(ns, "instance", "self"))}
    return {"name": org.name, "uuid": str(stable_uuid(ns, "org", org.pk))}


def _event(
    ns: uuid.UUID,
    *,
    kind: str,
    pk: int,
    info: str,
    level: TLP,
    org: OrgRecord | None,
    day: datetime,
    modified: datetime,
) -> dict[str, Any]:
    return {
        "uuid": str(stable_uuid(ns, kind, pk)),
        "info": info,
        "date": day.date().isoformat(),
        "timestamp": _epoch(modified),
        "published": False,
        "analysis": _ANALYSIS_COMPLETE,
        "threat_level_id": _THREAT_LEVEL_UNDEFINED,
        "distribution": DISTRIBUTION[level],
        "Orgc": _orgc(ns, org),
        "Tag": [{"name": tlp_tag(level)}],
        "Attribute": [],
        "Object": [],
    }


def _attribute(
    ns: uuid.UUID, owner: str, relation: str, value: str, moment: datetime, *, kind: str = "text"
) -> dict[str, Any]:
    return {
        "uuid": str(stable_uuid(ns, "misp-attribute", f"{owner}:{relation}")),
        "type": kind,
        "category": "Other",
        "value": value,
        "comment": relation,
        "to_ids": False,
        "distribution": _INHERIT,
        "timestamp": _epoch(moment),
    }


def _bulletin_event(ns: uuid.UUID, b: BulletinRecord) -> dict[str, Any]:
    day = b.published or b.created
    event = _event(
        ns, kind="bulletin", pk=b.pk, info=b.title, level=b.tlp, org=b.org, day=day,
        modified=b.modified,
    )  # fmt: skip
    if b.body:
        event["Attribute"].append(_attribute(ns, f"bulletin:{b.pk}", "body", b.body, b.modified))
    return event


def _location_event(ns: uuid.UUID, loc: LocationRecord) -> dict[str, Any]:
    event = _event(
        ns, kind="site", pk=loc.pk, info=f"Location: {loc.name}", level=loc.tlp, org=loc.org,
        day=loc.created, modified=loc.modified,
    )  # fmt: skip
    owner = f"site:{loc.pk}"
    values = [
        ("latitude", repr(loc.latitude), "float"),
        ("longitude", repr(loc.longitude), "float"),
        ("text", loc.name, "text"),
        ("country", loc.country, "text"),
        ("region", loc.administrative_area, "text"),
    ]
    attributes = []
    for relation, value, kind in values:
        if value:
            attr = _attribute(ns, owner, relation, value, loc.modified, kind=kind)
            attr["object_relation"] = relation
            attributes.append(attr)
    event["Object"].append(
        {
            "uuid": str(stable_uuid(ns, "misp-object", owner)),
            "name": "geolocation",
            "meta-category": "misc",
            "distribution": _INHERIT,
            "timestamp": _epoch(loc.modified),
            "Attribute": attributes,
        }
    )
    return event


def _incident_event(ns: uuid.UUID, i: IncidentRecord) -> dict[str, Any]:
    event = _event(
        ns, kind="incident", pk=i.pk, info=i.name, level=i.tlp, org=i.org, day=i.created,
        modified=i.modified,
    )  # fmt: skip
    if i.description:
        owner = f"incident:{i.pk}"
        event["Attribute"].append(_attribute(ns, owner, "description", i.description, i.modified))
    return event


def build_misp(items: ExportSet, *, namespace: uuid.UUID, max_tlp: TLP) -> dict[str, Any]:
    """MISP events for ``items`` at ``max_tlp`` or below.

    Parameters
    ----------
    items
        Records the caller may export (already taken from the visibility functions).
    namespace
        The instance's uuid5 namespace (stable event and attribute uuids).
    max_tlp
        Records above this level are left out.

    Returns
    -------
    dict
        ``{"response": [{"Event": …}, …]}``, bulletins then locations then incidents.
    """
    items = items.at_most(max_tlp)
    events = [_bulletin_event(namespace, b) for b in sorted(items.bulletins, key=lambda r: r.pk)]
    events += [_location_event(namespace, x) for x in sorted(items.locations, key=lambda r: r.pk)]
    events += [_incident_event(namespace, i) for i in sorted(items.incidents, key=lambda r: r.pk)]
    return {"response": [{"Event": e} for e in events]}
