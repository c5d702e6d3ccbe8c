"""Practice fixtures: the sharing world plus a publisher of the programme office.

Extra persona (beside tests/web/sharing/conftest.py's): ``prog_pub`` of Programme (PROGRAMME),
PUBLISHER — the only kind of user who curates practices. ``programme`` (ANALYST of the same
organisation) writes but does not curate.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, World
from tests.web.sharing.conftest import build_sharing_world


def build_practice_world() -> World:
    """The sharing world plus ``prog_pub``."""
    from placeguard.web.orgs import services as orgs

    w = build_sharing_world()
    w.users["prog_pub"] = orgs.create_user(
        actor=None, username="prog_pub", organisation=w.orgs["programme"], roles=["PUBLISHER"],
        password=PASSWORD,
    )  # fmt: skip
    return w


@pytest.fixture
def pworld(db: None) -> World:
    """The practice world."""
    return build_practice_world()


def practice_raw(**overrides: Any) -> dict[str, Any]:
    """A valid draft practice input; override any field."""
    raw: dict[str, Any] = {
        "title": "Protect the queue",
        "body": "Move the bag search inside.",
        "kind": "practice",
        "site_types": ["retail"],
        "scenarios": ["vehicle_ramming"],
        "measures": ["QUEUE_PROTECTION"],
        "source": "exercise:3",
        "tlp": "amber",
    }
    raw.update(overrides)
    return raw
