"""The ETag / If-Match helper (web/common/etags.py), on a plain model with ``updated``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from placeguard.web.common import etags
from placeguard.web.common.problems import exception_handler
from placeguard.web.orgs.models import Organisation
from tests.conftest import World


def _request(if_match: str | None = None) -> Request:
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    return Request(APIRequestFactory().patch("/x/", **headers))


def test_the_tag_follows_model_pk_and_timestamp(world: World) -> None:
    mall, hotel = world.orgs["mall-co"], world.orgs["hotel-co"]
    tag = etags.etag_of(mall)
    assert tag == etags.etag_of(Organisation.objects.get(pk=mall.pk))  # stable across reads
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert tag != etags.etag_of(hotel)
    mall.updated += timedelta(microseconds=1)
    assert etags.etag_of(mall) != tag
    assert etags.with_etag(Response({}), hotel)["ETag"] == etags.etag_of(hotel)


def test_if_match_header_parsing() -> None:
    assert etags.if_match_tags(_request()) is None
    assert etags.if_match_tags(_request("")) == []
    assert etags.if_match_tags(_request('"a", W/"b" ,"c"')) == ['"a"', 'W/"b"', '"c"']


def test_check_if_match(world: World, django_assert_num_queries: Any) -> None:
    mall = world.orgs["mall-co"]
    current = etags.etag_of(mall)
    with django_assert_num_queries(0):  # no header: no lock, no read
        assert etags.check_if_match(_request(), mall) is mall
    with transaction.atomic():
        assert etags.check_if_match(_request(current), mall) is mall
        assert etags.check_if_match(_request(f'"x", {current}'), mall) is mall
        assert etags.check_if_match(_request("*"), mall) is mall
        for stale in ['"x"', f"W/{current}", ""]:
            with pytest.raises(etags.PreconditionFailed):
                etags.check_if_match(_request(stale), mall)
        # The stored version counts, not the caller's copy: a save elsewhere makes it stale.
        Organisation.objects.get(pk=mall.pk).save()
        assert etags.if_match_fails(_request(current), mall)
        assert not etags.if_match_fails(_request(etags.etag_of(Organisation.objects.get(
            pk=mall.pk))), mall)  # fmt: skip


def test_precondition_failed_is_412_problem_json() -> None:
    response = exception_handler(etags.PreconditionFailed(), {})
    assert response is not None and response.status_code == 412
    assert response.content_type == "application/problem+json"
    assert response.data["code"] == "precondition_failed"
    assert "changed since you read it" in response.data["title"]
