"""The demo's reports cover every vetting state and are seen differently by the personas."""

from __future__ import annotations

import pytest

from placeguard.web.demo.loader import load_demo
from placeguard.web.orgs.models import User
from placeguard.web.sars import queries
from placeguard.web.sars.models import SuspiciousActivityReport


def _seen(username: str) -> set[str]:
    user = User.objects.select_related("organisation").get(username=username)
    return set(queries.sars_visible_to(user).values_list("status", flat=True))


def _identities(username: str) -> int:
    user = User.objects.get(username=username)
    return queries.identities_visible_to(user).count()


@pytest.mark.django_db
def test_demo_reports_in_every_state_seen_differently() -> None:
    load_demo(n_sites=40)
    states = {"new", "under_review", "referred", "no_further_action"}
    assert set(SuspiciousActivityReport.objects.values_list("status", flat=True)) == states
    assert _seen("police.north") == states and _identities("police.north") == 4
    assert _seen("mall.security") == states and _identities("mall.security") == 1
    assert _seen("mall.guard") == {"new", "under_review", "no_further_action"}
    assert _identities("mall.guard") == 3
    assert _seen("police.south") == {"referred"} and _identities("police.south") == 0
    assert _seen("admin") == set() and _seen("hotel.security") == set()
