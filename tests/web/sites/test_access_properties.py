"""Hypothesis: for random worlds, ``visible_to`` equals the naive oracle for every user.

Each example builds regions, organisations (random kinds, jurisdictions, vetting and active
flags), users and sites directly in the database inside a savepoint that is rolled back, so
examples do not see each other's data.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sites.access import visible_to
from placeguard.web.sites.models import Site
from tests.web.sites.test_access import oracle_can_view

KINDS = ["LAW_ENFORCEMENT", "AUTHORITY", "OPERATOR", "SECURITY_PROVIDER", "COMMUNITY", "PROGRAMME"]
N_REGIONS = 4

orgs_strategy = st.lists(
    st.fixed_dictionaries({
        "kind": st.sampled_from(KINDS),
        "country": st.sampled_from(["XA", "XB"]),
        "regions": st.sets(st.integers(0, N_REGIONS - 1), max_size=3),
        "vetted": st.booleans(),
        "active": st.booleans(),
        "user_active": st.booleans(),
    }),
    min_size=1, max_size=6,
)  # fmt: skip
sites_strategy = st.lists(
    st.fixed_dictionaries({
        "operator": st.integers(0, 5),
        "region": st.integers(0, N_REGIONS - 1),
        "responsible": st.sets(st.integers(0, 5), max_size=2),
    }),
    max_size=10,
)  # fmt: skip


class _RollbackError(Exception):
    pass


def org(kind: str, regions: set[int] | None = None, *, vetted: bool = True, active: bool = True,
        country: str = "XA") -> dict[str, Any]:  # fmt: skip
    return {"kind": kind, "country": country, "regions": regions or set(), "vetted": vetted,
            "active": active, "user_active": True}  # fmt: skip


# Each rule gets a deterministic example; the random search looks for everything else.
EVERY_RULE = [
    org("LAW_ENFORCEMENT", {0}),  # 0: jurisdiction r0
    org("LAW_ENFORCEMENT", {1}, vetted=False),  # 1: unvetted: jurisdiction and naming ignored
    org("AUTHORITY"),  # 2: whole country XA (r0, r1)
    org("AUTHORITY", {3}),  # 3: its own region only
    org("OPERATOR", active=False),  # 4: inactive: sees nothing, not even its own site
    org("SECURITY_PROVIDER", {0}),  # 5: named responsible but not police: nothing
]
EVERY_SITE = [
    {"operator": 4, "region": 0, "responsible": {1, 5}},
    {"operator": 4, "region": 1, "responsible": {0}},
    {"operator": 5, "region": 2, "responsible": set()},
    {"operator": 3, "region": 3, "responsible": {1}},
]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(orgs=EVERY_RULE, sites=EVERY_SITE)
@given(orgs=orgs_strategy, sites=sites_strategy)
def test_visible_to_matches_the_oracle(
    db: None, orgs: list[dict[str, Any]], sites: list[dict[str, Any]]
) -> None:
    try:
        with transaction.atomic():
            regions = [
                Region.objects.create(
                    code=f"r{i}", name=f"R{i}", country_code="XA" if i < 2 else "XB"
                )
                for i in range(N_REGIONS)
            ]
            made_orgs, users = [], []
            for i, spec in enumerate(orgs):
                org = Organisation.objects.create(
                    slug=f"o{i}", name=f"O{i}", kind=spec["kind"], country_code=spec["country"],
                    vetted=spec["vetted"], active=spec["active"],
                )  # fmt: skip
                org.regions.set([regions[r] for r in spec["regions"]])
                made_orgs.append(org)
                users.append(
                    User.objects.create(
                        username=f"u{i}", organisation=org, is_active=spec["user_active"]
                    )
                )
            for j, spec in enumerate(sites):
                site = Site.objects.create(
                    name=f"S{j}", site_type="retail", region=regions[spec["region"]], latitude=0,
                    longitude=0, capacity=1, operator=made_orgs[spec["operator"] % len(made_orgs)],
                )  # fmt: skip
                site.responsible_le.set(
                    [made_orgs[r % len(made_orgs)] for r in spec["responsible"]]
                )
            all_sites = list(Site.objects.all())
            for made in users:
                user = User.objects.select_related("organisation").get(pk=made.pk)
                expected = {s.pk for s in all_sites if oracle_can_view(user, s)}
                got = set(visible_to(user).values_list("pk", flat=True))
                assert got == expected, (user.organisation.kind, user.organisation.vetted)
            raise _RollbackError
    except _RollbackError:
        pass
