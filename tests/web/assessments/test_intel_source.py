"""Assessments take their threat from an intelligence threat source covering the site.

A police analyst publishes an imported (synthetic GTD-layout) dataset as the threat source of
a region; the operator's assessment of a site there then uses the dataset's empirical-Bayes
attack rates — the same numbers the engine computes straight from the dataset's store — and
shows where they come from, while the operator still cannot open the dataset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from placeguard.web.assessments import scoring, services
from placeguard.web.intel import threat
from placeguard.web.intel.models import Dataset, ThreatSource
from tests.conftest import World
from tests.web.assessments.conftest import ANSWERS, start
from tests.web.intel.conftest import make_dataset

SITE_COUNT = 40  # retail sites in the data country: each site's share is 1/40


@pytest.fixture(autouse=True)
def _intel_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture(scope="module")
def gtd_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from placeguard.engines.intel.synthetic import write_gtd

    path = tmp_path_factory.mktemp("intel-source") / "gtd-sample.csv"
    write_gtd(path, 3000, seed=7)
    return path


@pytest.fixture
def dataset(world: World, gtd_file: Path) -> Dataset:
    return make_dataset(world.users["police_n"], gtd_file, name="Synthetic GTD")


def _busiest_country(ds: Dataset) -> str:
    from placeguard.engines.intel.store import open_store

    t = open_store(ds.store_path)
    t = t.filter(t.target_categories.contains("retail") & (t.year >= 2012))
    top = t.group_by("country").aggregate(n=t.count()).order_by(lambda x: x.n.desc()).limit(1)
    return str(top.to_pyarrow().column("country")[0].as_py())


def _publish(world: World, ds: Dataset, country: str, region: str = "north-a") -> ThreatSource:
    return threat.publish_threat_source(
        actor=world.users["police_n"], dataset=ds, region=world.regions[region],
        data_country=country, site_counts={"retail": SITE_COUNT}, horizon_years=5,
    )  # fmt: skip


def _draft(world: World, site: str = "mall_north") -> Any:
    a = start(world, site)
    return services.save_answers(a, ANSWERS, actor=world.users["mall_admin"])


def _threat_by_scenario(result: dict[str, Any]) -> dict[str, float]:
    return {s["scenario"]: float(s["T"]) for s in result["scenarios"]}


def test_operator_assessment_uses_the_engine_likelihoods(world: World, dataset: Dataset) -> None:
    from placeguard.engines.intel.stats.likelihood import likelihoods
    from placeguard.engines.intel.store import open_store

    draft = _draft(world)
    before, _live = scoring.result_for(draft)
    assert "threat_source" not in before
    country = _busiest_country(dataset)
    _publish(world, dataset, country)
    after, live = scoring.result_for(draft)
    assert live

    # the engine, straight from the store: GTD window since the 2012 break, 1993 uncovered
    last = dataset.facets["years"][1]
    direct = {
        c.scenario: c
        for c in likelihoods(
            open_store(dataset.store_path), years=(2012, last), missing_years=(1993,)
        )
        if c.country == country and c.category == "retail"
    }
    used = {lk["scenario"]: lk for lk in after["threat_source"]["likelihoods"]}
    pack_ids = set(scoring.current_pack().scenario_ids)
    assert used and set(used) == set(direct)
    assert set(used) & pack_ids  # at least one scenario of the pack is data-driven
    for scenario, lk in used.items():
        cell = direct[scenario]
        assert (lk["rate"], lk["low"], lk["high"]) == (cell.rate, cell.low, cell.high)
        assert lk["exposure_share"] == pytest.approx(1 / SITE_COUNT)
        assert lk["horizon"] == 5
    t_before, t_after = _threat_by_scenario(before), _threat_by_scenario(after)
    for scenario in set(used) & pack_ids:
        # symbolic 0, not threatened: T = λ × share, replacing the pack's rate
        assert t_after[scenario] == pytest.approx(direct[scenario].rate / SITE_COUNT, rel=1e-9)
    untouched = pack_ids - set(used)
    assert untouched and all(t_after[k] == t_before[k] for k in untouched)
    record = after["threat_source"]
    assert record["dataset"] == "Synthetic GTD" and record["source_label"] == "GTD"
    assert record["years"] == [2012, last] and record["breaks"] == [1998, 2008, 2012]
    assert record["data_country"] == country and "empirical Bayes" in record["method"]


def test_submitted_result_records_provenance_and_the_page_shows_it(
    world: World, dataset: Dataset
) -> None:
    _publish(world, dataset, _busiest_country(dataset))
    draft = _draft(world)
    submitted = services.submit(draft, actor=world.users["mall_admin"])
    stored = submitted.result
    assert stored is not None and stored["threat_source"]["dataset"] == "Synthetic GTD"
    # plans start from the stored basis with the same likelihoods
    profile = scoring.planning_profile(submitted)
    assert {lk.scenario for lk in profile.intel} == {
        lk["scenario"] for lk in stored["threat_source"]["likelihoods"]
    }
    client = Client()
    client.force_login(world.users["mall_admin"])
    page = client.get(f"/assessments/{submitted.pk}/").content.decode()
    last = dataset.facets["years"][1]
    assert f"Threat likelihood from dataset Synthetic GTD (GTD, 2012–{last}, EB-shrunk)" in page
    assert "Police North" in page
    # ... but the operator cannot open the dataset itself (the police analyst can)
    assert client.get(f"/intel/datasets/{dataset.pk}/").status_code == 404
    police = Client()
    police.force_login(world.users["police_n"])
    assert police.get(f"/intel/datasets/{dataset.pk}/").status_code == 200


def test_without_a_source_nothing_changes(world: World, dataset: Dataset) -> None:
    draft = _draft(world)
    plain, _ = scoring.result_for(draft)
    source = _publish(world, dataset, _busiest_country(dataset))
    assert "threat_source" in scoring.result_for(draft)[0]
    threat.deactivate_threat_source(source, actor=world.users["police_n"])
    again, _ = scoring.result_for(draft)
    assert again == plain
    page = Client()
    page.force_login(world.users["mall_admin"])
    assert "threat-source" not in page.get(f"/assessments/{draft.pk}/").content.decode()


def test_a_source_of_another_region_or_type_does_not_apply(world: World, dataset: Dataset) -> None:
    country = _busiest_country(dataset)
    _publish(world, dataset, country, region="north-b")  # mall_north is in north-a
    assert "threat_source" not in scoring.result_for(_draft(world))[0]
    # the allowed case: a hotel in north-b — but the source gives no hospitality count
    hotel = start(world, "hotel_north", by="hotel_admin")
    assert "threat_source" not in scoring.result_for(hotel)[0]
    assert threat.active_source_for(world.sites["hotel_north"]) is not None


def test_a_source_of_another_country_does_not_apply(world: World, gtd_file: Path) -> None:
    from placeguard.web.orgs import services as orgs

    far = orgs.create_region(actor=None, code="far-a", name="Far A", country_code="YY")
    org = orgs.create_organisation(actor=None, regions=[far], slug="ministry-yy",
                                   name="Ministry YY", kind="AUTHORITY", country_code="YY",
                                   vetted=True)  # fmt: skip
    analyst = orgs.create_user(actor=None, username="analyst_yy", organisation=org,
                               roles=["ANALYST"], password="x" * 20)  # fmt: skip
    ds = make_dataset(analyst, gtd_file, name="YY data")
    country = _busiest_country(ds)
    source = threat.publish_threat_source(actor=analyst, dataset=ds, region=None,
                                          data_country=country,
                                          site_counts={"retail": 10})  # fmt: skip
    assert source.country_code == "YY" and source.region is None
    assert "threat_source" not in scoring.result_for(_draft(world))[0]
    # the allowed case: a country-wide source of the site's own country applies
    ministry = world.users["ministry"]
    ds_xm = make_dataset(ministry, gtd_file, name="XM data")
    threat.publish_threat_source(actor=ministry, dataset=ds_xm, region=None,
                                 data_country=country, site_counts={"retail": 10})  # fmt: skip
    record = scoring.result_for(_draft(world, "mall_south"))[0]["threat_source"]
    assert record["dataset"] == "XM data" and record["scope"] == "XM"


def test_the_report_of_a_submitted_assessment_keeps_its_threat_basis(
    world: World, dataset: Dataset
) -> None:
    source = _publish(world, dataset, _busiest_country(dataset))
    submitted = services.submit(_draft(world), actor=world.users["mall_admin"])
    threat.deactivate_threat_source(source, actor=world.users["police_n"])
    client = Client()
    client.force_login(world.users["mall_admin"])
    url = f"/assessments/{submitted.pk}/report.csv"

    def findings() -> str:  # the scenario rows, before the "about" part (generation time)
        return client.get(url).content.decode().split("\nabout,")[0]

    with_data = findings()
    assert with_data == findings()  # stable while nothing changes
    # the same assessment as if it had been submitted without incident data
    stored = dict(submitted.result or {})
    stored.pop("threat_source")
    type(submitted).objects.filter(pk=submitted.pk).update(result=stored)
    assert findings() != with_data
