"""The demo's two-factor persona: a fixed, published key that logs in through the code step."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client
from typer.testing import CliRunner

from placeguard.core.errors import PermissionDeniedError
from placeguard.web.orgs import services, twofactor
from placeguard.web.orgs.demo import DEMO_TOTP_SECRET, DEMO_TOTP_USERNAME, load, login_note
from placeguard.web.orgs.models import User
from tests.conftest import PASSWORD, World
from tests.web.orgs.conftest import Clock


def test_demo_persona_logs_in_with_the_published_key(world: World, clock: Clock) -> None:
    user = world.users["mall_reader"]
    User.objects.filter(pk=user.pk).update(username=DEMO_TOTP_USERNAME)
    load()
    assert twofactor.has_confirmed_totp(user)
    client = Client()
    first = client.post("/login/", {"username": DEMO_TOTP_USERNAME, "password": PASSWORD})
    assert first["Location"] == "/login/verify/"
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now)
    assert client.post("/login/verify/", {"code": code})["Location"] == "/"
    # allowed case for everyone else: no code step
    other = Client().post("/login/", {"username": "hotel_admin", "password": PASSWORD})
    assert other["Location"] == "/"


def test_no_person_sets_a_known_key(world: World) -> None:
    user = world.users["mall_reader"]
    with pytest.raises(PermissionDeniedError):
        services.enrol_totp_with_secret(user, DEMO_TOTP_SECRET, actor=world.users["mall_admin"])
    assert not twofactor.has_confirmed_totp(user)


def test_demo_logins_prints_the_key() -> None:
    from placeguard.cli.main import app

    result = CliRunner().invoke(app, ["demo", "logins"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert DEMO_TOTP_SECRET in result.output and DEMO_TOTP_USERNAME in result.output
    assert DEMO_TOTP_SECRET in login_note()
