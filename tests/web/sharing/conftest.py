"""Sharing fixtures: the shared world plus a security provider, a community organisation and
two sharing groups, built through the services.

Extra personas (beside tests/conftest.py's):

================  ========================  =========================================
key               organisation              roles / links
================  ========================  =========================================
guard_pub         Guard Co (SEC. PROVIDER)  PUBLISHER; registered provider of Mall Co
guard_reader      Guard Co                  READER
faith_reader      Faith Council (COMMUNITY) READER
hotel_reader      Hotel Co                  READER
police_s_reader   Police South              READER
auditor           Ministry                  AUDITOR only (not a content reader, R10)
================  ========================  =========================================

Groups: ``north`` (owner Police North; members Hotel Co, Police South — Police South an
extender) and ``dormant`` (owner Police North, member Mall Co, inactive).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, World, build_world


def build_sharing_world() -> World:
    """The shared world plus the sharing extras (see the module docstring)."""
    from placeguard.web.orgs import services as orgs
    from placeguard.web.sharing import services

    w = build_world()
    for slug, name, kind in [
        ("guard-co", "Guard Co", "SECURITY_PROVIDER"),
        ("faith-council", "Faith Council", "COMMUNITY"),
    ]:
        w.orgs[slug] = orgs.create_organisation(
            actor=None, regions=[], slug=slug, name=name, kind=kind, country_code="XM", vetted=True
        )
    for username, org, roles in [
        ("guard_pub", "guard-co", ["PUBLISHER"]),
        ("guard_reader", "guard-co", ["READER"]),
        ("faith_reader", "faith-council", ["READER"]),
        ("hotel_reader", "hotel-co", ["READER"]),
        ("police_s_reader", "police-south", ["READER"]),
        ("auditor", "ministry", ["AUDITOR"]),
    ]:
        w.users[username] = orgs.create_user(
            actor=None, username=username, organisation=w.orgs[org], roles=roles, password=PASSWORD
        )
    services.link_provider(provider=w.orgs["guard-co"], client=w.orgs["mall-co"], actor=None)
    police = w.users["police_n"]
    north = services.create_group({"name": "North partners"}, actor=police)
    services.set_group_members(
        north,
        {w.orgs["hotel-co"].pk: False, w.orgs["police-south"].pk: True},
        actor=police,
    )
    dormant = services.create_group({"name": "Dormant"}, actor=police)
    services.set_group_members(dormant, {w.orgs["mall-co"].pk: False}, actor=police)
    services.update_group(dormant, {"active": False}, actor=police)
    w.groups = {"north": north, "dormant": dormant}  # type: ignore[attr-defined]
    return w


@pytest.fixture
def sworld(db: None) -> World:
    """The sharing world."""
    return build_sharing_world()


def bulletin_raw(**overrides: Any) -> dict[str, Any]:
    """A valid draft bulletin input; override any field."""
    raw: dict[str, Any] = {"title": "Hostile reconnaissance near malls", "body": "Be alert.",
                           "tlp": "amber"}  # fmt: skip
    raw.update(overrides)
    return raw
