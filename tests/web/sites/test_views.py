"""Site pages (server-rendered): access, forms, service-error mapping and exports."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sites import services
from placeguard.web.sites.exporting import CSV_HEADER, guard_formula, sites_to_csv_rows
from placeguard.web.sites.models import Site
from placeguard.web.sites.validation import FIELDS, Lookups, parse_site
from tests.conftest import World, site_raw


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    """What a browser posts for a valid new Mall Co site."""
    data: dict[str, Any] = {
        "name": "Harbour Mall",
        "site_type": "retail",
        "address": "2 Quay Road",
        "region": "north-a",
        "latitude": "43.1",
        "longitude": "-29.1",
        "capacity": "800",
        "time_zone": "Atlantic/Azores",
        "operator": "mall-co",
        "tags": "crowded-place, night-economy",
        "time_profile": json.dumps({"weekly": {"fri": [["18:00", "02:00"]]}}),
        "notes": "",
    }
    data.update(overrides)
    return data


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


# ------------------------------------------------------------------ access
@pytest.mark.parametrize(
    "url",
    ["/", "/sites/", "/sites/new/", "/sites/1/", "/sites/export.csv", "/organisation/"],
)
def test_pages_require_login(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_outsider_gets_404_page_for_a_site_it_cannot_see(world: World) -> None:
    site = world.sites["mall_north"]
    client = client_for(world, "hotel_admin")
    for url in (f"/sites/{site.pk}/", f"/sites/{site.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Page not found" in response.content
    assert client.post(f"/sites/{site.pk}/archive/").status_code == 404
    assert client.get("/sites/999999/").status_code == 404


def test_reader_gets_403_page_on_new_and_edit(world: World) -> None:
    client = client_for(world, "mall_reader")
    response = client.get("/sites/new/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content
    site = world.sites["mall_north"]
    assert client.get(f"/sites/{site.pk}/edit/").status_code == 403
    assert client.post(f"/sites/{site.pk}/archive/").status_code == 403
    assert b"New site" not in client.get("/sites/").content


def test_programme_org_cannot_register_sites(world: World) -> None:
    response = client_for(world, "programme").post("/sites/new/", form_data(operator="programme"))
    assert response.status_code == 403


# ------------------------------------------------------------------ list, map and detail
def test_list_shows_only_visible_active_sites_with_map_data(world: World) -> None:
    services.archive_site(world.sites["mall_south"], actor=None)
    response = client_for(world, "mall_reader").get("/sites/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "North Mall" in content
    assert "South Mall" not in content  # archived: hidden by default
    assert "North Hotel" not in content  # another operator's site
    markers = response.context["markers"]
    assert [m["name"] for m in markers] == ["North Mall"]
    assert 'id="site-map-markers"' in content
    # "Any status" shows the archived one too
    response = client_for(world, "mall_reader").get("/sites/?status=")
    assert [s.name for s in response.context["sites"]] == ["North Mall", "South Mall"]


def test_list_filters_by_type_and_region(world: World) -> None:
    client = client_for(world, "police_n")
    response = client.get("/sites/", {"site_type": "hospitality"})
    assert [s.name for s in response.context["sites"]] == ["North Hotel"]
    response = client.get("/sites/", {"region": ["north-a"]})
    assert [s.name for s in response.context["sites"]] == ["North Mall"]
    assert [m["name"] for m in response.context["markers"]] == ["North Mall"]


def test_list_htmx_request_gets_only_the_results(world: World) -> None:
    response = client_for(world, "police_n").get(
        "/sites/", {"site_type": "retail"}, headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="results"')
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_list_paginates_and_caps_markers(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from placeguard.web.sites import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(views, "MAP_MARKER_LIMIT", 1)
    response = client_for(world, "police_n").get("/sites/")
    assert response.context["total"] == 2
    assert len(response.context["sites"]) == 1
    assert len(response.context["markers"]) == 1
    assert response.context["map_truncated"]
    assert b"Page 1 of 2" in response.content


def test_detail_shows_hours_responsibility_and_history(world: World) -> None:
    site = world.sites["mall_north"]
    services.update_site(site, {"capacity": 1300}, actor=world.users["mall_admin"])
    response = client_for(world, "mall_admin").get(f"/sites/{site.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "North Mall" in content
    assert "09:00 to 21:00" in content  # Monday, from the fixture's time profile
    assert "Police North" in content  # assigned by jurisdiction
    assert "crowded-place" in content
    assert "edited site" in content and "capacity" in content
    assert [m["name"] for m in response.context["markers"]] == ["North Mall"]


def test_page_html_has_no_inline_script_or_style(world: World) -> None:
    site = world.sites["mall_north"]
    client = client_for(world, "mall_admin")
    for url in ("/", "/sites/", f"/sites/{site.pk}/", "/sites/new/", "/organisation/"):
        content = client.get(url).content.decode()
        assert " style=" not in content, url
        assert "<script>" not in content, url
        assert "onclick" not in content, url


# ------------------------------------------------------------------ create and edit
def test_create_maps_service_errors_onto_fields(world: World) -> None:
    client = client_for(world, "mall_admin")
    bad = form_data(latitude="123", time_profile='{"weekly": {"mon": [["9", "17:00"]]}}')
    response = client.post("/sites/new/", bad)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["latitude"] == ["must be between -90 and 90"]
    assert "weekly.mon[0]" in form.errors["time_profile"][0]
    content = response.content.decode()
    assert 'id="id_latitude_error"' in content
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_latitude_helptext id_latitude_error"' in content
    assert not Site.objects.filter(name="Harbour Mall").exists()


def test_invalid_form_also_shows_the_validators_findings(world: World) -> None:
    """A missing field does not hide the other problems until the next round trip."""
    response = client_for(world, "mall_admin").post(
        "/sites/new/", form_data(name="", capacity="lots", latitude="95", tags="Bad Tag!")
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["This field is required."]  # the form's message only
    assert errors["capacity"] == ["Enter a whole number."]
    assert errors["latitude"] == ["must be between -90 and 90"]
    assert "tags use a-z" in errors["tags"][0]


def test_create_then_redirect_to_detail(world: World) -> None:
    client = client_for(world, "mall_admin")
    response = client.post("/sites/new/", form_data())
    site = Site.objects.get(name="Harbour Mall")
    assert response.status_code == 302
    assert response["Location"] == f"/sites/{site.pk}/"
    assert sorted(t.name for t in site.tags.all()) == ["crowded-place", "night-economy"]
    assert "police-north" in {o.slug for o in site.responsible_le.all()}  # by jurisdiction
    assert site.time_profile["weekly"] == {"fri": [["18:00", "02:00"]]}
    event = AuditEvent.objects.filter(action="site.create", object_id=str(site.pk)).get()
    assert event.actor == world.users["mall_admin"]
    page = client.get(response["Location"])
    assert "Harbour Mall" in page.content.decode()
    assert "registered" in page.content.decode()  # the success message


def test_operator_cannot_register_for_another_operator(world: World) -> None:
    client = client_for(world, "mall_admin")
    form = client.get("/sites/new/").context["form"]
    assert form.fields["operator"].choices == [("mall-co", "Mall Co")]
    response = client.post("/sites/new/", form_data(operator="hotel-co"))
    assert response.status_code == 200
    assert response.context["form"].errors["operator"]


def test_police_registers_site_outside_jurisdiction_gets_region_error(world: World) -> None:
    client = client_for(world, "police_n")
    response = client.post("/sites/new/", form_data(region="south-a"))
    assert response.context["form"].errors["region"] == [
        "this region is outside your organisation's jurisdiction"
    ]
    response = client.post("/sites/new/", form_data(region="north-b"))
    assert response.status_code == 302


def test_edit_prefills_and_saves_through_the_service(world: World) -> None:
    site = world.sites["mall_north"]
    client = client_for(world, "mall_admin")
    form = client.get(f"/sites/{site.pk}/edit/").context["form"]
    assert form.initial["name"] == "North Mall"
    assert form.initial["tags"] == "crowded-place"
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="North Mall (renamed)", responsible_le=["police-north"], capacity=1500)
    response = client.post(f"/sites/{site.pk}/edit/", data)
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.capacity) == ("North Mall (renamed)", 1500)
    assert AuditEvent.objects.filter(action="site.update", object_id=str(site.pk)).exists()


def test_archive_and_restore(world: World) -> None:
    site = world.sites["mall_north"]
    client = client_for(world, "mall_admin")
    assert client.get(f"/sites/{site.pk}/archive/").status_code == 405
    client.post(f"/sites/{site.pk}/archive/", {"archived": "1"})
    site.refresh_from_db()
    assert site.status == "archived"
    client.post(f"/sites/{site.pk}/archive/", {"archived": "0"})
    site.refresh_from_db()
    assert site.status == "active"


# ------------------------------------------------------------------ exports
def test_csv_export_is_scoped_filtered_and_reimportable(world: World) -> None:
    response = client_for(world, "police_n").get("/sites/export.csv", {"site_type": "retail"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(streamed(response))
    assert [r["name"] for r in rows] == ["North Mall"]  # South Mall is outside police_n's view
    assert list(rows[0]) == list(CSV_HEADER)
    lookups = Lookups.load()
    for row in rows:
        data = parse_site({k: row[k] for k in FIELDS}, lookups)
        assert data.name == row["name"]
        assert data.region.code == "north-a"
        assert data.tags == ("crowded-place",)
        assert data.responsible_le is not None
        assert "police-north" in {o.slug for o in data.responsible_le}
        assert data.time_profile["weekly"] == {"mon": [["09:00", "21:00"]]}


def test_csv_export_follows_the_status_filter(world: World) -> None:
    services.archive_site(world.sites["mall_north"], actor=None)
    client = client_for(world, "mall_reader")
    assert [r["name"] for r in csv_rows(streamed(client.get("/sites/export.csv")))] == [
        "South Mall"
    ]
    everything = csv_rows(streamed(client.get("/sites/export.csv", {"status": ""})))
    assert {r["name"]: r["status"] for r in everything} == {
        "North Mall": "archived",
        "South Mall": "active",
    }


def test_geojson_export_is_scoped_and_reimportable(world: World) -> None:
    response = client_for(world, "hotel_admin").get("/sites/export.geojson")
    assert response["Content-Type"] == "application/geo+json"
    doc = response.json()
    assert doc["type"] == "FeatureCollection"
    names = sorted(f["properties"]["name"] for f in doc["features"])
    assert names == ["North Hotel", "South Hotel"]
    lookups = Lookups.load()
    for feature in doc["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        props = feature["properties"]
        assert (lat, lon) == (props["latitude"], props["longitude"])
        assert isinstance(props["tags"], list)
        assert isinstance(props["time_profile"], dict)
        parse_site({k: props[k] for k in FIELDS}, lookups)


def test_csv_guards_text_cells_against_formula_injection(world: World) -> None:
    site = services.create_site(
        site_raw(name="=HYPERLINK(1)", address="+1 Main St", notes="@SUM(A1)", longitude=-29.5),
        actor=None,
    )
    rows = list(sites_to_csv_rows([site]))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["name"] == "'=HYPERLINK(1)"
    assert row["address"] == "'+1 Main St"
    assert row["notes"] == "'@SUM(A1)"
    assert row["longitude"] == "-29.5"  # numbers are left alone
    response = client_for(world, "mall_reader").get("/sites/export.csv")
    names = [r["name"] for r in csv_rows(streamed(response))]
    assert "'=HYPERLINK(1)" in names


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("Plain", "Plain"), ("", "")],
)
def test_guard_formula(value: str, expected: str) -> None:
    assert guard_formula(value) == expected


# ------------------------------------------------------------------ map tiles and dashboard
def test_tile_server_is_allowed_by_csp_only_when_configured(world: World, settings: Any) -> None:
    client = client_for(world, "mall_reader")
    response = client.get("/sites/")
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]
    assert 'data-tile-url=""' in response.content.decode()
    settings.PLACEGUARD_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    settings.PLACEGUARD_TILE_ATTRIBUTION = "© Example <tiles>"
    response = client.get("/sites/")
    assert (
        "img-src 'self' data: https://*.tiles.example.org;" in response["Content-Security-Policy"]
    )
    content = response.content.decode()
    assert 'data-tile-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in content
    assert "© Example &lt;tiles&gt;" in content


def test_dashboard_counts_and_chart(world: World) -> None:
    response = client_for(world, "police_n").get("/")
    assert response.status_code == 200
    rows = {t: (count, share) for t, _label, count, share in response.context["by_type"]}
    assert rows["retail"] == (1, 100.0)
    assert rows["hospitality"] == (1, 100.0)
    assert rows["health"] == (0, 0)
    assert response.context["total_sites"] == 2
    content = response.content.decode()
    assert '<rect class="bar__value" width="100.0"' in content
    assert "Police North can see 2 active sites." in content


def test_list_page_query_count_does_not_grow_with_sites(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        services.create_site(site_raw(name=f"Kiosk {i:02d}", longitude=-29 + i / 100), actor=None)
    client = client_for(world, "mall_reader")
    client.get("/sites/")  # warm caches (content types, sessions)
    with django_assert_max_num_queries(16):
        response = client.get("/sites/")
    assert response.context["total"] == 32


def test_language_switch_sets_lang_and_direction(world: World) -> None:
    client = client_for(world, "mall_reader")
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    content = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in content
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en" dir="ltr">' in client.get("/").content.decode()


def test_xlsx_export_is_scoped_and_filtered(world: World) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(world, "police_n").get("/sites/export.xlsx", {"site_type": "retail"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    names = [r[rows[0].index("name")] for r in rows[1:]]
    assert names == ["North Mall"]
