"""Allocation fixtures: the shared world plus Police North's teams, stations and more sites."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, site_raw


def build_force(world: World) -> World:
    """Add three north sites, two teams and a station of Police North (through services)."""
    from placeguard.web.allocation import services
    from placeguard.web.sites import services as sites

    police = world.orgs["police-north"]
    for key, name, site_type, region, lat, lon, capacity in [
        ("church", "North Church", "place_of_worship", "north-a", 43.02, -29.03, 400),
        ("square", "North Square", "public_space", "north-a", 42.98, -28.97, 6000),
        ("station_b", "North-B Station", "transport_hub", "north-b", 43.01, -27.02, 9000),
    ]:
        world.sites[key] = sites.create_site(
            site_raw(name=name, site_type=site_type, region=region, latitude=lat,
                     longitude=lon, capacity=capacity, operator="mall-co"),
            actor=None,
        )  # fmt: skip
    world.teams: dict[str, Any] = {}  # type: ignore[misc]
    world.teams["a"] = services.create_team(
        {"name": "Alpha", "districts": ["north-a"]}, actor=None, organisation=police
    )
    world.teams["roam"] = services.create_team(
        {"name": "Roamer", "districts": []}, actor=None, organisation=police
    )
    world.teams["south"] = services.create_team(
        {"name": "South One"}, actor=None, organisation=world.orgs["police-south"]
    )
    world.stations = {  # type: ignore[attr-defined]
        "hq": services.create_station(
            {"name": "North HQ", "latitude": 43.0, "longitude": -29.0},
            actor=None,
            organisation=police,
        ),
    }
    return world


@pytest.fixture
def force(world: World) -> World:
    """The shared world with Police North's allocation data."""
    return build_force(world)


def north_site_ids(world: World) -> list[int]:
    """The ids of every site Police North can plan for."""
    keys = ["mall_north", "hotel_north", "church", "square", "station_b"]
    return [world.sites[k].pk for k in keys]
