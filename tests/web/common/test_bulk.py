"""``insert_rows``: constant values bound once, batches, conflicts skipped, fields prepared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from placeguard.web.common import bulk
from placeguard.web.notifications.models import Notification
from tests.conftest import World

WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _constant() -> dict[str, Any]:
    return {"event": "test.event", "item_kind": "bulletin", "item_id": 7, "tlp": "amber",
            "title": "T", "body": "B", "url": "/x", "created": WHEN}  # fmt: skip


def test_rows_are_written_with_constants_and_varying_values(world: World) -> None:
    users = [world.users["mall_admin"].pk, world.users["police_n"].pk]
    assert bulk.insert_rows(Notification, _constant(), ["user"], [(u,) for u in users]) == 2
    rows = Notification.objects.order_by("user_id")
    assert sorted(r.user_id for r in rows) == sorted(users)
    assert {(r.event, r.item_id, r.title, r.created) for r in rows} == {
        ("test.event", 7, "T", WHEN)
    }


def test_batches_split_and_conflicts_are_skipped(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "_MAX_PARAMS", 10)  # ~2 rows per statement after the constants
    users = sorted(u.pk for u in world.users.values())
    rows = [(u,) for u in users]
    bulk.insert_rows(Notification, _constant(), ["user"], rows[:3], ignore_conflicts=True)
    bulk.insert_rows(Notification, _constant(), ["user"], rows, ignore_conflicts=True)
    got = sorted(Notification.objects.values_list("user_id", flat=True))
    assert got == users  # each once: the repeated three were skipped, the rest all written


def test_nothing_to_insert(world: World) -> None:
    assert bulk.insert_rows(Notification, _constant(), ["user"], []) == 0
    assert not Notification.objects.exists()
