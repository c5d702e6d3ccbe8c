"""Interchange fixtures: the sharing world (tests/web/sharing/conftest.py) with bulletins of
every level, addressed in every way, plus a caveated, a withdrawn and a draft bulletin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.web.sharing.conftest import build_sharing_world, bulletin_raw

EVERYONE = ["READER", "REPORTER", "ANALYST", "PUBLISHER", "ORG_ADMIN"]


def _live(b: Any) -> Any:
    """Publish ``b`` directly (a broadcast needs a second publisher the world does not have)."""
    from django.utils import timezone

    from placeguard.web.sharing.models import Bulletin

    Bulletin.objects.filter(pk=b.pk).update(status="published", published_at=timezone.now())
    b.refresh_from_db()
    return b


def build_interchange_world() -> World:
    """The sharing world plus ``w.bulletins`` by short name (see the module docstring)."""
    from placeguard.web.sharing import services

    w = build_sharing_world()
    police, mall = w.users["police_n"], w.users["mall_admin"]
    mall_co, police_s = w.orgs["mall-co"].pk, w.orgs["police-south"].pk
    north = w.groups["north"].pk  # type: ignore[attr-defined]
    specs: list[tuple[str, Any, dict[str, Any], bool]] = [
        ("clear_public", police, {"tlp": "clear", "audience_public": True}, True),
        ("green_community", police, {"tlp": "green", "audience_community": True}, True),
        ("amber_mall", police, {"tlp": "amber", "orgs": [mall_co], "need_to_know": EVERYONE}, True),
        ("strict_north", police, {"tlp": "amber+strict", "groups": [north]}, True),
        ("red_mall_admin", police, {"tlp": "red", "users": [mall.pk]}, True),
        ("le_only", police, {"tlp": "amber", "orgs": [police_s], "le_only": True}, True),
        (
            "pii_mall",
            police,
            {"tlp": "amber", "orgs": [mall_co], "pii": True, "need_to_know": EVERYONE},
            True,
        ),
        ("draft_police", police, {"tlp": "green"}, False),
        ("mall_own", mall, {"tlp": "amber"}, True),
        ("withdrawn", police, {"tlp": "amber", "orgs": [mall_co], "need_to_know": EVERYONE}, True),
    ]
    w.bulletins = {}  # type: ignore[attr-defined]
    for key, author, fields, live in specs:
        raw = bulletin_raw(title=f"B {key}", **fields)
        b = services.create_bulletin(raw, actor=author)
        w.bulletins[key] = _live(b) if live else b  # type: ignore[attr-defined]
    services.withdraw_bulletin(w.bulletins["withdrawn"], reason="Superseded.", actor=police)  # type: ignore[attr-defined]
    return w


@pytest.fixture
def iworld(db: None) -> World:
    """The interchange world."""
    return build_interchange_world()
