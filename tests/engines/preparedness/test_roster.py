"""The roster CSV parser: defaults, every problem at once, formula guards undone."""

from __future__ import annotations

import pytest

from placeguard.core.errors import ImportValidationError
from placeguard.engines.preparedness.roster import parse_roster


def test_defaults_and_optional_gender() -> None:
    (row,) = parse_roster("\ufeffParticipant,Course\nAna,A\n")
    assert row.record.attended and not row.completed
    assert row.record.gender is None and row.record.max_score == 100.0
    assert row.record.pre is None


def test_guarded_cells_are_unguarded() -> None:
    (row,) = parse_roster("participant,course,organisation\n'=Ana,A,'@org\n")
    assert row.record.participant == "=Ana" and row.organisation == "@org"


def test_every_problem_reported() -> None:
    text = (
        "participant,course,pre,post,max_score,satisfaction,completed\n"
        ",A,21,5,20,0,perhaps\nB,B,1,inf,0,,\n"
    )
    with pytest.raises(ImportValidationError) as info:
        parse_roster(text)
    got = {(r.row, r.column) for r in info.value.rows}
    assert got == {
        (1, "participant"),
        (1, "pre"),
        (1, "satisfaction"),
        (1, "completed"),
        (2, "post"),
        (2, "max_score"),
        (2, "pre"),
    }
