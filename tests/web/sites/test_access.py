"""Site visibility: ``visible_to`` against an independent, naive oracle of the written rules."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.sites.access import visible_to
from placeguard.web.sites.models import Site
from tests.conftest import World


def oracle_can_view(user: Any, site: Site) -> bool:  # noqa: PLR0911 - one return per rule
    """The rules of docs/registry.md#visibility, written out one by one without the ORM."""
    if not user.is_active or user.organisation is None or not user.organisation.active:
        return False
    org = user.organisation
    if site.operator_id == org.id:
        return True
    if not org.vetted:
        return False
    if org.kind == "LAW_ENFORCEMENT":
        in_region = site.region_id in {r.id for r in org.regions.all()}
        named = org.id in {o.id for o in site.responsible_le.all()}
        return in_region or named
    if org.kind == "AUTHORITY":
        own = {r.id for r in org.regions.all()}
        if own:
            return site.region_id in own
        return site.region.country_code == org.country_code
    return False


def test_every_persona_sees_exactly_what_the_oracle_allows(world: World) -> None:
    sites = list(Site.objects.all())
    for user in world.users.values():
        expected = {s.pk for s in sites if oracle_can_view(user, s)}
        assert set(visible_to(user).values_list("pk", flat=True)) == expected, user.username


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("police_n", {"mall_north", "hotel_north"}),
        ("police_n_reader", {"mall_north", "hotel_north"}),
        ("police_s", {"mall_south", "hotel_south"}),
        ("rogue_police", set()),
        ("ministry", {"mall_north", "mall_south", "hotel_north", "hotel_south"}),
        ("mall_admin", {"mall_north", "mall_south"}),
        ("mall_reader", {"mall_north", "mall_south"}),
        ("hotel_admin", {"hotel_north", "hotel_south"}),
        ("programme", set()),
        ("platform_admin", set()),
    ],
)
def test_persona_visibility_by_hand(world: World, persona: str, expected: set[str]) -> None:
    seen = set(visible_to(world.users[persona]).values_list("pk", flat=True))
    assert seen == {world.sites[k].pk for k in expected}


def test_naming_a_force_responsible_makes_the_site_visible_to_it(world: World) -> None:
    from placeguard.web.sites.services import update_site

    site = world.sites["mall_south"]
    assert not visible_to(world.users["police_n"]).filter(pk=site.pk).exists()
    update_site(site, {"responsible_le": ["police-south", "police-north"]}, actor=None)
    assert visible_to(world.users["police_n"]).filter(pk=site.pk).exists()


def test_responsible_forces_default_to_the_region_jurisdiction(world: World) -> None:
    mall = world.sites["mall_north"]  # north-a: two forces cover it, one unvetted
    assert sorted(o.slug for o in mall.responsible_le.all()) == ["police-north", "rogue-police"]
    hotel = world.sites["hotel_north"]  # north-b: only police-north
    assert [o.slug for o in hotel.responsible_le.all()] == ["police-north"]


def test_deactivated_user_and_org_see_nothing(world: World) -> None:
    from placeguard.web.orgs.services import update_organisation, update_user

    user = world.users["mall_admin"]
    assert visible_to(user).exists()
    update_organisation(world.orgs["mall-co"], actor=None, active=False)
    user.refresh_from_db()
    assert not visible_to(user).exists()
    update_organisation(world.orgs["mall-co"], actor=None, active=True)
    user.refresh_from_db()
    update_user(user, actor=None, is_active=False)
    assert not visible_to(user).exists()


def test_anonymous_sees_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not visible_to(AnonymousUser()).exists()


def test_visible_to_has_no_duplicates_when_a_site_matches_two_rules(world: World) -> None:
    from placeguard.web.sites.services import update_site

    # north-b is in police-north's jurisdiction *and* it is named responsible: one row only.
    update_site(world.sites["hotel_north"], {"responsible_le": ["police-north"]}, actor=None)
    rows = list(visible_to(world.users["police_n"]).values_list("pk", flat=True))
    assert len(rows) == len(set(rows)) == 2
