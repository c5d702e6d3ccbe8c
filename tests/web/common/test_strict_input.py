"""Strict API input: unknown fields and changes to immutable fields are refused (422)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework import serializers

from placeguard.web.common.strict import StrictInputError, StrictInputMixin
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client


class Thing(StrictInputMixin, serializers.Serializer[Any]):
    immutable_fields = ("kind", "owner")

    name = serializers.CharField(max_length=5)
    kind = serializers.CharField(required=False)
    owner = serializers.IntegerField(required=False)
    id = serializers.IntegerField(read_only=True)


def test_unknown_fields_are_listed() -> None:
    s = Thing(data={"name": "a", "is_admin": True, "organisation": 3})
    assert not s.is_valid()
    assert {k for k, v in s.errors.items() if v[0].code == "unknown_field"} == {
        "is_admin",
        "organisation",
    }
    with pytest.raises(StrictInputError) as caught:
        Thing(data={"name": "a", "x": 1}).is_valid(raise_exception=True)
    assert caught.value.status_code == 422
    assert Thing(data={"name": "a", "id": 9}).is_valid()  # read-only echoes are fields


def test_all_problems_are_reported_at_once() -> None:
    s = Thing(data={"name": "toolong", "x": 1})
    assert not s.is_valid()
    assert set(s.errors) == {"name", "x"}


def test_immutable_fields_cannot_change_on_update() -> None:
    stored = SimpleNamespace(kind="mall", owner=1, name="a")
    s = Thing(data={"name": "b", "kind": "stadium"}, context={"instance": stored}, partial=True)
    assert not s.is_valid()
    assert s.errors["kind"][0].code == "immutable"
    same = Thing(data={"name": "b", "kind": "mall", "owner": 1}, context={"instance": stored})
    assert same.is_valid(), same.errors  # unchanged values are fine
    new = Thing(data={"name": "b", "kind": "stadium"})  # no instance: creating
    assert new.is_valid()


def test_ordinary_errors_stay_400() -> None:
    with pytest.raises(serializers.ValidationError) as caught:
        Thing(data={"name": "toolong"}).is_valid(raise_exception=True)
    assert not isinstance(caught.value, StrictInputError)
    assert caught.value.status_code == 400


# ------------------------------------------------------------------ applied to the API
def test_user_update_rejects_unknown_fields(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    url = f"/api/v1/users/{world.users['mall_reader'].pk}/"
    body = assert_problem(
        client.patch(url, {"first_name": "Ann", "organisation": "police-north",
                           "is_superuser": True}, format="json"),
        422,
    )  # fmt: skip
    assert sorted(e["field"] for e in body["errors"]) == ["is_superuser", "organisation"]
    assert {e["code"] for e in body["errors"]} == {"unknown_field"}
    world.users["mall_reader"].refresh_from_db()
    assert world.users["mall_reader"].first_name != "Ann"  # nothing half-saved
    ok = client.patch(url, {"first_name": "Ann"}, format="json")
    assert ok.status_code == 200 and ok.json()["first_name"] == "Ann"


def test_organisation_kind_is_immutable(world: World) -> None:
    client = token_client(world.users["platform_admin"])
    org = world.orgs["mall-co"]
    url = f"/api/v1/organisations/{org.pk}/"
    body = assert_problem(client.patch(url, {"kind": "LAW_ENFORCEMENT"}, format="json"), 422)
    assert body["errors"][0] == {
        "field": "kind",
        "message": "This field cannot be changed.",
        "code": "immutable",
    }
    assert (
        client.patch(url, {"kind": "OPERATOR", "name": "Mall Co."}, format="json").status_code
        == 200
    )


def test_site_create_rejects_unknown_fields(world: World) -> None:
    client = token_client(world.users["mall_admin"])
    body = assert_problem(client.post("/api/v1/sites/", {"operator_id": 1}, format="json"), 422)
    fields = {e["field"]: e["code"] for e in body["errors"]}
    assert fields["operator_id"] == "unknown_field"
    assert len(fields) > 1  # the missing required fields are reported in the same answer
