"""Incidents in the STIX export: only visible ones, located only at exported sites."""

from __future__ import annotations

from typing import Any

from placeguard.core.interchange import stix
from placeguard.core.vocab import TLP
from placeguard.web.incidents.queries import incidents_visible_to
from placeguard.web.interchange import services
from tests.conftest import World
from tests.web.incidents.conftest import shared_incident

PERSONAS = ["police_n", "police_s", "mall_admin", "mall_reader", "hotel_reader", "guard_pub",
            "ministry", "platform_admin"]  # fmt: skip


def _incidents(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in bundle["objects"] if o["type"] == "incident"}


def _located_at(bundle: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (o["source_ref"], o["target_ref"])
        for o in bundle["objects"]
        if o["type"] == "relationship" and o["relationship_type"] == "located-at"
    }


def test_incident_export_follows_visibility(iworld: World) -> None:
    incident = shared_incident(iworld)  # AMBER, Police North → Mall Co, at mall_north
    inc_id = stix.stix_id(services.instance_namespace(), "incident", incident.pk)
    seen = set()
    for persona in PERSONAS:
        user = iworld.users[persona]
        visible = incidents_visible_to(user).filter(pk=incident.pk, is_stub=False).exists()
        bundle = services.export_for(user, max_tlp=TLP.RED, fmt="stix").document
        assert (inc_id in _incidents(bundle)) is visible, persona
        seen.add(visible)
    assert seen == {True, False}  # both cases were exercised


def test_incident_is_located_only_at_exported_sites(iworld: World) -> None:
    incident = shared_incident(iworld)
    ns = services.instance_namespace()
    inc_id = stix.stix_id(ns, "incident", incident.pk)
    site_id = stix.stix_id(ns, "site", iworld.sites["mall_north"].pk)
    police = iworld.users["police_n"]

    amber = services.export_for(police, max_tlp=TLP.AMBER, fmt="stix").document
    assert _incidents(amber)[inc_id]["name"] == incident.title
    assert not _located_at(amber)  # sites are AMBER+STRICT: left out, so never referenced

    strict = services.export_for(police, max_tlp=TLP.AMBER_STRICT, fmt="stix").document
    assert (inc_id, site_id) in _located_at(strict)


def test_incident_above_max_tlp_or_with_caveat_is_left_out(iworld: World) -> None:
    amber = shared_incident(iworld)
    caveated = shared_incident(
        iworld, title="LE-sensitive", orgs=[iworld.orgs["police-south"].pk], le_only=True
    )
    ns = services.instance_namespace()
    police = iworld.users["police_n"]

    green = services.export_for(police, max_tlp=TLP.GREEN, fmt="stix").document
    assert stix.stix_id(ns, "incident", amber.pk) not in _incidents(green)

    red = services.export_for(police, max_tlp=TLP.RED, fmt="stix").document
    assert stix.stix_id(ns, "incident", amber.pk) in _incidents(red)
    assert stix.stix_id(ns, "incident", caveated.pk) not in _incidents(red)
