"""Reports built once per test session from the shipped pack and the example mosque."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from placeguard.content import load_risk_pack
from placeguard.engines.risk.catalogue import RiskPack
from placeguard.engines.risk.inputs import AssessmentInput, parse_assessment_input
from placeguard.web.reports import SiteReport, build_site_report

ROOT = Path(__file__).resolve().parents[3]
MOSQUE = ROOT / "examples" / "mosque-answers.yaml"
HOSTILE_NAME = '<script>alert("x")</script> & =HYPERLINK("http://evil")'
WHEN = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pack() -> RiskPack:
    return load_risk_pack()


@pytest.fixture(scope="session")
def mosque(pack: RiskPack) -> AssessmentInput:
    return parse_assessment_input(yaml.safe_load(MOSQUE.read_text(encoding="utf-8")), pack)


def make_report(pack: RiskPack, data: AssessmentInput, **kwargs: Any) -> SiteReport:
    """A report of the example mosque; keyword arguments override the defaults."""
    options: dict[str, Any] = {
        "site_name": "Al-Noor Mosque",
        "site_type": data.profile.site_type,
        "profile": data.profile,
        "answers": data.answers,
        "threat_level": data.threat_level,
        "generated_at": WHEN,
        "pareto_points": 0,
    }
    options.update(kwargs)
    return build_site_report(pack, **options)


@pytest.fixture(scope="session")
def full_report(pack: RiskPack, mosque: AssessmentInput) -> SiteReport:
    """With a plan, a Pareto curve, hostile text in the name and the details."""
    return make_report(
        pack,
        mosque,
        site_name=HOSTILE_NAME,
        capex_budget=20_000,
        opex_budget=60_000,
        pareto_points=3,
        site_details={"Address": "<img src=x onerror=alert(1)>", "@Operator": "-2+3"},
    )


@pytest.fixture(scope="session")
def plain_report(pack: RiskPack, mosque: AssessmentInput) -> SiteReport:
    """No budget: no plan."""
    return make_report(pack, mosque)
