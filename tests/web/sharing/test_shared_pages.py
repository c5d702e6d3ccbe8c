"""The write and action pages every shareable kind shares (``web/sharing/pages.py``).

For bulletins, incidents and practices alike: the edit form starts from the stored sharing
fields, an edit saves and redirects, a refused edit answers 422 with the rule on the page and
changes nothing, an outsider gets 404 and a reader 403, and publishing flashes its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from placeguard.web.incidents import services as incidents
from placeguard.web.practices import services as practices
from placeguard.web.sharing import services as bulletins
from placeguard.web.sharing.shareable import SharedItem
from tests.conftest import PASSWORD, World
from tests.web.incidents.conftest import incident_raw
from tests.web.practices.conftest import build_practice_world, practice_raw
from tests.web.sharing.conftest import bulletin_raw


@dataclass(frozen=True)
class Kind:
    prefix: str
    create: Callable[[World], SharedItem]
    #: Form fields besides the sharing ones that an edit post must carry.
    form: Callable[[SharedItem], dict[str, Any]]


def _bulletin(w: World) -> SharedItem:
    raw = bulletin_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=["READER", "ANALYST"], pii=True)
    return bulletins.create_bulletin(raw, actor=w.users["police_n"])


def _incident(w: World) -> SharedItem:
    raw = incident_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=["READER", "ANALYST"], pii=True)
    return incidents.create_incident(raw, actor=w.users["police_n"])


def _practice(w: World) -> SharedItem:
    raw = practice_raw(orgs=[w.orgs["mall-co"].pk], need_to_know=["READER", "ANALYST"], pii=True)
    return practices.create_practice(raw, actor=w.users["police_n"])


KINDS = {
    "bulletin": Kind(
        "/sharing/bulletins",
        _bulletin,
        lambda r: {"body": r.body},  # type: ignore[attr-defined]
    ),
    "incident": Kind(
        "/incidents",
        _incident,
        lambda r: {
            "summary": r.summary,  # type: ignore[attr-defined]
            "scenario": r.scenario,  # type: ignore[attr-defined]
            "occurred_at": "2026-05-01T10:15",
            "investigation_status": r.investigation_status,  # type: ignore[attr-defined]
        },
    ),
    "practice": Kind(
        "/practices",
        _practice,
        lambda r: {
            "body": r.body,  # type: ignore[attr-defined]
            "kind": r.kind,  # type: ignore[attr-defined]
            "site_types": r.site_types,  # type: ignore[attr-defined]
            "scenarios": r.scenarios,  # type: ignore[attr-defined]
            "measures": r.measures,  # type: ignore[attr-defined]
        },
    ),
}


@pytest.fixture
def pworld(db: None) -> World:
    """The sharing world with the programme's publisher."""
    return build_practice_world()


def _login(w: World, name: str) -> Client:
    client = Client()
    assert client.login(username=name, password=PASSWORD)
    return client


@pytest.mark.parametrize("kind", list(KINDS))
def test_edit_form_starts_from_the_stored_sharing_fields(pworld: World, kind: str) -> None:
    spec = KINDS[kind]
    record = spec.create(pworld)
    police = _login(pworld, "police_n")
    page = police.get(f"{spec.prefix}/{record.pk}/edit/")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["tlp"] == "amber" and initial["title"] == record.title
    assert initial["orgs"] == [pworld.orgs["mall-co"].pk]
    assert initial["need_to_know"] == "ANALYST, READER"
    assert initial["pii"] is True and initial["le_only"] is False
    # Outsiders do not learn the record exists; a reader of the originator may not edit.
    assert _login(pworld, "hotel_admin").get(f"{spec.prefix}/{record.pk}/edit/").status_code == 404
    assert _login(pworld, "police_n_reader").get(
        f"{spec.prefix}/{record.pk}/edit/"
    ).status_code in (
        403,
        404,
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_edit_saves_or_answers_422_and_publish_flashes(pworld: World, kind: str) -> None:
    spec = KINDS[kind]
    record = spec.create(pworld)
    police = _login(pworld, "police_n")
    form = {
        **spec.form(record),
        "title": "Renamed",
        "tlp": "amber",
        "orgs": [pworld.orgs["mall-co"].pk],
        "need_to_know": "",
    }
    saved = police.post(f"{spec.prefix}/{record.pk}/edit/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert saved["Location"].rstrip("/").endswith(f"/{record.pk}")
    record.refresh_from_db()
    assert record.title == "Renamed"
    # RED without named people breaks I1: 422, the rule on the page, nothing changed.
    bad = police.post(f"{spec.prefix}/{record.pk}/edit/", {**form, "title": "Red", "tlp": "red"})
    assert bad.status_code == 422 and "I1" in bad.content.decode()
    record.refresh_from_db()
    assert (record.title, record.tlp) == ("Renamed", "amber")
    published = police.post(f"{spec.prefix}/{record.pk}/publish/", follow=True)
    assert published.status_code == 200
    assert [str(m) for m in get_messages(published.wsgi_request)] == ["Published."]
    record.refresh_from_db()
    assert record.status == "published"
    # Publishing twice is refused by the policy (W-rules): 403, not a 500.
    assert police.post(f"{spec.prefix}/{record.pk}/publish/").status_code == 403
