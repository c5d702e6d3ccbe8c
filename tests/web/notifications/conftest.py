"""Notification fixtures: the sharing world, every persona with an e-mail address but one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from placeguard.web.notifications.targets import Target
from tests.conftest import World
from tests.web.sharing.conftest import build_sharing_world

#: The persona left without an e-mail address (gets in-app notifications only).
NO_EMAIL = "hotel_reader"
PUBLIC_IP = "93.184.216.34"


@pytest.fixture
def nworld(db: None) -> World:
    """The sharing world; every persona has ``<username>@example.org`` except :data:`NO_EMAIL`."""
    w = build_sharing_world()
    for name, user in w.users.items():
        user.email = "" if name == NO_EMAIL else f"{name}@example.org"
        user.save(update_fields=["email"])
    return w


class FakeTransport:
    """Records every webhook POST and answers with the next queued status (200 by default)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.statuses: list[int | Exception] = []

    def __call__(
        self, target: Target, body: bytes, headers: Mapping[str, str], *, timeout: float
    ) -> int:
        self.calls.append({"target": target, "body": body, "headers": dict(headers)})
        answer = self.statuses.pop(0) if self.statuses else 200
        if isinstance(answer, Exception):
            raise answer
        return answer


#: The transport named by the PLACEGUARD_WEBHOOK_TRANSPORT setting in tests that go through
#: the task (immediate backend); reset by the ``fake_transport`` fixture.
GLOBAL_TRANSPORT = FakeTransport()


def public_resolver(host: str, port: int) -> list[str]:
    """A resolver answering one public address for any name (no DNS in tests)."""
    return [PUBLIC_IP]


@pytest.fixture
def fake_transport(settings: Any, monkeypatch: pytest.MonkeyPatch) -> FakeTransport:
    """Route the default transport to a fake and the resolver to a public address."""
    GLOBAL_TRANSPORT.calls.clear()
    GLOBAL_TRANSPORT.statuses.clear()
    settings.PLACEGUARD_WEBHOOK_TRANSPORT = "tests.web.notifications.conftest.GLOBAL_TRANSPORT"
    monkeypatch.setattr("placeguard.web.notifications.targets.resolve_host", public_resolver)
    return GLOBAL_TRANSPORT
