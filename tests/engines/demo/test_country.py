"""The demo generator: deterministic, complete, realistic, and valid as importer input."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from placeguard.core.timeprofile import TimeProfile
from placeguard.core.vocab import OrgKind, SiteType
from placeguard.engines.demo import generate

LOGINS = {"admin", "police.north", "police.south", "ministry", "mall.security", "hotel.security",
          "worship.warden", "stadium.security", "programme.officer"}  # fmt: skip


def test_same_seed_same_country_and_different_seed_differs() -> None:
    assert generate(3, 50) == generate(3, 50)
    assert generate(3, 50).sites != generate(4, 50).sites


def test_every_site_type_and_the_persona_logins_exist() -> None:
    country = generate(7, 300)
    assert {s["site_type"] for s in country.sites} == {t.value for t in SiteType}
    assert {u.username for u in country.logins} == LOGINS
    kinds = Counter(o.kind for o in country.organisations)
    assert (
        kinds[OrgKind.LAW_ENFORCEMENT] == 2
        and kinds[OrgKind.AUTHORITY] == 1
        and kinds[OrgKind.PROGRAMME] >= 1
    )


def test_operator_personas_are_in_different_organisations_and_regions() -> None:
    country = generate(7, 300)
    orgs = {o.slug: o for o in country.organisations}
    leads = [
        u
        for u in country.logins
        if u.username.split(".")[0] in {"mall", "hotel", "worship", "stadium"}
    ]
    assert len({u.organisation for u in leads}) == 4
    assert len({orgs[u.organisation].regions[0] for u in leads}) >= 3


def test_capacities_follow_the_type_medians() -> None:
    sites = generate(11, 3000).sites

    def median(t: SiteType) -> float:
        values = sorted(s["capacity"] for s in sites if s["site_type"] == t.value)
        return values[len(values) // 2]

    assert median(SiteType.VENUE) > 5 * median(SiteType.PLACE_OF_WORSHIP)
    assert 200 <= median(SiteType.PLACE_OF_WORSHIP) <= 600
    assert all(s["capacity"] > 0 for s in sites)


def test_sites_lie_inside_their_region() -> None:
    country = generate(5, 500)
    boxes = {r.code: r.outline for r in country.regions}
    for site in country.sites:
        ring = boxes[site["region"]]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        assert min(lons) <= site["longitude"] <= max(lons)
        assert min(lats) <= site["latitude"] <= max(lats)


def test_time_profiles_validate_and_venues_open_for_events() -> None:
    for site in generate(9, 400).sites:
        profile = TimeProfile.from_json(site["time_profile"])
        if site["site_type"] == SiteType.VENUE:
            assert profile.events and profile.weekly_open_minutes() == 0


def test_negative_site_count_is_refused() -> None:
    with pytest.raises(ValueError, match="n_sites"):
        generate(1, -1)


@pytest.mark.django_db
def test_demo_load_command_loads_once_and_passes_audit() -> None:
    from placeguard.cli.main import app
    from placeguard.web.audit.services import verify_chain
    from placeguard.web.orgs.models import User
    from placeguard.web.sites.access import visible_to
    from placeguard.web.sites.models import Site

    runner = CliRunner()
    result = runner.invoke(app, ["demo", "load", "--sites", "60", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert Site.objects.count() == 60
    assert "police.north" in result.output
    again = runner.invoke(app, ["demo", "load", "--sites", "60"])
    assert again.exit_code == 1 and "empty" in again.output
    assert runner.invoke(app, ["demo", "load", "--if-empty"]).exit_code == 0
    assert verify_chain().ok
    north = visible_to(User.objects.get(username="police.north"))
    assert north.exists()
    assert set(north.values_list("region__code", flat=True)) <= {
        "northgate",
        "highmoor",
        "lakeshire",
    }
    mall = visible_to(User.objects.get(username="mall.security"))
    assert set(mall.values_list("operator__slug", flat=True)) == {"meridian-malls"}
    assert not visible_to(User.objects.get(username="admin")).exists()
