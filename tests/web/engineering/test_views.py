"""Engineering pages: access, the upload form and its error summary, results, report, JSON."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from placeguard.web.engineering import services
from placeguard.web.engineering.models import EngineeringStudy
from tests.conftest import World
from tests.web.engineering.conftest import bad_layout, layout, site_file


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def _evac(w: World) -> EngineeringStudy:
    return services.create_study(actor=None, site=w.sites["mall_north"], kind="evacuation",
                                 name="Doors", geojson=layout(),
                                 parameters={"runs": 10, "target_time_s": 120})  # fmt: skip


def _vehicle(w: World) -> EngineeringStudy:
    return services.create_study(actor=None, site=w.sites["mall_north"], kind="vehicle",
                                 name="HVM", geojson=site_file(), parameters={"vehicle": "car"})  # fmt: skip


def test_pages_require_login(world: World) -> None:
    study = _evac(world)
    site = world.sites["mall_north"].pk
    for url in [f"/engineering/sites/{site}/", f"/engineering/sites/{site}/new/",
                f"/engineering/studies/{study.pk}/", f"/engineering/studies/{study.pk}/report/",
                f"/engineering/studies/{study.pk}/result.json"]:  # fmt: skip
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [("mall_admin", 200, 200), ("police_n", 200, 200), ("mall_reader", 200, 403),
     ("police_n_reader", 200, 403), ("police_s", 404, 404), ("hotel_admin", 404, 404),
     ("platform_admin", 404, 404)],
)  # fmt: skip
def test_page_access(world: World, persona: str, read: int, write: int) -> None:
    study = _evac(world)
    site = world.sites["mall_north"].pk
    client = client_for(world, persona)
    assert client.get(f"/engineering/sites/{site}/").status_code == read
    assert client.get(f"/engineering/studies/{study.pk}/").status_code == read
    assert client.get(f"/engineering/studies/{study.pk}/report/").status_code == read
    assert client.get(f"/engineering/studies/{study.pk}/result.json").status_code == read
    assert client.get(f"/engineering/sites/{site}/new/").status_code == write
    assert client.get(f"/engineering/studies/{study.pk}/delete/").status_code == write


def test_site_detail_links_to_engineering(world: World) -> None:
    site = world.sites["mall_north"].pk
    page = client_for(world, "mall_reader").get(f"/sites/{site}/").content.decode()
    assert f'href="/engineering/sites/{site}/"' in page


def test_upload_file_runs_the_study(world: World) -> None:
    site = world.sites["mall_north"].pk
    upload = SimpleUploadedFile(
        "layout.geojson", json.dumps(layout()).encode(), "application/geo+json"
    )
    response = client_for(world, "mall_admin").post(
        f"/engineering/sites/{site}/new/",
        {"name": "Doors", "kind": "evacuation", "geojson_file": upload, "runs": 5,
         "target_time_s": 100, "mode": "evacuation", "vehicle": "n3"},
    )  # fmt: skip
    study = EngineeringStudy.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/engineering/studies/{study.pk}/"
    )
    assert study.parameters["runs"] == 5 and study.parameters["target_time_s"] == 100
    assert study.created_by == world.users["mall_admin"]


def test_pasted_text_with_problems_shows_the_error_summary(world: World) -> None:
    site = world.sites["mall_north"].pk
    response = client_for(world, "mall_admin").post(
        f"/engineering/sites/{site}/new/",
        {"name": "Bad", "kind": "evacuation", "geojson_text": json.dumps(bad_layout()),
         "runs": 5, "pre_movement_median_s": 10},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="alert alert--error error-summary"' in html
    assert "self-intersection" in html and "no exit" in html
    assert "median pre-movement time must exceed the minimum" in html
    assert not EngineeringStudy.objects.exists()
    not_json = client_for(world, "mall_admin").post(
        f"/engineering/sites/{site}/new/", {"name": "X", "kind": "vehicle", "geojson_text": "{"}
    )
    assert not_json.status_code == 200 and "Not valid JSON" in not_json.content.decode()


def test_evacuation_result_page(world: World) -> None:
    study = _evac(world)
    html = (
        client_for(world, "police_n_reader")
        .get(f"/engineering/studies/{study.pk}/")
        .content.decode()
    )
    for marker in ['id="evac-exits"', 'id="evac-bottlenecks"', 'id="evac-percentiles"',
                   "Safe within the target time", 'id="assumptions"', "pre-movement"]:  # fmt: skip
        assert marker in html, marker
    # the stepped plan: Leaflet, the player and the layout and timeline data for it
    for marker in ["evac-timeline.js", "data-pg-evac-map", 'id="evac-layout"',
                   'id="evac-timeline"', 'data-player-action="play"', 'type="range"']:  # fmt: skip
        assert marker in html, marker
    assert "run-status.js" not in html and 'role="progressbar"' not in html


def test_vehicle_result_page_has_map_legend_and_table(world: World) -> None:
    study = _vehicle(world)
    html = (
        client_for(world, "mall_reader").get(f"/engineering/studies/{study.pk}/").content.decode()
    )
    assert "data-pg-impact-map" in html and 'id="impact-heat-map"' in html
    assert "engineering/js/impact-map.js" in html and "speed-band-4" in html
    assert 'id="vda-points"' in html and "iwa14_1" in html
    assert "<script>" not in html  # strict CSP: no inline script
    assert "style=" not in html


def test_report_states_assumptions_and_parameters(world: World) -> None:
    study = _vehicle(world)
    html = (
        client_for(world, "mall_reader")
        .get(f"/engineering/studies/{study.pk}/report/")
        .content.decode()
    )
    for text in study.result["assumptions"]:
        assert text.split(";")[0] in html
    assert "radius_m" in html and "corner_leg_m" in html and "mass_kg" in html


def test_json_download(world: World) -> None:
    study = _evac(world)
    response = client_for(world, "mall_reader").get(f"/engineering/studies/{study.pk}/result.json")
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["result"] == study.result and body["kind"] == "evacuation"


def test_delete_page(world: World) -> None:
    study = _evac(world)
    client = client_for(world, "police_n")
    assert client.post(f"/engineering/studies/{study.pk}/delete/", {}).status_code == 200
    response = client.post(f"/engineering/studies/{study.pk}/delete/", {"confirm": "on"})
    assert response.status_code == 302 and not EngineeringStudy.objects.exists()


def test_list_shows_studies_and_adjustments(world: World) -> None:
    _vehicle(world)
    html = (
        client_for(world, "mall_reader")
        .get(f"/engineering/sites/{world.sites['mall_north'].pk}/")
        .content.decode()
    )
    assert "HVM" in html and "a hostile vehicle can reach the protected perimeter" in html
    assert "Run a study" not in html  # readers do not get the button


def test_the_form_has_the_drawing_control_and_shows_problems_beside_it(world: World) -> None:
    site = world.sites["mall_north"]
    client = client_for(world, "mall_admin")
    html = client.get(f"/engineering/sites/{site.pk}/new/").content.decode()
    for marker in ["draw-map.js", "data-pg-draw-map", 'data-target="id_geojson_text"',
                   'data-kind-input="kind"', 'data-file-input="id_geojson_file"',
                   f'data-center="[{site.latitude}, {site.longitude}]"', 'role="toolbar"',
                   'data-tool="exit"', 'data-tool="perimeter"', 'data-draw-action="undo"',
                   'name="microscopic"']:  # fmt: skip
        assert marker in html, marker
    assert 'id="draw-errors"' not in html
    response = client.post(
        f"/engineering/sites/{site.pk}/new/",
        {"name": "Bad", "kind": "evacuation", "geojson_text": json.dumps(bad_layout())},
    )
    html = response.content.decode()
    assert 'id="draw-errors"' in html
    assert html.count("data-draw-error") >= 2 and "features[0]" in html
    assert "features[1]" in html  # the zero-width exit off any boundary


def test_a_microscopic_request_in_the_form_reaches_the_parameters(world: World) -> None:
    site = world.sites["mall_north"].pk
    response = client_for(world, "mall_admin").post(
        f"/engineering/sites/{site}/new/",
        {"name": "Micro", "kind": "evacuation", "geojson_text": json.dumps(layout()),
         "mode": "lockdown", "microscopic": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "only available in evacuation mode" in response.content.decode()
    assert not EngineeringStudy.objects.exists()
