"""Incident-data threat likelihoods replace a scenario's threat factor, with the link explained."""

from __future__ import annotations

import dataclasses
import math

import pytest

from placeguard.content import load_risk_pack
from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.intel_threat import ThreatLikelihood, threat_links, threat_rates
from placeguard.engines.risk.model import THREAT_MULTIPLIER

PACK = load_risk_pack()
SITE = SiteProfile(site_type="place_of_worship", capacity=800, symbolic=1)
ANSWERS = {"GOV-01": 2}
PROV = "GTD 0718dist, 2012–2017, Western Europe; collection breaks 1998, 2008, 2012"


def by_id(result: object) -> dict[str, object]:
    return {s.scenario: s for s in result.scenarios}  # type: ignore[attr-defined]


def _likelihood(**kw: object) -> ThreatLikelihood:
    base: dict[str, object] = {"scenario": "firearms", "rate": 12.0, "low": 8.0, "high": 18.0,
                                   "exposure_share": 1e-3, "provenance": PROV, "horizon": 5.0}  # fmt: skip
    base.update(kw)
    return ThreatLikelihood(**base)  # type: ignore[arg-type]


def test_data_rate_replaces_base_rate_and_threat_level_but_keeps_attractiveness() -> None:
    plain = by_id(assess(PACK, SITE, ANSWERS, threat_level=4))
    site = dataclasses.replace(SITE, intel=(_likelihood(),))
    result = by_id(assess(PACK, site, ANSWERS, threat_level=4))
    firearms = result["firearms"]
    attract = 1 + 0.5 * SITE.symbolic
    assert firearms.threat == pytest.approx(12.0 * 1e-3 * attract)  # type: ignore[attr-defined]
    # V and C untouched; R scales with T
    before = plain["firearms"]
    assert firearms.vulnerability == before.vulnerability  # type: ignore[attr-defined]
    assert firearms.consequence == before.consequence  # type: ignore[attr-defined]
    ratio = firearms.threat / before.threat  # type: ignore[attr-defined]
    assert firearms.risk == pytest.approx(before.risk * ratio)  # type: ignore[attr-defined]
    # the interval follows the data interval (low corner uses the data's low rate)
    assert firearms.risk_low == pytest.approx(  # type: ignore[attr-defined]
        before.risk_low * (8.0 * 1e-3 * attract) / _pack_rate("firearms", 0, 4, attract)  # type: ignore[attr-defined]
    )
    # other scenarios keep the pack's figures
    assert result["arson"].threat == plain["arson"].threat  # type: ignore[attr-defined]
    reason = firearms.adjustments[0]  # type: ignore[attr-defined]
    assert PROV in reason and "12 attacks per year" in reason and "0.012 attempts" in reason
    p = -math.expm1(-0.012 * 5)
    assert f"{p:.1%}" in reason


def _pack_rate(scenario: str, corner: int, level: int, attract: float) -> float:
    spec = next(s for s in PACK.scenarios if s.id == scenario)
    triple = spec.base_rate.get(SITE.site_type, spec.base_rate["default"])
    return min(triple[corner] * THREAT_MULTIPLIER[level] * attract, 1.0)


def test_no_likelihoods_change_nothing_and_unknown_scenarios_are_ignored() -> None:
    assert threat_rates(PACK, threat_links(PACK, "venue", ())) is None
    links = threat_links(PACK, "venue", (_likelihood(scenario="no_such_scenario"),))
    assert links == () and threat_rates(PACK, links) is None
    plain = assess(PACK, SITE, ANSWERS).as_dict()
    same = assess(PACK, dataclasses.replace(SITE, intel=()), ANSWERS).as_dict()
    assert plain == same


def test_threat_rates_are_in_pack_order_with_nan_elsewhere() -> None:
    rates = threat_rates(PACK, threat_links(PACK, "venue", (_likelihood(),)))
    assert rates is not None and rates.shape == (len(PACK.scenarios), 3)
    k = PACK.scenario_ids.index("firearms")
    assert rates[k].tolist() == pytest.approx([0.008, 0.012, 0.018])
    assert int((~__import__("numpy").isnan(rates[:, 0])).sum()) == 1


@pytest.mark.parametrize(
    "bad", [{"low": 20.0}, {"exposure_share": 0.0}, {"exposure_share": 2.0}, {"horizon": 0.0}]
)
def test_invalid_likelihoods_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|need"):
        _likelihood(**bad)


def test_assessment_files_carry_likelihoods_and_report_every_bad_field() -> None:
    from placeguard.core.errors import ValidationError
    from placeguard.engines.risk.inputs import parse_assessment_input

    good = {"scenario": "firearms", "rate": 12, "low": 8, "high": 18, "exposure_share": 0.001,
            "provenance": PROV, "horizon": 5}  # fmt: skip
    data = {"site": {"type": "place_of_worship", "capacity": 800}, "answers": ANSWERS,
            "intel": [good]}  # fmt: skip
    parsed = parse_assessment_input(data, PACK)
    assert parsed.profile.intel == (_likelihood(),)
    bad = [
        dict(good, scenario="nope"),
        dict(good, rate="x", provenance=""),
        dict(good, scenario="arson", low=30),
        dict(good, scenario="vbied", extra=1),
        dict(good, scenario="pbied"),
        dict(good, scenario="pbied"),
    ]
    with pytest.raises(ValidationError) as info:
        parse_assessment_input({**data, "intel": bad}, PACK)
    paths = {e.field for e in info.value.errors}
    assert {"intel.0.scenario", "intel.1.rate", "intel.1.provenance", "intel.2",
            "intel.3.extra", "intel.5.scenario"} <= paths  # fmt: skip
