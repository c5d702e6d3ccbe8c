"""The rule table: complete, and the same in code and in docs/sharing-policy.md."""

from __future__ import annotations

from pathlib import Path

from placeguard.core import sharing
from placeguard.core.sharing import RULES, describe

DOC = Path(__file__).parents[3] / "docs" / "sharing-policy.md"
EXPECTED_IDS = (
    [f"I{n}" for n in range(1, 9)] + [f"R{n}" for n in range(13)] + [f"W{n}" for n in range(1, 7)]
)


def test_every_rule_of_the_specification_has_an_entry() -> None:
    assert list(RULES) == EXPECTED_IDS
    assert all(text.endswith(".") for text in RULES.values())


def test_docs_carry_the_generated_table_and_every_rule_in_prose() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert describe() in text
    for rule_id in EXPECTED_IDS:
        assert f"**{rule_id}**" in text, rule_id


def test_public_names_are_sorted_and_exported() -> None:
    assert sharing.__all__ == sorted(sharing.__all__, key=lambda name: (not name.isupper(), name))
    assert all(hasattr(sharing, name) for name in sharing.__all__)
