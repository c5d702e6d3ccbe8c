"""Pack parsing: typos and wrong types are errors, with file and path."""

from __future__ import annotations

import pytest

from placeguard.core.packs import ContentError
from placeguard.engines.risk.catalogue import parse_pack
from tests.engines.risk.conftest import tiny_docs


def broken(mutate: object) -> ContentError:
    docs = tiny_docs()
    mutate(docs)  # type: ignore[operator]
    with pytest.raises(ContentError) as info:
        parse_pack(docs)
    return info.value


def test_unknown_keys_are_rejected() -> None:
    error = broken(lambda d: d["measures.yaml"]["measures"][0].update(site_type=["venue"]))
    assert "measures.yaml: measures[0].site_type: unknown key" in str(error)


def test_bare_yaml_on_key_gets_a_hint() -> None:
    def bare_on(docs: dict) -> None:
        effect = docs["measures.yaml"]["measures"][0]["effects"][0]
        effect[True] = effect.pop("acts_on")  # what PyYAML makes of a bare `on:`

    assert "write it as acts_on" in str(broken(bare_on))


def test_precursor_must_be_a_boolean() -> None:
    error = broken(lambda d: d["scenarios.yaml"]["scenarios"][0].update(precursor="false"))
    assert "scenarios[0].precursor: expected true or false" in str(error)


def test_every_problem_is_listed_at_once() -> None:
    def many(docs: dict) -> None:
        docs["questions.yaml"]["questions"][0]["measures"] = ["NOPE"]
        docs["questions.yaml"]["questions"][1]["options"][2]["q"] = 0.4
        docs["scenarios.yaml"]["scenarios"][1]["lethality"] = 2

    problems = broken(many).problems
    assert len(problems) >= 3
    assert {p.source for p in problems} >= {"questions.yaml", "scenarios.yaml"}
