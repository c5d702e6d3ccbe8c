"""Every API route: anonymous callers get 401 problem+json (except the few public ones),
and every list endpoint stays within a query budget however many rows exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.conftest import World
from tests.web.helpers import assert_problem, token_client

PUBLIC = {"/api/v1/auth/token/", "/api/v1/schema/", "/api/v1/docs/"}


def api_routes() -> list[str]:
    """Concrete example URLs for every route under /api/v1/ (ids replaced by 1)."""
    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                out.append(prefix + route)

    walk(get_resolver().url_patterns, "/")
    urls = set()
    for raw in out:
        if not raw.startswith("/api/v1/") or "format" in raw:
            continue
        url = re.sub(r"\(\?P<\w+>[^)]*\)|<(?:\w+:)?\w+>", "1", raw)  # path parameters
        urls.add(url.replace("^", "").replace("$", "").replace("\\.", "."))
    return sorted(urls)


def test_route_discovery_finds_the_api() -> None:
    routes = api_routes()
    assert "/api/v1/sites/" in routes
    assert "/api/v1/sites/1/" in routes
    assert "/api/v1/sites/1/archive/" in routes
    assert "/api/v1/users/" in routes
    assert "/api/v1/engineering-studies/1/" in routes


@pytest.mark.parametrize("url", [u for u in api_routes() if u not in PUBLIC])
def test_every_non_public_route_denies_anonymous(db: None, url: str) -> None:
    client = APIClient()
    for method in ["get", "post", "patch"]:
        response = getattr(client, method)(url, {}, format="json")
        if response.status_code == 405:
            continue
        assert_problem(response, 401)


LISTS = [
    "/api/v1/sites/",
    "/api/v1/organisations/",
    "/api/v1/users/",
    "/api/v1/regions/",
    "/api/v1/engineering-studies/",
    "/api/v1/intel-datasets/",
    "/api/v1/exercises/",
    "/api/v1/exercise-injects/",
    "/api/v1/corrective-actions/",
    "/api/v1/training-requests/",
    "/api/v1/courses/",
    "/api/v1/action-plans/",
]


def _grow(world: World, n: int) -> None:
    from placeguard.web.orgs.services import create_organisation, create_user
    from placeguard.web.sites.services import import_sites
    from tests.conftest import site_raw

    import_sites([site_raw(name=f"S{i}", tags=[f"t{i}"]) for i in range(n)], actor=None)
    for i in range(n):
        org = create_organisation(actor=None, regions=[world.regions["north-a"]], slug=f"o{i}",
                                  name=f"Org {i}", kind="OPERATOR", country_code="XM")  # fmt: skip
        create_user(actor=None, username=f"u{i}", organisation=world.orgs["mall-co"] if i % 2 else org,
                    roles=["READER", "REPORTER"])  # fmt: skip


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("persona", ["platform_admin", "mall_admin", "police_n"])
def test_list_endpoints_have_a_query_budget(
    world: World, url: str, persona: str, django_assert_max_num_queries: Any
) -> None:
    client = token_client(world.users[persona])
    _grow(world, 25)
    with django_assert_max_num_queries(9):
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
