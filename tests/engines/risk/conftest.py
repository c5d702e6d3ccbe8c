"""A tiny hand-checkable risk pack, built from plain data like a real one."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.engines.risk.catalogue import RiskPack, parse_pack


def tiny_docs() -> dict[str, Any]:
    """Two scenarios, three measures, three questions (numbers chosen for hand arithmetic)."""
    opts = [
        {"label": "none", "q": 0.0},
        {"label": "partly", "q": 0.5},
        {"label": "fully", "q": 1.0},
    ]
    return {
        "scenarios.yaml": {
            "version": "test-1",
            "scenarios": [
                {"id": "vehicle_ramming", "name": "Vehicle ramming", "attacker_capability": "low",
                 "success_probability": [0.7, 0.8, 0.9], "lethality": [0.05, 0.1, 0.2],
                 "exposed_share": 0.5, "max_exposed": 100,
                 "base_rate": {"default": [5e-5, 1e-4, 3e-4], "venue": [5e-5, 1e-4, 3e-4]},
                 "layers": ["delay"], "gtd": {"attacktype": [2, 8], "weaptype": [10]}},
                {"id": "bladed_weapon", "name": "Bladed weapon", "attacker_capability": "low",
                 "success_probability": 0.9, "lethality": 0.02, "exposed_share": 0.1,
                 "max_exposed": 10, "base_rate": {"default": 2e-4}},
            ],
        },
        "measures.yaml": {
            "currency": "EUR",
            "measures": [
                {"id": "BARRIER", "name": "Certified barriers", "category": "physical", "layers": ["delay"],
                 "effects": [{"scenario": "vehicle_ramming", "acts_on": "V", "effectiveness": [0.7, 0.8, 0.9]}],
                 "capex": [10000, 30000], "opex": [0, 0], "openness": 1},
                {"id": "GUARD", "name": "Guards", "category": "people", "layers": ["deter", "respond"],
                 "effects": [{"scenario": "vehicle_ramming", "acts_on": "V", "effectiveness": 0.2},
                             {"scenario": "bladed_weapon", "acts_on": "V", "effectiveness": 0.3}],
                 "capex": [0, 0], "opex": [40000, 60000], "openness": 2},
                {"id": "KIT", "name": "Bleed kits", "category": "technical", "layers": ["mitigate"],
                 "effects": [{"scenario": "bladed_weapon", "acts_on": "C", "effectiveness": 0.5},
                             {"scenario": "vehicle_ramming", "acts_on": "C", "effectiveness": 0.25}],
                 "capex": [500, 1500], "opex": [100, 100], "openness": 0},
            ],
        },
        "questions.yaml": {
            "questions": [
                {"id": "Q1", "category": "perimeter_hvm", "text": "Barriers?", "options": opts, "measures": ["BARRIER"]},
                {"id": "Q2", "category": "people_training", "text": "Guards?", "options": opts, "measures": ["GUARD"]},
                {"id": "Q3", "category": "emergency_procedures", "text": "Kits?", "options": opts, "measures": ["KIT"],
                 "site_types": ["venue", "retail"]},
            ]
        },
    }  # fmt: skip


@pytest.fixture(scope="session")
def tiny() -> RiskPack:
    """The tiny pack."""
    return parse_pack(tiny_docs())
