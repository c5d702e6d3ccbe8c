"""Compliance overlays: UK TPPA 2025 tiers and requirement status with reasons."""

from __future__ import annotations

import pytest

from placeguard.engines.risk.catalogue import RiskPack, parse_pack
from placeguard.engines.risk.compliance import evaluate_overlay, uk_tppa_tier
from tests.engines.risk.conftest import tiny_docs


@pytest.mark.parametrize(
    ("site_type", "people", "tier"),
    [
        ("retail", 199, "out of scope"),
        ("retail", 200, "standard"),
        ("retail", 799, "standard"),
        ("retail", 800, "enhanced"),
        ("venue", 60000, "enhanced"),
        ("place_of_worship", 5000, "standard"),
        ("education", 1200, "standard"),
        ("education", 150, "out of scope"),
    ],
)
def test_uk_tppa_tiers(site_type: str, people: int, tier: str) -> None:
    assert uk_tppa_tier(site_type, people) == tier


@pytest.fixture(scope="module")
def pack() -> RiskPack:
    docs = tiny_docs()
    docs["compliance.yaml"] = {"overlays": [
        {"id": "uk_tppa_2025", "name": "UK TPPA", "tier_rule": "uk_tppa_2025", "requirements": [
            {"id": "s5", "text": "Procedures", "tiers": ["standard", "enhanced"], "met_when": {"Q3": 1}},
            {"id": "s6", "text": "Measures", "tiers": ["enhanced"], "met_when": {"Q1": 2, "Q2": 1}},
        ]},
        {"id": "un_pos", "name": "UN Plan", "tier_rule": "all", "site_types": ["place_of_worship"],
         "requirements": [{"id": "plan", "text": "Plan", "tiers": ["all"], "met_when": {"Q2": 1}}]},
    ]}  # fmt: skip
    return parse_pack(docs)


def statuses(
    pack: RiskPack, overlay: int, site_type: str, people: int, answers: dict
) -> dict[str, str]:
    rows = evaluate_overlay(pack, pack.overlays[overlay], site_type, people, answers)
    return {r.requirement: r.status for r in rows}


def test_enhanced_venue(pack: RiskPack) -> None:
    assert statuses(pack, 0, "venue", 1000, {"Q1": 2, "Q2": 1, "Q3": 1}) == {
        "s5": "met",
        "s6": "met",
    }
    assert statuses(pack, 0, "venue", 1000, {"Q1": 1, "Q2": 1, "Q3": 0}) == {
        "s5": "not met",
        "s6": "not met",
    }


def test_standard_tier_does_not_owe_enhanced_duties(pack: RiskPack) -> None:
    rows = evaluate_overlay(pack, pack.overlays[0], "venue", 500, {"Q3": 2})
    by_id = {r.requirement: r for r in rows}
    assert by_id["s5"].status == "met"
    assert by_id["s6"].status == "not applicable"
    assert "standard tier" in by_id["s6"].reason


def test_out_of_scope_and_unknown_answers(pack: RiskPack) -> None:
    assert set(statuses(pack, 0, "venue", 150, {}).values()) == {"not applicable"}
    row = evaluate_overlay(pack, pack.overlays[0], "venue", 900, {"Q3": "unknown"})[0]
    assert row.status == "not met"
    assert "Q3 not known" in row.reason


def test_overlay_limited_to_site_types(pack: RiskPack) -> None:
    assert statuses(pack, 1, "retail", 500, {"Q2": 2}) == {"plan": "not applicable"}
    assert statuses(pack, 1, "place_of_worship", 50, {"Q2": 2}) == {"plan": "met"}
