"""Team and station pages: who gets what, validation on the form, audit through the services."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.allocation.models import PatrolTeam, ResponseStation
from placeguard.web.audit.models import AuditEvent
from tests.conftest import World
from tests.web.allocation.test_views import client_for

LISTS = ["/allocation/teams/", "/allocation/stations/"]
FORMS = ["/allocation/teams/new/", "/allocation/stations/new/"]


def own_pages(world: World) -> list[str]:
    team = world.teams["a"].pk  # type: ignore[attr-defined]
    station = world.stations["hq"].pk  # type: ignore[attr-defined]
    return [f"/allocation/teams/{team}/edit/", f"/allocation/stations/{station}/edit/"]


def deactivations(world: World) -> list[str]:
    team = world.teams["a"].pk  # type: ignore[attr-defined]
    station = world.stations["hq"].pk  # type: ignore[attr-defined]
    return [f"/allocation/teams/{team}/deactivate/", f"/allocation/stations/{station}/deactivate/"]


@pytest.mark.parametrize(
    ("persona", "lists", "writes"),
    [
        ("police_n", 200, 200),
        ("police_n_reader", 200, 403),
        ("police_s", 200, 404),  # another force: its own lists, nothing of North's
        ("rogue_police", 404, 404),
        ("mall_admin", 404, 404),
        ("ministry", 404, 404),
        ("platform_admin", 404, 404),
    ],
)
def test_access_matrix(force: World, persona: str, lists: int, writes: int) -> None:
    client = client_for(force.users[persona])
    for url in LISTS:
        assert client.get(url).status_code == lists, url
    for url in own_pages(force):
        assert client.get(url).status_code == writes, url
        assert client.post(url, {"name": ""}).status_code == writes, url  # 200: form errors
    for url in deactivations(force):
        assert client.post(url).status_code == (302 if writes == 200 else writes), url
    new_status = {"police_n": 200, "police_n_reader": 403, "police_s": 200}.get(persona, 404)
    for url in FORMS:
        assert client.get(url).status_code == new_status, url
    team = PatrolTeam.objects.get(pk=force.teams["a"].pk)  # type: ignore[attr-defined]
    station = ResponseStation.objects.get(pk=force.stations["hq"].pk)  # type: ignore[attr-defined]
    assert (team.active, station.active) == ((False, False) if writes == 200 else (True, True))


def test_other_forces_teams_are_not_listed(force: World) -> None:
    page = client_for(force.users["police_s"]).get("/allocation/teams/")
    assert b"South One" in page.content and b"Alpha" not in page.content
    reader = client_for(force.users["police_n_reader"]).get("/allocation/teams/")
    assert b"Alpha" in reader.content and b"New patrol team" not in reader.content


def test_deactivate_needs_post(force: World) -> None:
    client = client_for(force.users["police_n"])
    for url in deactivations(force):
        assert client.get(url).status_code == 405


def test_create_a_team_through_the_page_is_audited(force: World) -> None:
    user = force.users["police_n"]
    client = client_for(user)
    response = client.post(
        "/allocation/teams/new/", {"name": "Bravo", "districts": ["north-a", "north-b"]}
    )
    assert response.status_code == 302 and response["Location"] == "/allocation/teams/"
    team = PatrolTeam.objects.get(name="Bravo")
    assert team.organisation == force.orgs["police-north"]
    assert sorted(r.code for r in team.districts.all()) == ["north-a", "north-b"]
    event = AuditEvent.objects.get(action="patrol_team.create", object_id=str(team.pk))
    assert event.actor == user
    assert b"Bravo" in client.get("/allocation/teams/").content


def test_team_form_shows_every_error(force: World) -> None:
    client = client_for(force.users["police_n"])
    response = client.post("/allocation/teams/new/", {"name": "", "districts": ["south-a"]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and 'href="#id_name"' in body
    assert 'aria-invalid="true"' in body
    assert "south-a" not in [c for c, _l in response.context["form"].fields["districts"].choices]
    # a duplicate name is reported by the service, at the name field
    response = client.post("/allocation/teams/new/", {"name": "Alpha"})
    assert response.status_code == 200
    assert "already has a team of that name" in str(response.context["form"].errors["name"])
    assert not AuditEvent.objects.filter(
        action="patrol_team.create", actor=force.users["police_n"]
    ).exists()


def test_edit_and_deactivate_a_team(force: World) -> None:
    user = force.users["police_n"]
    client = client_for(user)
    team: Any = force.teams["a"]  # type: ignore[attr-defined]
    page = client.get(f"/allocation/teams/{team.pk}/edit/")
    assert page.context["form"]["name"].value() == "Alpha"
    response = client.post(
        f"/allocation/teams/{team.pk}/edit/",
        {"name": "Alpha Prime", "districts": ["north-b"], "active": "on"},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Alpha Prime" and [r.code for r in team.districts.all()] == ["north-b"]
    update = AuditEvent.objects.get(action="patrol_team.update", object_id=str(team.pk))
    assert update.diff["name"] == ["Alpha", "Alpha Prime"]
    assert client.post(f"/allocation/teams/{team.pk}/deactivate/").status_code == 302
    team.refresh_from_db()
    assert not team.active
    assert (
        AuditEvent.objects.filter(action="patrol_team.update", object_id=str(team.pk)).count() == 2
    )
    # a deactivated team is not offered by the planner
    planner = client.get("/allocation/")
    assert str(team.pk) not in [c for c, _l in planner.context["form"].fields["teams"].choices]


def test_create_edit_and_deactivate_a_station(force: World) -> None:
    user = force.users["police_n"]
    client = client_for(user)
    response = client.post(
        "/allocation/stations/new/",
        {"name": "North-B Post", "latitude": "43.01", "longitude": "-27.0"},
    )
    assert response.status_code == 302
    station = ResponseStation.objects.get(name="North-B Post")
    assert (station.latitude, station.longitude) == (43.01, -27.0)
    assert AuditEvent.objects.filter(
        action="response_station.create", object_id=str(station.pk), actor=user
    ).exists()
    response = client.post(
        f"/allocation/stations/{station.pk}/edit/",
        {"name": "North-B Post", "latitude": "43.02", "longitude": "-27.0", "active": "on"},
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.latitude == 43.02
    event = AuditEvent.objects.get(action="response_station.update", object_id=str(station.pk))
    assert event.diff["latitude"] == ["43.01", "43.02"]  # the audit log stores text
    client.post(f"/allocation/stations/{station.pk}/deactivate/")
    station.refresh_from_db()
    assert not station.active


def test_station_form_shows_every_error_and_the_map(force: World) -> None:
    client = client_for(force.users["police_n"])
    page = client.get("/allocation/stations/new/")
    body = page.content.decode()
    assert "data-pg-station-picker" in body and "allocation/js/station-picker.js" in body
    assert "North HQ" in body  # other stations shown for reference (json_script)
    assert "<script>" not in body  # no inline script (strict CSP)
    response = client.post(
        "/allocation/stations/new/", {"name": "", "latitude": "95", "longitude": "east"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "latitude", "longitude"}
    assert 'href="#id_latitude"' in response.content.decode()
    response = client.post(
        "/allocation/stations/new/", {"name": "North HQ", "latitude": "43", "longitude": "-29"}
    )
    assert "already has a station of that name" in str(response.context["form"].errors["name"])


def test_pages_are_linked_from_the_planner_and_the_menu(force: World) -> None:
    body = client_for(force.users["police_n"]).get("/allocation/").content.decode()
    assert 'href="/allocation/teams/"' in body and 'href="/allocation/stations/"' in body
    plans = client_for(force.users["police_n_reader"]).get("/allocation/plans/").content.decode()
    assert 'href="/allocation/teams/"' in plans and 'href="/allocation/stations/"' in plans
