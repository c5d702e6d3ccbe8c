"""STIX 2.1 bundles: built from plain records, and parsed back with every problem collected.

Export (:func:`build_bundle`):

* a bulletin → ``report`` (``report_types: ["threat-report"]``, ``object_refs`` naming the
  originating organisation, which is the one object every report has);
* a site → ``location`` (name, latitude, longitude, country, administrative area);
* an incident → ``incident`` plus a ``located-at`` ``relationship`` to each exported location;
* the originating organisation → ``identity`` (``identity_class: organization``), named by
  ``created_by_ref``;
* each object carries the TLP 2.0 marking of its level in ``object_marking_refs``, and the
  bundle carries those marking definitions (:mod:`.tlp2`).

Anything above ``max_tlp`` is dropped here too, whatever the caller passed (belt and braces).

Import (:func:`parse_bundle`) reads ``report`` and ``note`` objects as bulletins, ``incident``
objects as incidents with the places their ``located-at`` relationships name, and ``location``
objects as records (the web importer never turns a location into a site). It re-validates
everything and never follows a reference: ``*_ref`` values must be STIX identifiers, URL fields
must be ``http(s)``. Unknown object types are ignored with a note. An object without any marking
is read as **TLP:AMBER+STRICT** (the most restrictive level short of RED that an
organisation-only draft can hold); an unknown or contradictory marking is a problem, never a
guess. Several TLP markings on one object: the strictest wins. An incident's place is marked by
its relationship and its location object, so :attr:`ParsedIncident.level` is the strictest of
the incident's, the relationships' and the locations' markings: what is copied from a place can
never end up looser than the file marked it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from placeguard.core.interchange import tlp2
from placeguard.core.interchange.records import (
    BulletinRecord,
    ExportSet,
    IncidentRecord,
    LocationRecord,
    OrgRecord,
    stable_uuid,
    stix_timestamp,
)
from placeguard.core.vocab import TLP

__all__ = [
    "ASSUMED_TLP",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_OBJECTS",
    "Issue",
    "ParsedBulletin",
    "ParsedBundle",
    "ParsedIncident",
    "ParsedLocation",
    "ParsedPlace",
    "build_bundle",
    "load_json",
    "location_line",
    "parse_bundle",
    "stix_id",
]

#: The level of an object that carries no TLP marking at all.
ASSUMED_TLP = TLP.AMBER_STRICT
#: Largest file accepted for import (bytes).
MAX_BYTES = 5_000_000
#: Deepest nesting of JSON arrays and objects accepted.
MAX_DEPTH = 32
#: Most objects accepted in one bundle.
MAX_OBJECTS = 2_000
#: Longest title (a bulletin's) and longest text accepted.
MAX_TITLE = 200
MAX_TEXT = 100_000
#: Longest incident description accepted: an incident summary holds 20,000 characters, and the
#: importer adds the places it could not link and a provenance line.
MAX_INCIDENT_TEXT = 19_000

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ID = re.compile(rf"^([a-z][a-z0-9-]{{0,249}})--({_UUID})$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)

_KIND_TYPES = {
    "bulletin": "report",
    "site": "location",
    "incident": "incident",
    "org": "identity",
    "located-at": "relationship",
}
#: Types read without a note (structure, provenance and what we export).
_KNOWN_TYPES = frozenset(
    {
        "report",
        "note",
        "location",
        "incident",
        "identity",
        "relationship",
        "marking-definition",
        "extension-definition",
    }
)


def stix_id(namespace: uuid.UUID, kind: str, key: object) -> str:
    """The deterministic STIX id of ``kind`` (bulletin, site, incident, org, located-at)."""
    return f"{_KIND_TYPES[kind]}--{stable_uuid(namespace, kind, key)}"


# --------------------------------------------------------------------------- export


def _common(
    obj_type: str, obj_id: str, created: datetime, modified: datetime, level: TLP
) -> dict[str, Any]:
    created_at = stix_timestamp(created)
    modified_at = max(created_at, stix_timestamp(modified))  # same format: text order is time
    return {
        "type": obj_type,
        "spec_version": "2.1",
        "id": obj_id,
        "created": created_at,
        "modified": modified_at,
        "object_marking_refs": [tlp2.marking_id(level)],
    }


def _report(ns: uuid.UUID, b: BulletinRecord) -> dict[str, Any]:
    org_id = stix_id(ns, "org", b.org.pk)
    obj = _common("report", stix_id(ns, "bulletin", b.pk), b.created, b.modified, b.tlp)
    obj.update(
        name=b.title,
        report_types=["threat-report"],
        published=stix_timestamp(b.published or b.created),
        object_refs=[org_id],
        created_by_ref=org_id,
    )
    if b.body:
        obj["description"] = b.body
    return obj


def _location(ns: uuid.UUID, loc: LocationRecord) -> dict[str, Any]:
    obj = _common("location", stix_id(ns, "site", loc.pk), loc.created, loc.modified, loc.tlp)
    obj.update(name=loc.name, latitude=loc.latitude, longitude=loc.longitude)
    if loc.country:
        obj["country"] = loc.country
    if loc.administrative_area:
        obj["administrative_area"] = loc.administrative_area
    if loc.org is not None:
        obj["created_by_ref"] = stix_id(ns, "org", loc.org.pk)
    return obj


def _incident(ns: uuid.UUID, i: IncidentRecord) -> dict[str, Any]:
    obj = _common("incident", stix_id(ns, "incident", i.pk), i.created, i.modified, i.tlp)
    obj.update(name=i.name, created_by_ref=stix_id(ns, "org", i.org.pk))
    if i.description:
        obj["description"] = i.description
    return obj


def _located_at(ns: uuid.UUID, i: IncidentRecord, loc: LocationRecord) -> dict[str, Any]:
    level = max(i.tlp, loc.tlp, key=lambda t: t.rank)
    rel_id = stix_id(ns, "located-at", f"{i.pk}:{loc.pk}")
    obj = _common("relationship", rel_id, i.created, i.modified, level)
    obj.update(
        relationship_type="located-at",
        source_ref=stix_id(ns, "incident", i.pk),
        target_ref=stix_id(ns, "site", loc.pk),
        created_by_ref=stix_id(ns, "org", i.org.pk),
    )
    return obj


def _identity(ns: uuid.UUID, org: OrgRecord, level: TLP) -> dict[str, Any]:
    obj = _common("identity", stix_id(ns, "org", org.pk), org.created, org.created, level)
    obj.update(name=org.name, identity_class="organization")
    return obj


def build_bundle(items: ExportSet, *, namespace: uuid.UUID, max_tlp: TLP) -> dict[str, Any]:
    """A STIX 2.1 bundle of ``items`` at ``max_tlp`` or below, with the TLP 2.0 definitions.

    Parameters
    ----------
    items
        Records the caller may export (already taken from the visibility functions).
    namespace
        The instance's uuid5 namespace: the same record gets the same STIX id in every export.
    max_tlp
        Records above this level are left out.

    Returns
    -------
    dict
        The bundle, ready for ``json.dumps``; objects in a stable order.
    """
    items = items.at_most(max_tlp)
    objects: list[dict[str, Any]] = []
    # An identity is revealed together with whatever names it, so it takes the loosest level
    # among the objects that name it.
    orgs: dict[int, tuple[OrgRecord, TLP]] = {}

    def cite(org: OrgRecord | None, level: TLP) -> None:
        if org is None:
            return
        known = orgs.get(org.pk)
        if known is None or level.rank < known[1].rank:
            orgs[org.pk] = (org, level)

    for b in sorted(items.bulletins, key=lambda r: r.pk):
        objects.append(_report(namespace, b))
        cite(b.org, b.tlp)
    locations = {loc.pk: loc for loc in items.locations}
    for loc in sorted(items.locations, key=lambda r: r.pk):
        objects.append(_location(namespace, loc))
        cite(loc.org, loc.tlp)
    for inc in sorted(items.incidents, key=lambda r: r.pk):
        objects.append(_incident(namespace, inc))
        cite(inc.org, inc.tlp)
        for pk in sorted(set(inc.location_pks)):
            if pk in locations:  # a location left out of the export is not even referenced
                objects.append(_located_at(namespace, inc, locations[pk]))
    identities = [_identity(namespace, org, lvl) for org, lvl in orgs.values()]
    identities.sort(key=lambda o: o["id"])
    levels = {TLP(tlp_level) for o in [*objects, *identities] for tlp_level in _levels_of(o)}
    markings = [tlp2.marking_definition(level) for level in sorted(levels, key=lambda t: t.rank)]
    everything = [*markings, *identities, *objects]
    fingerprint = json.dumps([(o["id"], o.get("modified", "")) for o in everything])
    return {
        "type": "bundle",
        "id": f"bundle--{stable_uuid(namespace, 'bundle', fingerprint)}",
        "objects": everything,
    }


def _levels_of(obj: dict[str, Any]) -> Iterator[str]:
    for ref in obj.get("object_marking_refs", ()):
        level = tlp2.tlp_of_marking_id(ref)
        if level is not None:
            yield level.value


# --------------------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem (or note) about one STIX object (``stix_id`` empty: the file itself)."""

    stix_id: str
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ParsedBulletin:
    """A ``report`` or ``note`` read as a bulletin."""

    stix_id: str
    title: str
    body: str
    tlp: TLP
    published: datetime | None = None
    created_by_ref: str | None = None
    marking_assumed: bool = False


@dataclass(frozen=True, slots=True)
class ParsedLocation:
    """A ``location`` object."""

    stix_id: str
    name: str
    latitude: float | None
    longitude: float | None
    tlp: TLP
    country: str = ""
    administrative_area: str = ""


@dataclass(frozen=True, slots=True)
class ParsedPlace:
    """Where an incident happened: the target of one of its ``located-at`` relationships.

    ``tlp`` is the stricter of the relationship's and the location object's markings;
    ``location`` is ``None`` when the bundle does not describe the location.
    """

    location_id: str
    relationship_id: str
    tlp: TLP
    location: ParsedLocation | None = None


@dataclass(frozen=True, slots=True)
class ParsedIncident:
    """An ``incident`` object and the places its ``located-at`` relationships name."""

    stix_id: str
    name: str
    description: str
    tlp: TLP
    location_ids: tuple[str, ...] = ()
    places: tuple[ParsedPlace, ...] = ()
    created_by_ref: str | None = None
    marking_assumed: bool = False

    @property
    def level(self) -> TLP:
        """The strictest of the incident's own marking and the markings of its places."""
        return max((self.tlp, *(p.tlp for p in self.places)), key=lambda t: t.rank)


def location_line(place: ParsedPlace) -> str:
    """A place as one line of text: ``Location: name, latitude, longitude[, area, country]``.

    Used for places the importer does not link to a site. Only what the file says is written,
    so the line is the same whether or not the id names a site of this instance.
    """
    loc = place.location
    if loc is None:
        return f"Location: {place.location_id} (not described in the file)"
    parts = [" ".join(loc.name.split()) or "unnamed"]
    if loc.latitude is not None and loc.longitude is not None:
        parts += [str(loc.latitude), str(loc.longitude)]
    parts += [" ".join(t.split()) for t in (loc.administrative_area, loc.country) if t.strip()]
    return "Location: " + ", ".join(parts)


@dataclass
class ParsedBundle:
    """What a bundle holds, every problem found, and notes on what was ignored or assumed."""

    bulletins: list[ParsedBulletin] = field(default_factory=list)
    locations: list[ParsedLocation] = field(default_factory=list)
    incidents: list[ParsedIncident] = field(default_factory=list)
    problems: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            msg = f"duplicate key {key!r}"
            raise ValueError(msg)
        out[key] = value
    return out


def _depth(data: Any) -> int:
    """Nesting depth of arrays and objects (iterative: hostile input cannot blow the stack)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in node)
        if deepest > MAX_DEPTH:
            break
    return deepest


def load_json(raw: bytes | str) -> tuple[Any, list[Issue]]:
    """Decode an uploaded file: size, UTF-8, strict JSON (no NaN, no duplicate keys), depth.

    Returns the data and an empty list, or ``None`` and the problems.
    """
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        return None, [Issue("", "file", f"The file is larger than {MAX_BYTES} bytes.")]
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [Issue("", "file", "The file is not UTF-8 text.")]
    else:
        text = raw
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except RecursionError:
        return None, [Issue("", "file", f"The JSON is nested deeper than {MAX_DEPTH} levels.")]
    except ValueError as exc:
        return None, [Issue("", "file", f"The file is not valid JSON ({exc}).")]
    if _depth(data) > MAX_DEPTH:
        return None, [Issue("", "file", f"The JSON is nested deeper than {MAX_DEPTH} levels.")]
    return data, []


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    head, _dot, frac = value[:-1].partition(".")
    try:
        return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")
    except ValueError:
        return None


def _refs(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``*_ref`` / ``*_refs`` value and every URL-ish value, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key.endswith("_ref") or key == "url" or key.endswith("_url"):
                yield here, value
            elif key.endswith("_refs"):
                if isinstance(value, list):
                    yield from ((f"{here}[{i}]", v) for i, v in enumerate(value))
                else:
                    yield here, value
            else:
                yield from _refs(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{path}[{i}]")


class _Reader:
    """Reads one bundle: collects records, problems and notes."""

    def __init__(self) -> None:
        self.out = ParsedBundle()
        self.markings: dict[str, dict[str, Any]] = {}

    def problem(self, sid: str, fld: str, message: str) -> None:
        self.out.problems.append(Issue(sid, fld, message))

    def note(self, sid: str, fld: str, message: str) -> None:
        self.out.notes.append(Issue(sid, fld, message))

    # ---- structure

    def check_refs(self, sid: str, obj: dict[str, Any]) -> None:
        for path, value in _refs(obj):
            is_url = path.endswith("url")
            if is_url:
                if not isinstance(value, str) or not _SAFE_URL.match(value):
                    self.problem(sid, path, "Only http(s) URLs are accepted (never followed).")
            elif not isinstance(value, str) or not _ID.match(value):
                self.problem(
                    sid,
                    path,
                    "Not a STIX identifier; file paths and URLs are refused, never followed.",
                )

    def text(self, sid: str, obj: dict[str, Any], key: str, *, required: bool, limit: int) -> str:
        value = obj.get(key)
        if value is None:
            if required:
                self.problem(sid, key, "Required.")
            return ""
        if not isinstance(value, str):
            self.problem(sid, key, "Must be a string.")
            return ""
        if required and not value.strip():
            self.problem(sid, key, "Must not be empty.")
        if len(value) > limit:
            self.problem(sid, key, f"At most {limit} characters.")
        return value

    def tlp_of(self, sid: str, obj: dict[str, Any]) -> tuple[TLP, bool]:
        """The object's TLP level and whether it was assumed (no TLP marking present)."""
        refs = obj.get("object_marking_refs")
        granular = obj.get("granular_markings")
        ids: list[str] = []
        if refs is not None:
            if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
                self.problem(sid, "object_marking_refs", "Must be a list of marking ids.")
            else:
                ids.extend(refs)
        if granular is not None:
            if not isinstance(granular, list) or not all(isinstance(g, dict) for g in granular):
                self.problem(sid, "granular_markings", "Must be a list of objects.")
            else:
                # A granular TLP marking restricts part of the object; we cannot keep parts
                # apart, so it restricts the whole object.
                ids.extend(
                    g["marking_ref"] for g in granular if isinstance(g.get("marking_ref"), str)
                )
        levels: list[TLP] = []
        for ref in ids:
            level = tlp2.tlp_of_marking_id(ref)
            if level is not None:
                levels.append(level)
                continue
            definition = self.markings.get(ref)
            if definition is not None and definition.get("definition_type") == "statement":
                self.note(sid, "object_marking_refs", f"Statement marking {ref} kept as a note.")
                continue
            self.problem(
                sid, "object_marking_refs", f"Unknown marking {ref}: only TLP markings are read."
            )
        if not levels:
            self.note(
                sid,
                "object_marking_refs",
                f"No TLP marking: read as TLP:{ASSUMED_TLP.value.upper()}.",
            )
            return ASSUMED_TLP, True
        strictest = max(levels, key=lambda t: t.rank)
        if len(set(levels)) > 1:
            self.note(sid, "object_marking_refs", "Several TLP markings: the strictest applies.")
        return strictest, False

    def well_formed(self, objects: list[Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, type, object) of every well-formed STIX 2.1 object; a problem for the rest."""
        seen: set[str] = set()
        valid: list[tuple[str, str, dict[str, Any]]] = []
        for index, obj in enumerate(objects):
            where = f"objects[{index}]"
            if not isinstance(obj, dict):
                self.problem(where, "object", "Each object is a JSON object.")
                continue
            sid, obj_type = obj.get("id"), obj.get("type")
            if not isinstance(sid, str) or not isinstance(obj_type, str):
                self.problem(where, "id", "Each object needs a string type and id.")
                continue
            match = _ID.match(sid)
            if match is None or match.group(1) != obj_type:
                self.problem(sid[:300], "id", f"Not a valid {obj_type[:60]} identifier.")
            elif sid in seen:
                self.problem(sid, "id", "Duplicate id in the bundle.")
            elif obj.get("spec_version") != "2.1":
                self.problem(sid, "spec_version", 'Only STIX 2.1 objects ("spec_version": "2.1").')
            else:
                seen.add(sid)
                self.check_refs(sid, obj)
                valid.append((sid, obj_type, obj))
        return valid

    # ---- objects

    def marking(self, sid: str, obj: dict[str, Any]) -> None:
        official = tlp2.tlp_of_marking_id(sid)
        stated = tlp2.tlp_of_marking_object(obj)
        if official is not None and stated is not None and stated is not official:
            self.problem(sid, "extensions", "The marking's content contradicts its official id.")
        elif official is None and stated is not None:
            self.problem(sid, "id", "A TLP marking must use the official TLP marking id.")
        self.markings[sid] = obj

    def report(self, sid: str, obj: dict[str, Any]) -> None:
        title = self.text(sid, obj, "name", required=True, limit=MAX_TITLE).strip()
        body = self.text(sid, obj, "description", required=False, limit=MAX_TEXT)
        published = _timestamp(obj.get("published"))
        if published is None:
            self.problem(sid, "published", "A STIX timestamp is required.")
        refs = obj.get("object_refs")
        if not isinstance(refs, list) or not refs:
            self.problem(sid, "object_refs", "At least one object reference is required.")
        level, assumed = self.tlp_of(sid, obj)
        self.out.bulletins.append(
            ParsedBulletin(
                stix_id=sid,
                title=title,
                body=body,
                tlp=level,
                published=published,
                created_by_ref=_str_or_none(obj.get("created_by_ref")),
                marking_assumed=assumed,
            )
        )

    def note_object(self, sid: str, obj: dict[str, Any]) -> None:
        content = self.text(sid, obj, "content", required=True, limit=MAX_TEXT)
        abstract = self.text(sid, obj, "abstract", required=False, limit=MAX_TEXT).strip()
        first_line = content.strip().splitlines()[0] if content.strip() else ""
        title = (abstract or first_line)[:MAX_TITLE].strip()
        level, assumed = self.tlp_of(sid, obj)
        self.out.bulletins.append(
            ParsedBulletin(
                stix_id=sid,
                title=title,
                body=content,
                tlp=level,
                created_by_ref=_str_or_none(obj.get("created_by_ref")),
                marking_assumed=assumed,
            )
        )

    def coordinate(self, sid: str, obj: dict[str, Any], key: str, bound: float) -> float | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(sid, key, "Must be a number.")
            return None
        if not -bound <= value <= bound:
            self.problem(sid, key, f"Must be between -{bound:g} and {bound:g}.")
            return None
        return float(value)

    def location(self, sid: str, obj: dict[str, Any]) -> None:
        lat = self.coordinate(sid, obj, "latitude", 90)
        lon = self.coordinate(sid, obj, "longitude", 180)
        if ("latitude" in obj) != ("longitude" in obj):
            self.problem(sid, "longitude", "Latitude and longitude go together.")
        level, _assumed = self.tlp_of(sid, obj)
        self.out.locations.append(
            ParsedLocation(
                stix_id=sid,
                name=self.text(sid, obj, "name", required=False, limit=MAX_TITLE),
                latitude=lat,
                longitude=lon,
                tlp=level,
                country=self.text(sid, obj, "country", required=False, limit=MAX_TITLE),
                administrative_area=self.text(
                    sid, obj, "administrative_area", required=False, limit=MAX_TITLE
                ),
            )
        )

    def dates(self, sid: str, obj: dict[str, Any]) -> None:
        """``created`` and ``modified`` are required STIX timestamps, in that order."""
        created, modified = _timestamp(obj.get("created")), _timestamp(obj.get("modified"))
        for key, value in (("created", created), ("modified", modified)):
            if value is None:
                self.problem(sid, key, "A STIX timestamp is required.")
        if created is not None and modified is not None and modified < created:
            self.problem(sid, "modified", "Must not be before created.")

    def incident(self, sid: str, obj: dict[str, Any]) -> None:
        name = self.text(sid, obj, "name", required=True, limit=MAX_TITLE).strip()
        description = self.text(sid, obj, "description", required=False, limit=MAX_INCIDENT_TEXT)
        self.dates(sid, obj)
        level, assumed = self.tlp_of(sid, obj)
        self.out.incidents.append(
            ParsedIncident(
                stix_id=sid,
                name=name,
                description=description,
                tlp=level,
                created_by_ref=_str_or_none(obj.get("created_by_ref")),
                marking_assumed=assumed,
            )
        )

    def link_locations(self, relationships: list[tuple[str, dict[str, Any]]]) -> None:
        """Attach each ``located-at`` place to its incident, with the place's marking."""
        incidents = {i.stix_id for i in self.out.incidents}
        locations = {loc.stix_id: loc for loc in self.out.locations}
        places: dict[str, dict[str, ParsedPlace]] = {}
        for sid, rel in relationships:
            if rel.get("relationship_type") != "located-at":
                continue  # other relationships carry nothing we import
            source, target = rel.get("source_ref"), rel.get("target_ref")
            if (
                not isinstance(source, str)
                or source not in incidents
                or not isinstance(target, str)
                or not target.startswith("location--")
            ):
                self.note(
                    sid,
                    "source_ref",
                    "Ignored: only located-at from an incident of this bundle to a location "
                    "is read.",
                )
                continue
            level, _assumed = self.tlp_of(sid, rel)
            loc = locations.get(target)
            if loc is not None:
                level = max(level, loc.tlp, key=lambda t: t.rank)
            known = places.setdefault(source, {})
            if target not in known or level.rank > known[target].tlp.rank:
                known[target] = ParsedPlace(target, sid, level, loc)
        self.out.incidents = [
            replace(
                i,
                location_ids=tuple(sorted(places.get(i.stix_id, {}))),
                places=tuple(p for _id, p in sorted(places.get(i.stix_id, {}).items())),
            )
            for i in self.out.incidents
        ]


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _header_problems(data: Any) -> list[Issue]:
    if not isinstance(data, dict):
        return [Issue("", "file", "A STIX bundle is a JSON object.")]
    problems = []
    if data.get("type") != "bundle":
        problems.append(Issue("", "type", 'A STIX bundle has "type": "bundle".'))
    bundle_id = data.get("id")
    if not isinstance(bundle_id, str) or not bundle_id.startswith("bundle--"):
        problems.append(Issue("", "id", "The bundle needs a bundle--<uuid> id."))
    elif not _ID.match(bundle_id):
        problems.append(Issue("", "id", "The bundle id is not a valid STIX identifier."))
    objects = data.get("objects", [])
    if not isinstance(objects, list):
        problems.append(Issue("", "objects", "Must be a list."))
    elif len(objects) > MAX_OBJECTS:
        problems.append(Issue("", "objects", f"At most {MAX_OBJECTS} objects per bundle."))
    return problems


def parse_bundle(data: Any) -> ParsedBundle:
    """Read a decoded STIX 2.1 bundle (see the module docstring for the rules).

    Parameters
    ----------
    data
        The output of :func:`load_json` (anything: it is checked).

    Returns
    -------
    ParsedBundle
        Records, every problem (each with its STIX id) and notes. Nothing is raised.
    """
    reader = _Reader()
    header = _header_problems(data)
    if header:
        reader.out.problems.extend(header)
        return reader.out
    valid = reader.well_formed(data.get("objects", []))
    for sid, obj_type, obj in valid:  # markings first: objects refer to them
        if obj_type == "marking-definition":
            reader.marking(sid, obj)
    readers = {
        "report": reader.report,
        "note": reader.note_object,
        "location": reader.location,
        "incident": reader.incident,
    }
    relationships: list[tuple[str, dict[str, Any]]] = []
    for sid, obj_type, obj in valid:
        if obj_type in readers:
            readers[obj_type](sid, obj)
        elif obj_type == "relationship":
            relationships.append((sid, obj))
        elif obj_type not in _KNOWN_TYPES:
            reader.note(sid, "type", f"Objects of type {obj_type} are not imported.")
    reader.link_locations(relationships)
    return reader.out
