"""The demo dataset: a seeded synthetic GTD-layout file imported for the demo police force."""

from __future__ import annotations

from placeguard.web.intel import demo, services
from placeguard.web.intel.choices import DatasetStatus
from tests.conftest import World


def test_demo_dataset_is_imported_and_analysable(world: World) -> None:
    dataset = demo.load(world.orgs, owner_slug="police-north", username="police_n")
    assert dataset.status == DatasetStatus.DONE, dataset.progress_message
    assert dataset.row_count == demo.DEMO_ROWS
    assert dataset.owner == world.orgs["police-north"]
    assert dataset.created_by == world.users["police_n"]
    assert not (dataset.folder / "upload").exists()
    report = services.trend_report(dataset)
    assert report["breaks"] == [1998, 2008, 2012]
    assert report["groups"]


def test_demo_is_seeded(world: World) -> None:
    a = demo.load(world.orgs, owner_slug="police-north", username="police_n")
    b = demo.load(world.orgs, owner_slug="police-south", username="police_s")
    assert a.facets == b.facets
    assert services.trend_report(a)["total"] == services.trend_report(b)["total"]
