"""R0 end to end: with two-factor required, only a session that passed the TOTP step reads
shared items above TLP:CLEAR; CLEAR items stay readable either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from placeguard.web.sharing import services
from tests.conftest import PASSWORD, World
from tests.web.orgs.conftest import Clock, clock, enrol
from tests.web.sharing.conftest import bulletin_raw

pytestmark = pytest.mark.django_db
__all__ = ["clock"]  # the fixture, imported for this module


def _published(w: World, tlp: str) -> Any:
    author = w.users["police_n"]
    draft = services.create_bulletin(
        bulletin_raw(title=f"{tlp} bulletin", tlp=tlp, orgs=[w.orgs["mall-co"].pk]), actor=author
    )
    return services.publish_bulletin(draft, actor=author)


def _titles(client: Client) -> set[str]:
    response = client.get("/api/v1/bulletins/")
    assert response.status_code == 200
    return {row["title"] for row in response.json()["results"]}


def test_sessions_without_the_second_factor_read_clear_only(
    sworld: World, clock: Clock, settings: Any
) -> None:
    _published(sworld, "clear")  # written before the switch: writes above CLEAR need 2FA too
    _published(sworld, "amber")
    settings.PLACEGUARD_SHARING_REQUIRE_2FA = True
    password_only = Client()
    password_only.force_login(sworld.users["mall_admin"])
    assert _titles(password_only) == {"clear bulletin"}

    enrolled = enrol(sworld.users["mall_admin"], clock)
    verified = Client()
    assert verified.post("/login/", {"username": "mall_admin", "password": PASSWORD}).status_code
    assert verified.post("/login/verify/", {"code": enrolled.code(clock)}).status_code == 302
    assert _titles(verified) == {"clear bulletin", "amber bulletin"}
    # The enrolled user's other, password-only session still did not pass the second factor.
    assert _titles(password_only) == {"clear bulletin"}


def test_the_requirement_off_lets_signed_in_users_read_by_tlp_rules(
    sworld: World, settings: Any
) -> None:
    settings.PLACEGUARD_SHARING_REQUIRE_2FA = False
    _published(sworld, "amber")
    client = Client()
    client.force_login(sworld.users["mall_admin"])
    assert _titles(client) == {"amber bulletin"}
