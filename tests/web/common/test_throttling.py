"""API rate limits (catalogue 69): one bucket per API token, else per signed-in user, else per
address; 429 problem+json with Retry-After; generous defaults, tiny rates set per test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve
from rest_framework.test import APIClient

from placeguard.web.common.throttling import ApiRateThrottle, parse_rate
from tests.conftest import World
from tests.web.common.test_routes import api_routes
from tests.web.helpers import assert_problem, token_client

ME = "/api/v1/me/"
DOCS = "/api/v1/docs/"  # public: anonymous callers reach it
LOGIN = "/api/v1/auth/token/"  # keeps its own, stricter sign-in throttle


def _statuses(client: APIClient, url: str, n: int, **extra: Any) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(n)]


def test_each_token_has_its_own_bucket_and_429_says_when_to_retry(
    world: World, settings: Any
) -> None:
    settings.PLACEGUARD_API_RATE_USER = "3/min"
    user = world.users["mall_admin"]
    first = token_client(user)
    assert _statuses(first, ME, 3) == [200, 200, 200]
    refused = first.get(ME)
    body = assert_problem(refused, 429, "throttled")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in body["title"].lower()
    # Another token of the same user, the user's browser session and another user go on.
    assert token_client(user).get(ME).status_code == 200
    session = APIClient()
    session.force_login(user)
    assert session.get(ME).status_code == 200
    assert token_client(world.users["hotel_admin"]).get(ME).status_code == 200
    assert first.get(ME).status_code == 429  # still refused


def test_a_signed_in_user_has_one_bucket_across_sessions(world: World, settings: Any) -> None:
    settings.PLACEGUARD_API_RATE_USER = "2/min"
    browser, laptop = APIClient(), APIClient()
    browser.force_login(world.users["mall_admin"])
    laptop.force_login(world.users["mall_admin"])
    assert _statuses(browser, ME, 2) == [200, 200]
    assert_problem(laptop.get(ME), 429, "throttled")
    other = APIClient()
    other.force_login(world.users["mall_reader"])
    assert other.get(ME).status_code == 200


def test_anonymous_callers_are_limited_per_address(db: None, settings: Any) -> None:
    settings.PLACEGUARD_API_RATE_ANON = "2/min"
    settings.PLACEGUARD_API_RATE_USER = "1000/min"
    client = APIClient()
    here = {"REMOTE_ADDR": "203.0.113.7"}
    assert _statuses(client, DOCS, 2, **here) == [200, 200]
    refused = client.get(DOCS, **here)  # an HTML page: the 429 is not problem+json here
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert client.get(DOCS, REMOTE_ADDR="203.0.113.8").status_code == 200  # another address


def test_the_window_slides(world: World, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PLACEGUARD_API_RATE_USER = "2/min"
    clock = [1_000_000.0]
    monkeypatch.setattr(ApiRateThrottle, "timer", staticmethod(lambda: clock[0]))
    client = token_client(world.users["mall_admin"])
    assert _statuses(client, ME, 3) == [200, 200, 429]
    clock[0] += 30
    refused = client.get(ME)
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 30
    clock[0] += 31  # the first two requests leave the one-minute window
    assert _statuses(client, ME, 3) == [200, 200, 429]


def test_default_rates_are_generous(settings: Any) -> None:
    """The suite and normal use never meet the limits; the defaults are the documented ones."""
    from placeguard.web.common import throttling

    assert parse_rate(throttling.DEFAULT_USER_RATE) == (1200, 60)
    assert parse_rate(throttling.DEFAULT_ANON_RATE) == (120, 60)
    user = parse_rate(settings.PLACEGUARD_API_RATE_USER)
    assert user[0] / user[1] >= 1200 / 60


def test_parse_rate_is_strict() -> None:
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("10/minute") == (10, 60)
    assert parse_rate(" 7 / hour ") == (7, 3600)
    assert parse_rate("100/day") == (100, 86400)
    for bad in ["", "100", "0/min", "-1/min", "ten/min", "5/fortnight", "5/min/extra"]:
        with pytest.raises(ImproperlyConfigured):
            parse_rate(bad, setting="PLACEGUARD_API_RATE_USER")


def test_every_api_view_is_rate_limited() -> None:
    """A view that replaces ``throttle_classes`` must keep the API limit (sign-in excepted)."""
    unthrottled = []
    for url in api_routes():
        view: Any = getattr(resolve(url).func, "cls", None)
        if view is None or url == LOGIN:
            continue
        if ApiRateThrottle not in list(view.throttle_classes):
            unthrottled.append(url)
    assert unthrottled == []
