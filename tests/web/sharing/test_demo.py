"""The demo's bulletins are visible differently to the demo personas."""

from __future__ import annotations

import pytest

from placeguard.web.demo.loader import load_demo
from placeguard.web.orgs.models import User
from placeguard.web.sharing.models import Bulletin, SharingGroup
from placeguard.web.sharing.queries import bulletins_visible_to


def _seen(username: str) -> dict[str, str]:
    user = User.objects.select_related("organisation").get(username=username)
    return {b.title: ("stub" if b.is_stub else "content") for b in bulletins_visible_to(user)}


@pytest.mark.django_db
def test_demo_personas_see_different_bulletins() -> None:
    load_demo(n_sites=40)
    assert set(Bulletin.objects.values_list("tlp", flat=True)) == {
        "clear", "green", "amber", "amber+strict", "red",
    }  # fmt: skip
    assert SharingGroup.objects.count() == 2
    titles = {b.tlp + (":le" if b.le_only else ""): b.title for b in Bulletin.objects.all()}
    clear, green, red = titles["clear"], titles["green"], titles["red"]
    amber = "Suspicious approaches at Meridian Malls car parks"
    strict = titles["amber+strict"]
    le_only = titles["amber:le"]
    withdrawn = "Hotel fire-alarm hoax calls"

    admin = _seen("admin")
    assert admin == {clear: "content"}  # platform admins are not content readers (R10)

    security = _seen("mall.security")
    assert {clear, green, amber, strict, red} <= set(security)
    assert le_only not in security and withdrawn not in security

    guard = _seen("mall.guard")  # a reader: R8's default keeps police AMBER from them
    assert {clear, green} <= set(guard)
    assert amber not in guard and strict not in guard and red not in guard

    south = _seen("police.south")
    assert le_only in south and red not in south and amber not in south

    hotel = _seen("hotel.security")
    assert hotel[withdrawn] == "stub"
    assert red not in hotel and amber not in hotel
    # Anonymous visitors get the public CLEAR bulletin only.
    assert {b.title for b in bulletins_visible_to(None)} == {clear}
