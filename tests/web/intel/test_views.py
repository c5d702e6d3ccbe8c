"""Intelligence pages: who sees what, the dashboard, claims, uploads, exports (no raw rows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from placeguard.web.intel import services
from placeguard.web.intel.choices import DatasetStatus
from placeguard.web.intel.models import Dataset
from tests.conftest import World
from tests.web.intel.conftest import broken_copy, event_ids, make_dataset


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


@pytest.fixture
def dataset(world: World, gtd_file: Path) -> Dataset:
    return make_dataset(world.users["police_n"], gtd_file)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("police_n", 200), ("ministry", 200), ("rogue_police", 200), ("police_n_reader", 403),
     ("mall_admin", 403), ("programme", 403), ("platform_admin", 403)],
)  # fmt: skip
def test_list_is_for_national_analysts(world: World, persona: str, status: int) -> None:
    assert _client(world, persona).get("/intel/").status_code == status
    assert _client(world, persona).get("/intel/upload/").status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("police_n", 200), ("police_n_reader", 403), ("police_s", 404), ("ministry", 404),
     ("mall_admin", 404), ("platform_admin", 404)],
)  # fmt: skip
def test_dashboard_access(world: World, dataset: Dataset, persona: str, status: int) -> None:
    client = _client(world, persona)
    for url in [f"/intel/datasets/{dataset.pk}/", f"/intel/datasets/{dataset.pk}/report.html",
                f"/intel/datasets/{dataset.pk}/status.json"]:  # fmt: skip
        assert client.get(url).status_code == status, url


def test_anonymous_is_sent_to_login(dataset: Dataset) -> None:
    response = Client().get(f"/intel/datasets/{dataset.pk}/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_nav_link_only_for_analysts(world: World) -> None:
    assert 'href="/intel/"' in _client(world, "police_n").get("/intel/").content.decode()
    page = _client(world, "mall_admin").get("/sites/").content.decode()
    assert 'href="/intel/"' not in page


def test_dashboard_shows_charts_table_attribution(
    world: World, dataset: Dataset, gtd_file: Path
) -> None:
    html = _client(world, "police_n").get(f"/intel/datasets/{dataset.pk}/").content.decode()
    assert 'data-chart="yearly"' in html
    assert 'data-chart="lethality"' in html
    assert "break 2012" in html and "break 1998" in html
    assert 'id="group-table"' in html
    assert "Global Terrorism Database" in html
    assert "Only aggregates are shown" in html
    assert not [i for i in event_ids(gtd_file) if i in html]


def test_dashboard_map_shows_suppressed_grid_cells_only(world: World, dataset: Dataset) -> None:
    import json
    import re

    html = _client(world, "police_n").get(f"/intel/datasets/{dataset.pk}/").content.decode()
    pattern = r'<script id="incident-map-data" type="application/json">(.*?)</script>'
    found = re.search(pattern, html, re.S)
    assert found is not None
    cells = json.loads(found.group(1))
    assert cells and all(c["attacks"] >= 3 for c in cells)
    assert set(cells[0]) == {"lat", "lon", "attacks", "deaths", "known_deaths"}
    # Every drawn cell centre sits on the 0.5° grid: no incident's own coordinates leak.
    on_grid = [(c["lat"] / 0.5 - 0.5).is_integer() and (c["lon"] / 0.5 - 0.5).is_integer()
               for c in cells]  # fmt: skip
    assert all(on_grid)
    assert sum(c["attacks"] for c in cells) <= dataset.row_count


def test_dashboard_filters(world: World, dataset: Dataset) -> None:
    client = _client(world, "police_n")
    cat = dataset.facets["categories"][0]
    response = client.get(f"/intel/datasets/{dataset.pk}/",
                          {"category": cat, "split_year": 2011, "breaks": "none"})  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert f"category={cat}" in html
    assert "break 2012" not in html
    bad = client.get(f"/intel/datasets/{dataset.pk}/", {"breaks": "x,y", "first_year": 2015,
                                                          "last_year": 2001})  # fmt: skip
    assert bad.status_code == 200
    assert "Years separated by commas" in bad.content.decode()
    assert "The last year is before the first" in bad.content.decode()


def test_claim_tester_renders_a_verdict(world: World, dataset: Dataset) -> None:
    client = _client(world, "police_n")
    response = client.post(f"/intel/datasets/{dataset.pk}/claim/", {
        "claim-metric": "lethality", "claim-direction": "increase",
        "claim-category": dataset.facets["categories"][0], "claim-split_year": 2011,
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="verdict"' in html
    assert any(v in html for v in ["supported", "inconclusive"])
    assert "decision_rule" in html
    bad = client.post(f"/intel/datasets/{dataset.pk}/claim/", {"claim-metric": "vibes"})
    assert bad.status_code == 200
    assert 'id="verdict"' not in bad.content.decode()


def test_claim_is_refused_to_readers_and_outsiders(world: World, dataset: Dataset) -> None:
    body = {"claim-metric": "attacks", "claim-direction": "increase"}
    url = f"/intel/datasets/{dataset.pk}/claim/"
    assert _client(world, "police_n_reader").post(url, body).status_code == 403
    assert _client(world, "police_s").post(url, body).status_code == 404


def test_upload_imports_in_the_background(world: World, gtd_file: Path) -> None:
    client = _client(world, "police_n")
    upload = SimpleUploadedFile("incidents.csv", gtd_file.read_bytes(), "text/csv")
    response = client.post("/intel/upload/", {"name": "GTD 2019", "source": "gtd",
                                              "file": upload})  # fmt: skip
    ds = Dataset.objects.get(name="GTD 2019")
    assert response.status_code == 302
    assert response["Location"] == f"/intel/datasets/{ds.pk}/"
    assert ds.status == DatasetStatus.DONE
    assert ds.created_by == world.users["police_n"]


def test_upload_problems_are_shown_as_a_table(world: World, gtd_file: Path, tmp_path: Path) -> None:
    client = _client(world, "police_n")
    bad = broken_copy(gtd_file, tmp_path / "broken.csv")
    upload = SimpleUploadedFile("broken.csv", bad.read_bytes(), "text/csv")
    response = client.post("/intel/upload/", {"name": "Bad", "source": "gtd", "file": upload},
                           follow=True)  # fmt: skip
    html = response.content.decode()
    assert 'id="problem-table"' in html
    assert "broken.csv" in html and "iyear" in html
    assert "nothing was imported" in html


def test_upload_form_errors(world: World) -> None:
    client = _client(world, "police_n")
    upload = SimpleUploadedFile("log.csv", b"a,b\n1,2\n", "text/csv")
    response = client.post("/intel/upload/", {"name": "Log", "source": "csv", "file": upload})
    assert response.status_code == 200
    assert "A column mapping is required" in response.content.decode()
    assert not Dataset.objects.exists()


def test_html_report_download(world: World, dataset: Dataset, gtd_file: Path) -> None:
    response = _client(world, "police_n").get(f"/intel/datasets/{dataset.pk}/report.html")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    html = response.content.decode()
    assert "Global Terrorism Database" in html
    assert "Only aggregates are shown" in html
    assert not [i for i in event_ids(gtd_file) if i in html]


def test_pdf_report_download(world: World, dataset: Dataset) -> None:
    pytest.importorskip("weasyprint")
    response = _client(world, "police_n").get(f"/intel/datasets/{dataset.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def _intel_routes() -> set[str]:
    out: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(("intel/", "api/v1/^intel-datasets")):
                    out.add(route)

    walk(get_resolver().url_patterns, "")
    return out


def test_no_route_exports_raw_rows() -> None:
    """Licences: the only exports are the aggregate trend reports; no rows/CSV/Parquet route."""
    routes = _intel_routes()
    assert routes, "route discovery broke"
    pages = {r for r in routes if r.startswith("intel/")}
    assert pages == {
        "intel/", "intel/upload/", "intel/datasets/<int:dataset_id>/",
        "intel/datasets/<int:dataset_id>/claim/", "intel/datasets/<int:dataset_id>/report.html",
        "intel/datasets/<int:dataset_id>/report.pdf",
        "intel/datasets/<int:dataset_id>/status.json",
        "intel/datasets/<int:dataset_id>/delete/",
        "intel/datasets/<int:dataset_id>/threat-sources/",
        "intel/threat-sources/<int:source_id>/deactivate/",
    }  # fmt: skip
    api = {r for r in routes if r.startswith("api/") and "format" not in r}
    assert api == {
        "api/v1/^intel-datasets/$", "api/v1/^intel-datasets/(?P<pk>[^/.]+)/$",
        "api/v1/^intel-datasets/(?P<pk>[^/.]+)/trends/$",
    }  # fmt: skip
    forbidden = ("row", "incident", "export", "csv", "parquet", "raw", "download", "events")
    assert not [r for r in routes if any(w in r.lower() for w in forbidden)]


def test_urban_filter_and_urban_claim(world: World, dataset: Dataset) -> None:
    assert dataset.facets["urban"] is True
    client = _client(world, "police_n")
    page = client.get(f"/intel/datasets/{dataset.pk}/", {"urban": "yes"})
    assert page.status_code == 200
    assert "urban=True" in page.content.decode()
    response = client.post(f"/intel/datasets/{dataset.pk}/claim/", {
        "claim-metric": "deaths", "claim-direction": "increase", "claim-urban": "yes",
        "claim-split_year": 2011,
    })  # fmt: skip
    html = response.content.decode()
    assert 'id="verdict"' in html
    assert "urban" in html


def test_queued_import_shows_progress_and_names_are_escaped(world: World, gtd_file: Path) -> None:
    with gtd_file.open("rb") as fh:
        queued = services.create_dataset(actor=world.users["police_n"], name="<script>x</script>",
                                         source="gtd", file_name="a.csv", data=fh, run=False)  # fmt: skip
    client = _client(world, "police_n")
    html = client.get(f"/intel/datasets/{queued.pk}/").content.decode()
    assert 'id="import-progress"' in html
    assert 'http-equiv="refresh"' in html
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    status = client.get(f"/intel/datasets/{queued.pk}/status.json").json()
    assert status == {"status": "queued", "progress": 0, "message": "Waiting for a worker",
                      "finished": False}  # fmt: skip
    assert client.post(f"/intel/datasets/{queued.pk}/claim/", {}).status_code == 404
