"""Payoffs derived from site data, with the explanation per site."""

from __future__ import annotations

import pytest

from placeguard.core.errors import ValidationError
from placeguard.engines.allocation.games import origami
from placeguard.engines.allocation.payoffs import SiteInput, derive_payoffs


def test_without_risk_the_site_type_sets_attractiveness() -> None:
    sites = [
        SiteInput(id="church", site_type="place_of_worship", capacity=400, typical_share=0.5),
        SiteInput(id="clinic", site_type="health", capacity=400, typical_share=0.5),
    ]
    d = derive_payoffs(sites, interdiction=0.6, casualty_rate=0.1)
    assert d.consequence.tolist() == pytest.approx([20.0, 20.0])
    assert d.payoffs.defender_uncovered.tolist() == pytest.approx([-20, -20])
    assert d.payoffs.defender_covered.tolist() == pytest.approx([-8, -8])
    assert d.payoffs.attacker_uncovered.tolist() == pytest.approx([20.0, 12.0])
    assert d.payoffs.attacker_covered.tolist() == pytest.approx([8.0, 4.8])
    assert "place_of_worship default attractiveness 1.00" in d.explanations[0]
    assert "capacity 400 × 0.5 present" in d.explanations[0]


def test_risk_makes_attractiveness_relative_likelihood() -> None:
    sites = [
        SiteInput(id="a", site_type="retail", capacity=0, consequence=10, risk=0.02),
        SiteInput(id="b", site_type="retail", capacity=0, consequence=5, risk=0.02),
    ]
    d = derive_payoffs(sites)
    assert d.attractiveness.tolist() == pytest.approx([0.5, 1.0])
    assert d.payoffs.attacker_uncovered.tolist() == pytest.approx([5.0, 5.0])  # ∝ risk
    assert "assessed risk 0.02/yr" in d.explanations[1]
    origami(d.payoffs, 1)  # a valid game


def test_overrides_replace_a_payoff_and_say_so() -> None:
    site = SiteInput(id="x", site_type="venue", capacity=1000, people=200,
                     overrides={"attacker_uncovered": 50.0})  # fmt: skip
    d = derive_payoffs([site])
    assert d.payoffs.attacker_uncovered[0] == 50
    assert "attacker_uncovered overridden to 50" in d.explanations[0]
    assert "200 people present" in d.explanations[0]


def test_every_bad_input_is_listed() -> None:
    sites = [
        SiteInput(id="a", site_type="venue", capacity=-1, typical_share=2),
        SiteInput(id="a", site_type="venue", capacity=10, overrides={"nonsense": 1}),
    ]
    with pytest.raises(ValidationError) as info:
        derive_payoffs(sites, interdiction=1.5)
    fields = {e.field for e in info.value.errors}
    assert fields == {"interdiction", "sites[a].capacity", "sites[a].typical_share",
                      "sites[a].id", "sites[a].overrides.nonsense"}  # fmt: skip


def test_overrides_that_make_cover_help_the_attacker_are_rejected() -> None:
    site = SiteInput(id="x", site_type="venue", capacity=100, overrides={"attacker_covered": 99})
    with pytest.raises(ValidationError) as info:
        derive_payoffs([site])
    assert info.value.errors[0].code == "covered_better"
