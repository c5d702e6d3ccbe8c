"""The demo's practices are visible differently to the demo personas."""

from __future__ import annotations

import pytest

from placeguard.web.demo.loader import load_demo
from placeguard.web.orgs.models import User
from placeguard.web.practices.models import Practice
from placeguard.web.practices.queries import practices_visible_to


def _seen(username: str) -> set[str]:
    user = User.objects.select_related("organisation").get(username=username)
    return {p.title for p in practices_visible_to(user) if not p.is_stub}


@pytest.mark.django_db
def test_demo_practices_reach_different_personas() -> None:
    load_demo(n_sites=40)
    assert Practice.objects.count() >= 12
    assert set(Practice.objects.values_list("tlp", flat=True)) >= {"clear", "green", "amber"}
    assert Practice.objects.filter(curated=True).count() == 3
    public = {p.title for p in practices_visible_to(None)}
    assert "Protect the queue, not just the door" in public and len(public) == 4
    mall = _seen("mall.security")
    assert public < mall and "Peer review of security plans" in mall
    assert "Bleed kits near the entrances" in mall  # GREEN community
    assert "Lesson: hire-van checks during the harbour festival" not in mall
    south = _seen("police.south")
    assert "Lesson: hire-van checks during the harbour festival" in south
    assert "Peer review of security plans" not in south
    programme = _seen("programme.officer")
    assert "Draft: faith festivals checklist" in programme
    assert "Draft: faith festivals checklist" not in mall
    assert "Lesson: guest access after midnight" in programme
