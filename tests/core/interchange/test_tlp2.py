"""The bundled TLP 2.0 marking definitions: official ids, lookups both ways, TLP 1.0 on import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from placeguard.core.interchange import tlp2
from placeguard.core.vocab import TLP

RESEARCH = Path(__file__).parents[4] / "shared" / "research" / "info-sharing.md"

# research/info-sharing.md §4.3 (checked there against OASIS tlp-2.0/marking-definition.json).
EXPECTED = {
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
}


def test_ids_are_the_official_tlp2_ids() -> None:
    assert tlp2.TLP2_MARKING_IDS == EXPECTED
    assert tlp2.TLP2_EXTENSION_ID == ("extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d")


@pytest.mark.skipif(not RESEARCH.exists(), reason="research notes not checked out beside main")
def test_ids_match_the_research_file() -> None:
    text = RESEARCH.read_text(encoding="utf-8")
    for level, marking in EXPECTED.items():
        label = f"TLP:{level.value.upper()}"
        row = next(line for line in text.splitlines() if line.startswith(f"| **{label}**"))
        assert re.search(re.escape(marking), row), label
    assert tlp2.TLP2_EXTENSION_ID in text


@pytest.mark.parametrize("level", list(TLP))
def test_marking_definition_shape_and_round_trip(level: TLP) -> None:
    obj = tlp2.marking_definition(level)
    assert obj["type"] == "marking-definition"
    assert obj["spec_version"] == "2.1"
    assert obj["created"] == "2022-10-01T00:00:00.000Z"
    assert obj["name"] == f"TLP:{level.value.upper()}"
    ext = obj["extensions"][tlp2.TLP2_EXTENSION_ID]
    assert ext == {"extension_type": "property-extension", "tlp_2_0": level.value}
    assert tlp2.tlp_of_marking_id(obj["id"]) is level
    assert tlp2.tlp_of_marking_object(obj) is level


def test_tlp1_ids_are_read_as_their_tlp2_successors() -> None:
    white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    red = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
    assert tlp2.tlp_of_marking_id(white) is TLP.CLEAR
    assert tlp2.tlp_of_marking_id(red) is TLP.RED
    assert (
        tlp2.tlp_of_marking_object({"definition_type": "tlp", "definition": {"tlp": "white"}})
        is TLP.CLEAR
    )
    assert set(tlp2.TLP1_MARKING_IDS.values()) == {TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.RED}


def test_other_ids_are_not_tlp() -> None:
    assert (
        tlp2.tlp_of_marking_id("marking-definition--00000000-0000-4000-8000-000000000000") is None
    )
    assert not tlp2.is_tlp_marking_id("file:///etc/passwd")
    assert tlp2.is_tlp_marking_id(EXPECTED[TLP.GREEN])
