"""Shared fixtures: a small world of organisations, personas and sites built through services.

Personas (Healthchecks' alice/bob/charlie, widened to PlaceGuard's organisation kinds):

=================  ===================  ==========================================
fixture key        organisation          roles
=================  ===================  ==========================================
police_n           Police North (LE)     ANALYST, PUBLISHER — jurisdiction north-a, north-b
police_n_reader    Police North          READER
police_s           Police South (LE)     ANALYST, PUBLISHER — jurisdiction south-a
rogue_police       Unvetted Police       ANALYST — jurisdiction north-a, *not vetted*
ministry           Ministry (AUTHORITY)  ANALYST — whole country XM
mall_admin         Mall Co (OPERATOR)    ANALYST, ORG_ADMIN
mall_reader        Mall Co               READER
hotel_admin        Hotel Co (OPERATOR)   ANALYST, ORG_ADMIN
programme          Programme (PROGRAMME) ANALYST
platform_admin     Platform (PROGRAMME)  PLATFORM_ADMIN
=================  ===================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    """Everything the fixture built, by short name."""

    regions: dict[str, Any] = field(default_factory=dict)
    orgs: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    sites: dict[str, Any] = field(default_factory=dict)


def site_raw(**overrides: Any) -> dict[str, Any]:
    """A valid site input; override any field."""
    raw: dict[str, Any] = {
        "name": "Test Site",
        "site_type": "retail",
        "address": "1 Market Street",
        "region": "north-a",
        "latitude": 43.0,
        "longitude": -29.0,
        "capacity": 1200,
        "time_zone": "Atlantic/Azores",
        "operator": "mall-co",
        "tags": ["crowded-place"],
        "time_profile": {"weekly": {"mon": [["09:00", "21:00"]]}},
    }
    raw.update(overrides)
    return raw


def build_world() -> World:
    """Create the world through the services (so every write is audited like real use)."""
    from placeguard.web.orgs import services as orgs
    from placeguard.web.sites import services as sites

    w = World()
    for code, lat, lon in [
        ("north-a", 43.0, -29.0),
        ("north-b", 43.0, -27.0),
        ("south-a", 41.0, -29.0),
    ]:
        w.regions[code] = orgs.create_region(
            actor=None, code=code, name=code.title(), country_code="XM", latitude=lat, longitude=lon
        )
    r = w.regions
    specs = [
        ("police-north", "Police North", "LAW_ENFORCEMENT", [r["north-a"], r["north-b"]], True),
        ("police-south", "Police South", "LAW_ENFORCEMENT", [r["south-a"]], True),
        ("rogue-police", "Unvetted Police", "LAW_ENFORCEMENT", [r["north-a"]], False),
        ("ministry", "Ministry", "AUTHORITY", [], True),
        ("mall-co", "Mall Co", "OPERATOR", [], True),
        ("hotel-co", "Hotel Co", "OPERATOR", [], True),
        ("programme", "Programme", "PROGRAMME", [], True),
        ("platform", "Platform", "PROGRAMME", [], True),
    ]
    for slug, name, kind, regions, vetted in specs:
        w.orgs[slug] = orgs.create_organisation(
            actor=None,
            regions=regions,
            slug=slug,
            name=name,
            kind=kind,
            country_code="XM",
            vetted=vetted,
        )
    people = [
        ("police_n", "police-north", ["ANALYST", "PUBLISHER"]),
        ("police_n_reader", "police-north", ["READER"]),
        ("police_s", "police-south", ["ANALYST", "PUBLISHER"]),
        ("rogue_police", "rogue-police", ["ANALYST"]),
        ("ministry", "ministry", ["ANALYST"]),
        ("mall_admin", "mall-co", ["ANALYST", "ORG_ADMIN"]),
        ("mall_reader", "mall-co", ["READER"]),
        ("hotel_admin", "hotel-co", ["ANALYST", "ORG_ADMIN"]),
        ("programme", "programme", ["ANALYST"]),
        ("platform_admin", "platform", ["PLATFORM_ADMIN"]),
    ]
    for username, org, roles in people:
        w.users[username] = orgs.create_user(
            actor=None, username=username, organisation=w.orgs[org], roles=roles, password=PASSWORD
        )
    for key, name, region, operator, lon in [
        ("mall_north", "North Mall", "north-a", "mall-co", -29.0),
        ("mall_south", "South Mall", "south-a", "mall-co", -29.0),
        ("hotel_north", "North Hotel", "north-b", "hotel-co", -27.0),
        ("hotel_south", "South Hotel", "south-a", "hotel-co", -28.5),
    ]:
        lat = 43.0 if region.startswith("north") else 41.0
        w.sites[key] = sites.create_site(
            site_raw(
                name=name,
                region=region,
                operator=operator,
                latitude=lat,
                longitude=lon,
                site_type="retail" if operator == "mall-co" else "hospitality",
            ),
            actor=None,
        )
    return w


@pytest.fixture
def world(db: None) -> World:
    """The shared small world (see module docstring)."""
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Login throttling counts live in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
