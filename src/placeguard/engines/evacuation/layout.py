"""A site's walkable layout, read from GeoJSON and validated before anything runs.

Coordinates are planar metres (a local grid: x east, y north). Every feature has a
``kind`` property:

``area``       Polygon: a room, hall, concourse or open space. ``occupants`` (int),
               ``protected: true`` (an invacuation refuge), ``lockable: true`` (a room
               that can be locked down), ``pre_movement_s`` (optional override).
``corridor``   Polygon: a passage; its width is the short side of its bounding rectangle.
``stair``      Polygon in plan; ``riser_m`` and ``tread_m`` (default 0.178/0.279, "7/11").
``door``       LineString on the shared boundary of two spaces; ``width_m`` clear width
               (default: the drawn length); ``connects: [id, id]`` when spaces on different
               ``level`` overlap in plan.
``exit``       LineString on the outer boundary of one space: a final exit to safety.

Every problem is collected and raised together as one :class:`ValidationError`, each entry
naming the feature (index, kind, id) and where the problem is.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import shapely
from shapely.geometry import LineString, Polygon
from shapely.validation import explain_validity

from placeguard.core.errors import FieldError, ValidationError
from placeguard.engines.evacuation.sfpe import BOUNDARY_LAYER_M, JAM_DENSITY, Element

__all__ = [
    "DEFAULT_MAX_DENSITY",
    "ON_BOUNDARY_TOLERANCE_M",
    "Layout",
    "Opening",
    "Space",
    "parse_layout",
]

#: Occupant capacity check: persons per m² of space (SFPE jam density 1/a, movement stops).
DEFAULT_MAX_DENSITY = JAM_DENSITY
#: How far (m) a door or exit line may lie from a space boundary and still be "on" it.
ON_BOUNDARY_TOLERANCE_M = 0.05

SPACE_KINDS = ("area", "corridor", "stair")
OPENING_KINDS = ("door", "exit")
DEFAULT_RISER_M = 0.178
DEFAULT_TREAD_M = 0.279


@dataclass(frozen=True, slots=True)
class Space:
    """A walkable polygon: area, corridor or stair."""

    id: str
    kind: str
    polygon: Polygon
    occupants: int = 0
    name: str = ""
    level: int = 0
    protected: bool = False
    lockable: bool = False
    riser_m: float = DEFAULT_RISER_M
    tread_m: float = DEFAULT_TREAD_M
    pre_movement_s: float | None = None

    @property
    def area_m2(self) -> float:
        return float(self.polygon.area)

    @property
    def element(self) -> Element:
        return Element(self.kind)

    @property
    def clear_width_m(self) -> float:
        """Short side of the minimum rotated rectangle (corridors and stairs)."""
        return _rect_sides(self.polygon)[0]

    @property
    def length_m(self) -> float:
        return _rect_sides(self.polygon)[1]

    @property
    def effective_width_m(self) -> float:
        return max(self.clear_width_m - 2 * BOUNDARY_LAYER_M[self.element], 0.1)

    @property
    def slope_factor(self) -> float:
        """Along-the-pitch distance per metre of plan distance (1 off stairs)."""
        if self.kind != "stair":
            return 1.0
        return math.hypot(1.0, self.riser_m / self.tread_m)


@dataclass(frozen=True, slots=True)
class Opening:
    """A door between two spaces or an exit from one space to safety."""

    id: str
    kind: str
    line: LineString
    clear_width_m: float
    spaces: tuple[str, ...]
    name: str = ""

    @property
    def effective_width_m(self) -> float:
        return self.clear_width_m - 2 * BOUNDARY_LAYER_M[Element.DOOR]

    @property
    def midpoint(self) -> tuple[float, float]:
        p = self.line.interpolate(0.5, normalized=True)
        return (float(p.x), float(p.y))


@dataclass(frozen=True, slots=True)
class Layout:
    """A validated walkable layout."""

    spaces: tuple[Space, ...]
    openings: tuple[Opening, ...]
    max_density: float = DEFAULT_MAX_DENSITY

    @property
    def total_occupants(self) -> int:
        return sum(s.occupants for s in self.spaces)

    def space(self, space_id: str) -> Space:
        for s in self.spaces:
            if s.id == space_id:
                return s
        raise KeyError(space_id)

    @property
    def exits(self) -> tuple[Opening, ...]:
        return tuple(o for o in self.openings if o.kind == "exit")

    def with_occupants(self, total: int) -> Layout:
        """The same layout holding ``total`` people: loads scaled, or spread by floor area.

        Loads are spread over ``area`` spaces that are not refuges when the layout has none.
        Re-checks the capacity of every space (raises :class:`ValidationError`).
        """
        if total < 0:
            raise ValidationError.from_mapping({"occupants": "must be zero or more"})
        current = self.total_occupants
        weights = [
            float(s.occupants)
            if current > 0
            else (s.area_m2 if s.kind == "area" and not s.protected else 0.0)
            for s in self.spaces
        ]
        if sum(weights) <= 0:
            weights = [s.area_m2 for s in self.spaces]
        counts = apportion(total, weights)
        spaces = tuple(replace(s, occupants=n) for s, n in zip(self.spaces, counts, strict=True))
        problems = [
            p
            for i, s in enumerate(spaces)
            if (p := _capacity_problem(f"spaces[{i}] (area {s.id!r})", s, self.max_density))
        ]
        if problems:
            msg = f"{total} occupants do not fit this layout at {self.max_density:.2f} p/m²."
            raise ValidationError(msg, errors=problems, code="layout_invalid")
        return replace(self, spaces=spaces)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Integer shares of ``total`` proportional to ``weights`` (largest remainder)."""
    wsum = sum(weights)
    exact = [total * w / wsum for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _rect_sides(poly: Polygon) -> tuple[float, float]:
    rect = poly.minimum_rotated_rectangle
    xy = list(rect.exterior.coords) if isinstance(rect, Polygon) else [(0.0, 0.0)] * 3
    a = math.dist(xy[0], xy[1])
    b = math.dist(xy[1], xy[2])
    return (min(a, b), max(a, b))


def _capacity_problem(where: str, space: Space, max_density: float) -> FieldError | None:
    cap = math.floor(space.area_m2 * max_density)
    if space.occupants > cap:
        return FieldError(
            where,
            f"{space.occupants} occupants in {space.area_m2:.1f} m² is "
            f"{space.occupants / space.area_m2:.2f} p/m², above the maximum "
            f"{max_density:.2f} p/m² (capacity {cap})",
            "over_capacity",
        )
    return None


# ---------------------------------------------------------------- parsing
class _Problems:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, where: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(where, message, code))


def _where(i: int, kind: str, fid: str | None) -> str:
    label = f"features[{i}]"
    if fid:
        return f"{label} ({kind} {fid!r})"
    return f"{label} ({kind})" if kind else label


def _number(
    props: Mapping[str, Any], key: str, default: float | None, where: str, problems: _Problems
) -> float | None:
    value = props.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(where, f"{key} must be a number, got {value!r}")
        return None
    return float(value)


def _coords_ok(coords: Any, depth: int) -> bool:
    """Nested coordinate arrays of the given depth, with finite 2-D positions."""
    if depth == 0:
        return (
            isinstance(coords, list | tuple)
            and len(coords) >= 2
            and all(
                isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c)
                for c in coords[:2]
            )
        )
    return isinstance(coords, list | tuple) and all(_coords_ok(c, depth - 1) for c in coords)


def _polygon(geom: Mapping[str, Any], where: str, problems: _Problems) -> Polygon | None:
    if geom.get("type") != "Polygon":
        problems.add(where, f"geometry must be a Polygon, got {geom.get('type')!r}", "geometry")
        return None
    rings: Any = geom.get("coordinates")
    if not _coords_ok(rings, 2) or not rings or any(len(r) < 4 for r in rings):
        problems.add(where, "polygon rings need at least 4 finite [x, y] positions", "geometry")
        return None
    poly = Polygon([tuple(p[:2]) for p in rings[0]], [[tuple(p[:2]) for p in r] for r in rings[1:]])
    if not poly.is_valid:
        reason = explain_validity(poly)
        text, _, at = reason.partition("[")
        loc = f" at ({', '.join(f'{float(v):.2f}' for v in at.rstrip(']').split())})" if at else ""
        problems.add(where, f"invalid polygon: {text.strip().lower()}{loc}", "self_intersection")
        return None
    if poly.area <= 0:
        problems.add(where, "polygon has zero area", "geometry")
        return None
    return poly


def _line(geom: Mapping[str, Any], where: str, problems: _Problems) -> LineString | None:
    if geom.get("type") != "LineString":
        problems.add(where, f"geometry must be a LineString, got {geom.get('type')!r}", "geometry")
        return None
    coords: Any = geom.get("coordinates")
    if not _coords_ok(coords, 1) or len(coords) < 2:
        problems.add(where, "a line needs at least 2 finite [x, y] positions", "geometry")
        return None
    line = LineString([tuple(p[:2]) for p in coords])
    if line.length <= 0:
        problems.add(where, "line has zero length", "geometry")
        return None
    return line


def parse_layout(data: Any, *, max_density: float = DEFAULT_MAX_DENSITY) -> Layout:
    """Read and validate a GeoJSON FeatureCollection; raise one error listing every problem."""
    problems = _Problems()
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise ValidationError.from_mapping(
            {"layout": "must be a GeoJSON FeatureCollection"}, "The layout is not GeoJSON."
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError.from_mapping({"features": "the layout has no features"})

    spaces: list[tuple[str, Space]] = []
    raw_openings: list[tuple[int, str, Mapping[str, Any], LineString, float]] = []
    seen: dict[str, str] = {}
    for i, feature in enumerate(features):
        head = _feature_head(i, feature, seen, problems)
        if head is None:
            continue
        props, geom, kind, fid, where = head
        if kind in SPACE_KINDS:
            space = _parse_space(props, geom, fid=fid, kind=kind, where=where, problems=problems)
            if space is not None:
                if cap := _capacity_problem(where, space, max_density):
                    problems.errors.append(cap)
                spaces.append((where, space))
        elif (opening := _parse_opening(props, geom, where, problems)) is not None:
            raw_openings.append((i, kind, props, *opening))
    _check_overlaps(spaces, problems)
    openings = _attach_openings(spaces, raw_openings, problems)
    if not any(o.kind == "exit" for o in openings) and not any(
        k == "exit" for _, k, _, _, _ in raw_openings
    ):
        problems.add("layout", "the layout has no exit", "no_exit")
    _check_connectivity(spaces, openings, problems)
    if problems.errors:
        n = len(problems.errors)
        msg = f"The layout has {n} problem{'s' if n != 1 else ''}; nothing was run."
        raise ValidationError(msg, errors=problems.errors, code="layout_invalid")
    return Layout(
        spaces=tuple(s for _, s in spaces), openings=tuple(openings), max_density=max_density
    )


def _feature_head(
    i: int, feature: Any, seen: dict[str, str], problems: _Problems
) -> tuple[Mapping[str, Any], Mapping[str, Any], str, str, str] | None:
    """Properties, geometry, kind, id and label of one feature, or None if unusable."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        problems.add(f"features[{i}]", "is not a GeoJSON Feature")
        return None
    props = feature.get("properties") or {}
    geom = feature.get("geometry") or {}
    if not isinstance(props, Mapping) or not isinstance(geom, Mapping):
        problems.add(f"features[{i}]", "properties and geometry must be objects")
        return None
    kind = str(props.get("kind", ""))
    raw_id = props.get("id")
    fid = str(raw_id) if raw_id not in (None, "") else f"{kind or 'feature'}-{i}"
    where = _where(i, kind, fid)
    if kind not in SPACE_KINDS + OPENING_KINDS:
        allowed = ", ".join(SPACE_KINDS + OPENING_KINDS)
        problems.add(where, f"kind must be one of {allowed}, got {kind!r}", "kind")
        return None
    if fid in seen:
        problems.add(where, f"id {fid!r} is also used by {seen[fid]}", "duplicate_id")
        return None
    seen[fid] = where
    return props, geom, kind, fid, where


def _parse_space(
    props: Mapping[str, Any],
    geom: Mapping[str, Any],
    *,
    fid: str,
    kind: str,
    where: str,
    problems: _Problems,
) -> Space | None:
    poly = _polygon(geom, where, problems)
    level = props.get("level", 0)
    if isinstance(level, bool) or not isinstance(level, int):
        problems.add(where, f"level must be an integer, got {level!r}")
        level = 0
    occupants = props.get("occupants", 0)
    if isinstance(occupants, bool) or not isinstance(occupants, int) or occupants < 0:
        problems.add(where, f"occupants must be a whole number ≥ 0, got {occupants!r}")
        occupants = 0
    riser = _number(props, "riser_m", DEFAULT_RISER_M, where, problems)
    tread = _number(props, "tread_m", DEFAULT_TREAD_M, where, problems)
    pre = _number(props, "pre_movement_s", None, where, problems)
    if kind == "stair" and (riser is None or tread is None or riser <= 0 or tread <= 0):
        problems.add(where, "riser_m and tread_m must be positive")
    if pre is not None and pre < 0:
        problems.add(where, "pre_movement_s must be ≥ 0")
    if poly is None:
        return None
    return Space(
        id=fid,
        kind=kind,
        polygon=poly,
        occupants=occupants,
        name=str(props.get("name", "")),
        level=level,
        protected=bool(props.get("protected", False)),
        lockable=bool(props.get("lockable", False)),
        riser_m=riser if riser and riser > 0 else DEFAULT_RISER_M,
        tread_m=tread if tread and tread > 0 else DEFAULT_TREAD_M,
        pre_movement_s=pre,
    )


def _parse_opening(
    props: Mapping[str, Any], geom: Mapping[str, Any], where: str, problems: _Problems
) -> tuple[LineString, float] | None:
    line = _line(geom, where, problems)
    if line is None:
        return None
    width = _number(props, "width_m", line.length, where, problems)
    if width is None:
        return None
    bl = 2 * BOUNDARY_LAYER_M[Element.DOOR]
    if width <= 0:
        problems.add(where, f"clear width must be positive, got {width:g} m", "zero_width")
    elif width > line.length + 0.01:
        problems.add(
            where,
            f"clear width {width:g} m exceeds the drawn opening ({line.length:.2f} m)",
            "width",
        )
    elif width <= bl:
        problems.add(
            where,
            f"clear width {width:g} m leaves no effective width after the "
            f"{bl:.2f} m boundary layers",
            "zero_width",
        )
    else:
        return line, width
    return None


def _check_overlaps(spaces: list[tuple[str, Space]], problems: _Problems) -> None:
    polys = [s.polygon for _, s in spaces]
    tree = shapely.STRtree(polys)
    for i, (where, s) in enumerate(spaces):
        for jj in tree.query(s.polygon):
            j = int(jj)
            if j <= i or spaces[j][1].level != s.level:
                continue
            overlap = s.polygon.intersection(spaces[j][1].polygon).area
            if overlap > 0.01:
                c = s.polygon.intersection(spaces[j][1].polygon).representative_point()
                problems.add(
                    where,
                    f"overlaps {spaces[j][1].kind} {spaces[j][1].id!r} by {overlap:.2f} m² "
                    f"near ({c.x:.2f}, {c.y:.2f})",
                    "overlap",
                )


def _on_boundary(line: LineString, space: Space) -> bool:
    return bool(space.polygon.exterior.buffer(ON_BOUNDARY_TOLERANCE_M).covers(line)) or any(
        ring.buffer(ON_BOUNDARY_TOLERANCE_M).covers(line) for ring in space.polygon.interiors
    )


def _attach_openings(
    spaces: list[tuple[str, Space]],
    raw: list[tuple[int, str, Mapping[str, Any], LineString, float]],
    problems: _Problems,
) -> list[Opening]:
    by_id = {s.id: s for _, s in spaces}
    polys = [s.polygon for _, s in spaces]
    tree = shapely.STRtree(polys) if polys else None
    out: list[Opening] = []
    for i, kind, props, line, width in raw:
        fid = str(props.get("id") or f"{kind}-{i}")
        where = _where(i, kind, fid)
        mid = line.interpolate(0.5, normalized=True)
        at = f"({mid.x:.2f}, {mid.y:.2f})"
        connects = props.get("connects")
        if connects is not None:
            if (
                kind != "door"
                or not isinstance(connects, list)
                or len(connects) != 2
                or len({str(c) for c in connects}) != 2
            ):
                problems.add(where, "connects must list the ids of two different spaces")
                continue
            missing = [str(c) for c in connects if str(c) not in by_id]
            if missing:
                problems.add(where, f"connects unknown space(s) {', '.join(missing)}")
                continue
            off = [str(c) for c in connects if not _on_boundary(line, by_id[str(c)])]
            if off:
                problems.add(
                    where,
                    f"door at {at} is not on the boundary of {', '.join(off)}",
                    "not_on_boundary",
                )
                continue
            on = [str(c) for c in connects]
        else:
            cand = [] if tree is None else [int(j) for j in tree.query(line.buffer(0.1))]
            on = [spaces[j][1].id for j in sorted(cand) if _on_boundary(line, spaces[j][1])]
        if not on:
            nearest = min(
                ((s.polygon.exterior.distance(mid), s.id) for _, s in spaces),
                default=(math.inf, ""),
            )
            hint = (
                f" (nearest boundary: {nearest[1]!r}, {nearest[0]:.2f} m away)"
                if nearest[1]
                else ""
            )
            problems.add(where, f"{kind} at {at} is not on the boundary of any space{hint}",
                         "not_on_boundary")  # fmt: skip
            continue
        if kind == "exit" and len(on) != 1:
            problems.add(
                where,
                f"exit at {at} lies between {' and '.join(on)}: an exit must be on the outer "
                "boundary of one space (use kind 'door' between spaces)",
                "not_on_boundary",
            )
            continue
        if kind == "door" and len(on) == 1:
            problems.add(
                where,
                f"door at {at} is on the boundary of {on[0]!r} only: a door joins two spaces "
                "(use kind 'exit' for a way out)",
                "not_on_boundary",
            )
            continue
        if kind == "door" and len(on) > 2:
            problems.add(
                where,
                f"door at {at} touches {', '.join(on)}: say which two it joins with 'connects'",
                "ambiguous",
            )
            continue
        out.append(Opening(fid, kind, line, width, tuple(on), str(props.get("name", ""))))
    return out


def _check_connectivity(
    spaces: list[tuple[str, Space]], openings: list[Opening], problems: _Problems
) -> None:
    adjacency: dict[str, set[str]] = {s.id: set() for _, s in spaces}
    reached: set[str] = set()
    queue: deque[str] = deque()
    for o in openings:
        if o.kind == "exit":
            if o.spaces[0] not in reached:
                reached.add(o.spaces[0])
                queue.append(o.spaces[0])
        else:
            a, b = o.spaces
            adjacency[a].add(b)
            adjacency[b].add(a)
    if not queue:
        return
    while queue:
        for nxt in adjacency[queue.popleft()]:
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    for where, s in spaces:
        if s.id not in reached:
            p = s.polygon.representative_point()
            problems.add(
                where,
                f"disconnected: no route by doors from this {s.kind} (around "
                f"({p.x:.2f}, {p.y:.2f})) to any exit",
                "disconnected",
            )
