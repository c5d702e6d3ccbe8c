"""Threat sources and dataset deletion: who may publish for which scope, the cached aggregates,
one active source per scope, deletion (permissions, files gone, audit, conflict while in use)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.audit.models import AuditEvent
from placeguard.web.intel import services, threat
from placeguard.web.intel.models import Dataset, ThreatSource
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.intel.conftest import make_dataset

COUNTRY = "CHN"  # the synthetic file's busiest country (seed 7)


@pytest.fixture
def dataset(world: World, gtd_file: Path) -> Dataset:
    return make_dataset(world.users["police_n"], gtd_file, name="Synthetic GTD")


def _publish(world: World, ds: Dataset, persona: str = "police_n", region: str | None = "north-a",
             **kw: object) -> ThreatSource:  # fmt: skip
    return threat.publish_threat_source(
        actor=world.users[persona], dataset=ds,
        region=world.regions[region] if region else None,
        data_country=str(kw.pop("data_country", COUNTRY)),
        site_counts=kw.pop("site_counts", {"retail": 20}), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_publish_caches_the_engine_rates_of_the_data_country(
    world: World, dataset: Dataset
) -> None:
    from placeguard.engines.intel.stats.likelihood import likelihoods
    from placeguard.engines.intel.store import open_store

    source = _publish(world, dataset, horizon_years=3)
    last = dataset.facets["years"][1]
    direct = [c for c in likelihoods(open_store(dataset.store_path), years=(2012, last),
                                     missing_years=(1993,)) if c.country == COUNTRY]  # fmt: skip
    assert len(source.cells) == len(direct) > 0
    cached = {(c["category"], c["scenario"]): c for c in source.cells}
    for c in direct:
        assert cached[c.category, c.scenario]["rate"] == c.rate
        assert cached[c.category, c.scenario]["events"] == c.events
    assert source.provenance["years"] == [2012, last]
    assert source.provenance["breaks"] == [1998, 2008, 2012]
    assert source.country_code == "XM" and source.horizon_years == 3
    # aggregates only: no event id, no coordinates, no row-level field in what is kept
    assert all(set(c) <= {"region", "category", "scenario", "events", "years", "raw_rate",
                          "rate", "low", "high", "prior_mean", "weight"}
               for c in source.cells)  # fmt: skip
    event = AuditEvent.objects.get(action="intel_threat_source.publish", object_id=str(source.pk))
    assert event.actor == world.users["police_n"]


def test_publish_reports_every_problem_at_once(world: World, dataset: Dataset) -> None:
    with pytest.raises(ValidationError) as info:
        _publish(world, dataset, region="south-a", data_country="C1",
                 site_counts={"retail": 0, "castle": 3}, horizon_years=99,
                 years=(1800, 2000))  # fmt: skip
    fields = {e.field for e in info.value.errors}
    assert fields == {"region", "data_country", "site_counts.retail", "site_counts.castle",
                      "horizon_years", "years"}  # fmt: skip
    with pytest.raises(ValidationError) as info:
        _publish(world, dataset, data_country="ZZZ")  # a country with no incident
    assert [e.field for e in info.value.errors] == ["data_country"]
    with pytest.raises(ValidationError) as info:  # police publish for a region, not the country
        _publish(world, dataset, region=None)
    assert [e.field for e in info.value.errors] == ["region"]
    assert not ThreatSource.objects.exists()
    assert _publish(world, dataset).active  # the allowed case


def test_who_may_publish(world: World, dataset: Dataset, gtd_file: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        _publish(world, dataset, persona="police_n_reader")
    with pytest.raises(NotFoundError):  # another organisation's dataset
        _publish(world, dataset, persona="police_s", region="south-a")
    rogue = make_dataset(world.users["rogue_police"], gtd_file, name="Rogue")
    with pytest.raises(PermissionDeniedError):  # not vetted
        _publish(world, rogue, persona="rogue_police")
    ministry = make_dataset(world.users["ministry"], gtd_file, name="Ministry data")
    country_wide = _publish(world, ministry, persona="ministry", region=None)
    assert country_wide.region is None and country_wide.active


def test_one_active_source_per_scope(world: World, dataset: Dataset, gtd_file: Path) -> None:
    first = _publish(world, dataset)
    second = _publish(world, dataset, site_counts={"retail": 30})
    first.refresh_from_db()
    assert not first.active and second.active  # the organisation's own source is replaced
    assert AuditEvent.objects.filter(action="intel_threat_source.deactivate",
                                     object_id=str(first.pk)).exists()  # fmt: skip
    ministry = make_dataset(world.users["ministry"], gtd_file, name="Ministry data")
    with pytest.raises(ConflictError):  # another organisation's source is active there
        _publish(world, ministry, persona="ministry")
    threat.deactivate_threat_source(second, actor=world.users["police_n"])
    assert _publish(world, ministry, persona="ministry").active


def test_operators_and_outsiders_never_see_sources(world: World, dataset: Dataset) -> None:
    from placeguard.web.intel.access import sources_visible_to

    source = _publish(world, dataset)
    assert list(sources_visible_to(world.users["police_n"])) == [source]
    for persona in ["mall_admin", "police_s", "ministry"]:
        assert not sources_visible_to(world.users[persona]).exists()
        with pytest.raises(NotFoundError):
            threat.deactivate_threat_source(source, actor=world.users[persona])
    assert _client(world, "mall_admin").post(
        f"/intel/threat-sources/{source.pk}/deactivate/").status_code == 403  # fmt: skip
    assert _client(world, "police_s").post(
        f"/intel/threat-sources/{source.pk}/deactivate/").status_code == 404  # fmt: skip
    assert _client(world, "police_n").post(
        f"/intel/threat-sources/{source.pk}/deactivate/").status_code == 302  # fmt: skip
    source.refresh_from_db()
    assert not source.active


def test_publish_page_flow(world: World, dataset: Dataset) -> None:
    client = _client(world, "police_n")
    page = client.get(f"/intel/datasets/{dataset.pk}/").content.decode()
    assert 'id="publish-source"' in page and "North-A" in page
    url = f"/intel/datasets/{dataset.pk}/threat-sources/"
    bad = client.post(url, {"source-region": str(world.regions["north-a"].pk),
                            "source-data_country": "ZZZ", "source-horizon_years": "1",
                            "source-count_retail": "20"})  # fmt: skip
    assert bad.status_code == 200 and "No incident of this country" in bad.content.decode()
    ok = client.post(url, {"source-region": str(world.regions["north-a"].pk),
                           "source-data_country": "chn", "source-horizon_years": "2",
                           "source-count_retail": "20"})  # fmt: skip
    assert ok.status_code == 302
    source = ThreatSource.objects.get()
    assert source.data_country == COUNTRY and source.site_counts == {"retail": 20}
    assert 'id="source-table"' in client.get(f"/intel/datasets/{dataset.pk}/").content.decode()
    # the reader of the same organisation cannot publish
    reader = _client(world, "police_n_reader")
    assert reader.post(url, {"source-region": "1"}).status_code == 403


# ------------------------------------------------------------------ deletion
def test_delete_permissions_files_and_audit(world: World, dataset: Dataset) -> None:
    folder = dataset.folder
    assert list(folder.rglob("*.parquet"))
    with pytest.raises(NotFoundError):
        services.delete_dataset(dataset, actor=world.users["police_s"])
    with pytest.raises(PermissionDeniedError):
        services.delete_dataset(dataset, actor=world.users["police_n_reader"])
    assert Dataset.objects.filter(pk=dataset.pk).exists() and folder.exists()
    services.delete_dataset(dataset, actor=world.users["police_n"])
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
    assert not folder.exists()
    event = AuditEvent.objects.get(action="intel_dataset.delete", object_id=str(dataset.pk))
    assert event.actor == world.users["police_n"]
    assert event.diff["name"] == ["Synthetic GTD", None]


def test_delete_is_refused_while_an_active_source_uses_it(world: World, dataset: Dataset) -> None:
    source = _publish(world, dataset)
    with pytest.raises(ConflictError) as info:
        services.delete_dataset(dataset, actor=world.users["police_n"])
    assert "North-A" in info.value.message
    assert dataset.folder.exists()
    threat.deactivate_threat_source(source, actor=world.users["police_n"])
    services.delete_dataset(dataset, actor=world.users["police_n"])  # withdrawn: allowed
    assert not ThreatSource.objects.exists() and not dataset.folder.exists()


def test_delete_api(world: World, dataset: Dataset) -> None:
    url = f"/api/v1/intel-datasets/{dataset.pk}/"
    assert_problem(token_client(world.users["police_s"]).delete(url), 404)
    assert_problem(token_client(world.users["mall_admin"]).delete(url), 404)
    assert_problem(token_client(world.users["police_n_reader"]).delete(url), 403)
    source = _publish(world, dataset)
    response = token_client(world.users["police_n"]).delete(url)
    assert_problem(response, 409)
    assert "withdraw" in str(response.json())
    threat.deactivate_threat_source(source, actor=world.users["police_n"])
    assert token_client(world.users["police_n"]).delete(url).status_code == 204
    assert not Dataset.objects.filter(pk=dataset.pk).exists()


def test_delete_page(world: World, dataset: Dataset) -> None:
    url = f"/intel/datasets/{dataset.pk}/delete/"
    page = _client(world, "police_n").get(f"/intel/datasets/{dataset.pk}/").content.decode()
    assert 'id="delete-dataset"' in page and 'id="confirm-delete"' in page
    assert _client(world, "police_s").post(url, {"confirm": "yes"}).status_code == 404
    assert _client(world, "police_n_reader").post(url, {"confirm": "yes"}).status_code == 403
    client = _client(world, "police_n")
    unconfirmed = client.post(url)
    assert unconfirmed.status_code == 302 and Dataset.objects.filter(pk=dataset.pk).exists()
    source = _publish(world, dataset)
    refused = client.post(url, {"confirm": "yes"}, follow=True)
    assert "withdraw that source first" in refused.content.decode()
    assert Dataset.objects.filter(pk=dataset.pk).exists()
    threat.deactivate_threat_source(source, actor=world.users["police_n"])
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == "/intel/"
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
