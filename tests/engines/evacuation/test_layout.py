"""Layout validation: every problem, with what and where, before anything runs."""

from __future__ import annotations

import json

import pytest

from placeguard.content.layouts import EXAMPLE_VENUE
from placeguard.core.errors import ValidationError
from placeguard.engines.evacuation.layout import parse_layout
from tests.engines.evacuation._layouts import collection, line, poly, room, room_with_corridor


def problems(data: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        parse_layout(data)
    return {f"{e.code}:{e.field}": e.message for e in info.value.errors}


def test_valid_layout_parses() -> None:
    layout = parse_layout(room_with_corridor())
    assert layout.total_occupants == 500
    assert [o.spaces for o in layout.openings] == [("room", "corridor"), ("corridor",)]
    assert layout.space("corridor").clear_width_m == pytest.approx(4.0)


def test_example_venue_is_valid() -> None:
    data = json.loads(EXAMPLE_VENUE.read_text(encoding="utf-8"))
    layout = parse_layout(data)
    assert layout.total_occupants == 3000
    assert len(layout.exits) >= 5


def test_every_problem_is_reported_at_once() -> None:
    bowtie = {
        "type": "Feature",
        "properties": {"id": "bowtie", "kind": "area"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[30, 0], [40, 10], [40, 0], [30, 10], [30, 0]]],
        },
    }
    data = collection(
        poly("hall", "area", 0, 0, 10, 10, occupants=400),  # 100 m² > 3.76 p/m²
        poly("island", "area", 50, 0, 60, 10, occupants=10),  # no door, no exit
        bowtie,
        line("exit-a", "exit", (4, 10), (6, 10)),
        line("floating", "exit", (4, 13), (6, 13)),  # 3 m off the wall
        line("zero", "door", (10, 4), (10, 6), width_m=0),
    )
    found = problems(data)
    codes = {k.split(":")[0] for k in found}
    assert {
        "over_capacity",
        "disconnected",
        "self_intersection",
        "not_on_boundary",
        "zero_width",
    } <= codes
    where = " | ".join(found)
    assert "features[0] (area 'hall')" in where
    assert "features[1] (area 'island')" in where
    assert "features[2] (area 'bowtie')" in where
    assert "features[4] (exit 'floating')" in where
    assert "features[5] (door 'zero')" in where
    text = " | ".join(found.values())
    assert "self-intersection at (35.00, 5.00)" in text
    assert "400 occupants in 100.0 m²" in text
    assert "3.00 m away" in text


def test_exit_between_two_spaces_and_door_on_one_space() -> None:
    data = collection(
        poly("a", "area", 0, 0, 10, 10),
        poly("b", "area", 10, 0, 20, 10),
        line("x", "exit", (10, 4), (10, 6)),
        line("d", "door", (0, 4), (0, 6)),
        line("ok", "exit", (20, 4), (20, 6)),
    )
    found = problems(data)
    msgs = " | ".join(found.values())
    assert "lies between a and b" in msgs
    assert "on the boundary of 'a' only" in msgs


def test_structural_problems() -> None:
    with pytest.raises(ValidationError, match="not GeoJSON"):
        parse_layout({"type": "Feature"})
    found = problems(
        collection(
            poly("a", "area", 0, 0, 10, 10),
            poly("a", "area", 20, 0, 30, 10),
            {
                "type": "Feature",
                "properties": {"kind": "lift"},
                "geometry": {"type": "Point", "coordinates": [0, 0]},
            },
            poly("b", "area", 5, 5, 15, 15),
        )
    )
    codes = {k.split(":")[0] for k in found}
    assert {"duplicate_id", "kind", "overlap", "no_exit"} <= codes


def test_narrow_door_has_no_effective_width() -> None:
    found = problems(room(10, [0.25]))
    assert any("no effective width" in m for m in found.values())


def test_with_occupants_scales_and_rechecks_capacity() -> None:
    layout = parse_layout(room(100, [2.0]))
    assert layout.with_occupants(1000).total_occupants == 1000
    with pytest.raises(ValidationError) as info:
        layout.with_occupants(2000)  # 400 m² × 3.76 = 1504
    assert info.value.errors[0].code == "over_capacity"
