"""MISP event JSON: TLP tags only, distribution per level, never above the maximum TLP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from placeguard.core.interchange import misp
from placeguard.core.interchange.records import ExportSet
from placeguard.core.vocab import TLP
from tests.core.interchange.test_stix import NS, everything


def events(max_tlp: TLP) -> list[dict[str, Any]]:
    return [
        e["Event"] for e in misp.build_misp(everything(), namespace=NS, max_tlp=max_tlp)["response"]
    ]


@pytest.mark.parametrize("max_tlp", list(TLP))
def test_never_above_max_tlp(max_tlp: TLP) -> None:
    tags = [t["name"] for e in events(max_tlp) for t in e["Tag"]]
    allowed = {misp.tlp_tag(level) for level in TLP if level.rank <= max_tlp.rank}
    assert tags
    assert set(tags) == allowed  # every allowed level present, nothing stricter


def test_red_only_when_asked_for() -> None:
    assert "tlp:red" not in json.dumps(events(TLP.AMBER_STRICT))
    assert "tlp:red" in json.dumps(events(TLP.RED))


def test_each_event_has_exactly_its_tlp_tag_and_distribution() -> None:
    for event in events(TLP.RED):
        (tag,) = event["Tag"]
        level = TLP(tag["name"].removeprefix("tlp:"))
        assert event["distribution"] == misp.DISTRIBUTION[level]
    by_info = {e["info"]: e for e in events(TLP.RED)}
    assert by_info["Bulletin 1"]["distribution"] == "3"  # CLEAR: all communities
    assert by_info["Bulletin 2"]["distribution"] == "1"  # GREEN: this community
    assert by_info["Bulletin 3"]["distribution"] == "0"  # AMBER: the receiving org only


def test_location_is_a_geolocation_object_and_ids_are_stable() -> None:
    site = next(e for e in events(TLP.RED) if str(e["info"]).startswith("Location"))
    (obj,) = site["Object"]
    values = {a["object_relation"]: a["value"] for a in obj["Attribute"]}
    assert obj["name"] == "geolocation"
    assert values == {"latitude": "43.0", "longitude": "-29.0", "text": "North Mall",
                      "country": "XM", "region": "North-A"}  # fmt: skip
    assert events(TLP.RED) == events(TLP.RED)


def test_empty_set_gives_an_empty_response() -> None:
    assert misp.build_misp(ExportSet(), namespace=NS, max_tlp=TLP.RED) == {"response": []}
