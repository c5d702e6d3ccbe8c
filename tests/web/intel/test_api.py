"""Intelligence API: permission matrix, 202 upload, trends JSON, query budget."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from placeguard.web.intel import services
from placeguard.web.intel.models import Dataset
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.intel.conftest import event_ids, make_dataset

API = "/api/v1/intel-datasets/"


@pytest.fixture
def dataset(world: World, gtd_file: Path) -> Dataset:
    return make_dataset(world.users["police_n"], gtd_file)


OUTSIDERS = ["police_s", "rogue_police", "ministry", "mall_admin", "programme", "platform_admin"]
MEMBER_READER = ["police_n_reader"]
ANALYST = ["police_n"]

MATRIX: list[tuple[str, str, str | None, int]] = [
    ("list", "get", None, 401),
    *[("list", "get", p, 200) for p in [*ANALYST, *MEMBER_READER, *OUTSIDERS]],
    ("create", "post", None, 401),
    *[
        ("create", "post", p, 403)
        for p in ["police_n_reader", "mall_admin", "programme", "platform_admin"]
    ],
    *[("create", "post", p, 202) for p in ["police_n", "ministry", "police_s"]],
    ("detail", "get", None, 401),
    *[("detail", "get", p, 404) for p in OUTSIDERS],
    *[("detail", "get", p, 200) for p in [*ANALYST, *MEMBER_READER]],
    ("trends", "get", None, 401),
    *[("trends", "get", p, 404) for p in OUTSIDERS],
    *[("trends", "get", p, 403) for p in MEMBER_READER],
    *[("trends", "get", p, 200) for p in ANALYST],
]


@pytest.mark.parametrize(("endpoint", "method", "persona", "status"), MATRIX)
def test_permission_matrix(  # noqa: PLR0917 - parametrised
    world: World, dataset: Dataset, gtd_file: Path, endpoint: str, method: str,
    persona: str | None, status: int,
) -> None:  # fmt: skip
    client = token_client(world.users[persona] if persona else None)
    url = {"list": API, "create": API, "detail": f"{API}{dataset.pk}/",
           "trends": f"{API}{dataset.pk}/trends/"}[endpoint]  # fmt: skip
    if method == "get":
        response = client.get(url)
    else:
        upload = SimpleUploadedFile("gtd.csv", gtd_file.read_bytes(), "text/csv")
        response = client.post(url, {"name": "Upload", "source": "gtd", "file": upload},
                               format="multipart")  # fmt: skip
    if status >= 400:
        assert_problem(response, status)
    else:
        assert response.status_code == status, response.content


def test_list_shows_own_organisation_only(world: World, dataset: Dataset) -> None:
    body = token_client(world.users["police_n"]).get(API).json()
    assert [d["id"] for d in body["results"]] == [dataset.pk]
    assert body["results"][0]["attribution"].startswith("National Consortium")
    assert token_client(world.users["police_s"]).get(API).json()["results"] == []


def test_create_returns_the_finished_dataset(world: World, gtd_file: Path) -> None:
    upload = SimpleUploadedFile("gtd.csv", gtd_file.read_bytes(), "text/csv")
    response = token_client(world.users["ministry"]).post(
        API, {"name": "National", "source": "gtd", "file": upload}, format="multipart"
    )
    body = response.json()
    assert response.status_code == 202
    assert body["status"] == "done"
    assert body["owner"] == "ministry"
    assert body["row_count"] > 0


def test_create_validation_problems(world: World) -> None:
    client = token_client(world.users["police_n"])
    response = client.post(API, {"name": "X", "source": "nope"}, format="multipart")
    body = assert_problem(response, 400)
    assert body["code"]
    upload = SimpleUploadedFile("log.csv", b"a,b\n", "text/csv")
    response = client.post(API, {"name": "X", "source": "csv", "file": upload},
                           format="multipart")  # fmt: skip
    assert_problem(response, 400)
    assert not Dataset.objects.exists()


def test_trends_is_the_cli_json(world: World, dataset: Dataset, gtd_file: Path) -> None:
    client = token_client(world.users["police_n"])
    response = client.get(f"{API}{dataset.pk}/trends/", {"split_year": 2010})
    body = response.json()
    assert response.status_code == 200
    assert body["format"] == "placeguard-trend-report/1"
    assert body == services.trend_report(dataset, services.ReportQuery(split_year=2010))
    group = body["groups"][0]
    for key in ["yearly", "rate_ratio", "rate_ratio_ci", "rate_ratio_unadjusted",
                "rate_ratio_unadjusted_ci", "lethality_before", "lethality_before_ci",
                "lethality_after", "lethality_after_ci"]:  # fmt: skip
        assert key in group
    text = response.content.decode()
    assert not [i for i in event_ids(gtd_file) if i in text]
    assert_problem(client.get(f"{API}{dataset.pk}/trends/", {"breaks": "x"}), 400)
    assert_problem(client.get(f"{API}{dataset.pk}/trends/", {"by": "shoe"}), 400)


def test_list_query_budget(
    world: World, gtd_file: Path, django_assert_max_num_queries: Any
) -> None:
    for i in range(6):
        services.create_dataset(actor=world.users["police_n"], name=f"D{i}", source="gtd",
                                file_name="x.csv", data=io.BytesIO(b"x"), run=False)  # fmt: skip
    client = token_client(world.users["police_n"])
    with django_assert_max_num_queries(9):
        response = client.get(API, {"page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 6
