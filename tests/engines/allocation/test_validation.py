"""Reading GAME.json: every problem named at once."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.games import SecurityGame
from placeguard.engines.allocation.games_bayesian import BayesianGame
from placeguard.engines.allocation.validation import parse_game

FOUR = {
    "defender_covered": 1,
    "defender_uncovered": -1,
    "attacker_covered": -1,
    "attacker_uncovered": 1,
}


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        parse_game(data)
    return {e.field: e.message for e in info.value.errors}


def test_a_valid_single_type_game() -> None:
    parsed = parse_game({"resources": 1, "targets": [{"id": "a", **FOUR}, {"id": 7, **FOUR}]})
    assert isinstance(parsed.game, SecurityGame)
    assert parsed.game.ids == ("a", "7")


def test_every_single_type_problem_is_listed() -> None:
    found = problems({
        "resources": -2,
        "targets": [
            {"id": "a", **FOUR, "defender_covered": -5},
            {"id": "b", **FOUR, "attacker_covered": 3},
            {"id": "c", "defender_covered": 1},
            {"id": "a", **FOUR},
            {"defender_covered": 1},
        ],
    })  # fmt: skip
    assert "resources" in found
    assert "worse" in found["targets[a].defender_covered"]
    assert "better" in found["targets[b].attacker_covered"]
    assert {"targets[c].defender_uncovered", "targets[c].attacker_covered",
            "targets[c].attacker_uncovered"} <= set(found)  # fmt: skip
    assert found["targets[a].id"] == "duplicate id"
    assert "targets[4].id" in found


def test_every_bayesian_problem_is_listed() -> None:
    found = problems({
        "resources": 1,
        "targets": [{"id": "a"}, {"id": "b"}],
        "types": [
            {"name": "x", "prior": 0.5, "targets": {"a": FOUR, "zz": FOUR}},
            {"name": "y", "prior": 0.2, "targets": {"a": FOUR, "b": {**FOUR, "attacker_covered": 5}}},
        ],
    })  # fmt: skip
    assert "unknown" in found["types[x].targets[zz]"]
    assert "missing" in found["types[x].targets[b]"]
    assert "better" in found["types[y].targets[b].attacker_covered"]
    assert "sum to 0.7" in found["types.prior"]


def test_a_valid_bayesian_game_with_teams_and_districts() -> None:
    parsed = parse_game({
        "targets": [{"id": "a", "district": "n"}, {"id": "b", "district": "s"}],
        "teams": [{"name": "T1", "district": "n"}, {"name": "T2", "district": "s"}, {"name": "T3"}],
        "types": [{"name": "x", "prior": 1, "targets": {"a": FOUR, "b": FOUR}}],
    })  # fmt: skip
    assert isinstance(parsed.game, BayesianGame)
    assert parsed.game.resources == 3
    assert [g.targets for g in parsed.game.groups] == [(0,), (1,), (0, 1)]
    assert [t.group for t in parsed.teams] == [0, 1, 2]


def test_bad_teams_are_listed() -> None:
    found = problems({
        "resources": 3,
        "targets": [{"id": "a", **FOUR}],
        "teams": [{"name": "T1", "district": "nowhere"}, {"name": "T2", "sites": ["a", "q"]}],
    })  # fmt: skip
    assert "nowhere" in found["teams[T1].district"]
    assert "q" in found["teams[T2].sites"]
    assert "2 teams" in found["resources"]


def test_not_an_object() -> None:
    assert problems([1, 2]) == {"": "not an object"}
