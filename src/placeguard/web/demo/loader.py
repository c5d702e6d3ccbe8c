"""Write a generated :class:`~placeguard.engines.demo.DemoCountry` to the database."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from placeguard.core.errors import ConflictError
from placeguard.engines.demo import DEMO_PASSWORD, DemoCountry, generate
from placeguard.engines.demo.country import COUNTRY_CODE
from placeguard.web.orgs import services as org_services
from placeguard.web.orgs.models import Organisation, Region
from placeguard.web.sites import services as site_services

__all__ = ["database_is_empty", "load_demo"]


def database_is_empty() -> bool:
    """True when no organisation or region exists yet (a fresh install)."""
    return not Organisation.objects.exists() and not Region.objects.exists()


def load_demo(
    *,
    seed: int = 7,
    n_sites: int = 300,
    progress: Callable[[int], None] | None = None,
) -> DemoCountry:
    """Generate and write the demo country in one transaction.

    Everything goes through the services with ``actor=None`` (the system), so every record is
    validated and audited like user input. Refuses to run on a database that has data.
    """
    if not database_is_empty():
        msg = (
            "The database already has organisations or regions; "
            "the demo loads only into an empty one."
        )
        raise ConflictError(msg, code="not_empty")
    country = generate(seed, n_sites)
    with transaction.atomic():
        regions = {}
        for spec in country.regions:
            regions[spec.code] = org_services.create_region(
                actor=None,
                code=spec.code,
                name=spec.name,
                country_code=COUNTRY_CODE,
                latitude=spec.latitude,
                longitude=spec.longitude,
                outline=[list(p) for p in spec.outline],
            )
        orgs = {}
        for org in country.organisations:
            orgs[org.slug] = org_services.create_organisation(
                actor=None,
                regions=[regions[c] for c in org.regions],
                slug=org.slug,
                name=org.name,
                kind=org.kind.value,
                country_code=COUNTRY_CODE,
                vetted=org.vetted,
                description=org.description,
                contact_email=f"security@{org.slug}.example",
            )
        for user in country.users:
            org_services.create_user(
                actor=None,
                username=user.username,
                organisation=orgs[user.organisation],
                roles=[r.value for r in user.roles],
                password=DEMO_PASSWORD,
                first_name=user.first_name,
                last_name=user.last_name,
                email=f"{user.username}@{user.organisation}.example",
                validate=False,
            )
        site_services.import_sites(list(country.sites), actor=None, progress=progress)
    return country
