"""``/api/v1/sars/``: list, detail, create, vet, notes; 404 for outsiders; 422 for bad input."""

from __future__ import annotations

from typing import Any

import pytest

from placeguard.web.audit.models import AuditEvent
from placeguard.web.sars.models import SuspiciousActivityReport
from tests.conftest import World
from tests.web.helpers import assert_problem, token_client
from tests.web.sars.conftest import sar_raw

pytestmark = pytest.mark.django_db
URL = "/api/v1/sars/"


def _create(w: World, user: str = "mall_reporter", **overrides: Any) -> dict[str, Any]:
    response = token_client(w.users[user]).post(
        URL, sar_raw(w.sites["mall_north"], **overrides), format="json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_create_list_detail(sarworld: World) -> None:
    w = sarworld
    body = _create(w)
    assert body["status"] == "new" and body["behaviours"] == ["INTRSN"] and body["is_mine"]
    assert body["reporter"]["full_name"] == "Rita Reporter"
    assert "vetting_notes" not in body
    listed = token_client(w.users["mall_admin"]).get(URL).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert "narrative" not in listed["results"][0]  # lists carry no narrative
    detail = token_client(w.users["mall_admin"]).get(f"{URL}{body['id']}/").json()
    assert detail["narrative"].startswith("A person climbed") and not detail["is_mine"]
    assert "reporter" not in detail  # the organisation's analysts do not learn who reported
    reads = AuditEvent.objects.filter(action="sar.read", object_id=str(body["id"]))
    assert list(reads.values_list("actor__username", flat=True)) == ["mall_admin"]


def test_list_has_a_query_budget(sarworld: World, django_assert_max_num_queries: Any) -> None:
    w = sarworld
    for _ in range(6):
        _create(w)
    client = token_client(w.users["police_n"])
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"page_size": 200})
    assert len(response.json()["results"]) == 6


@pytest.mark.parametrize("persona", ["hotel_admin", "police_s", "ministry", "platform_admin",
                                     "auditor", "rogue_police", "mall_reader"])  # fmt: skip
def test_outsiders_get_404_and_the_allowed_get_200(sarworld: World, persona: str) -> None:
    w = sarworld
    sar_id = _create(w)["id"]
    assert_problem(token_client(w.users[persona]).get(f"{URL}{sar_id}/"), 404)
    assert token_client(w.users[persona]).get(URL).json()["results"] == []
    police = token_client(w.users["police_n"]).get(f"{URL}{sar_id}/")
    assert police.status_code == 200
    assert police.json()["reporter"]["full_name"] == "Rita Reporter"


def test_create_rejects_unknown_fields_and_bad_input_with_422(sarworld: World) -> None:
    w = sarworld
    client = token_client(w.users["mall_reporter"])
    raw = sar_raw(w.sites["mall_north"], race="x", subject_count="many")
    raw["reporter"]["religion"] = "y"
    body = assert_problem(client.post(URL, raw, format="json"), 422)
    fields = {e["field"]: e["code"] for e in body["errors"]}
    assert fields == {"race": "unknown_field", "subject_count": "invalid",
                      "reporter.religion": "unknown_field"}  # fmt: skip
    body = assert_problem(client.post(URL, sar_raw(w.sites["mall_north"], narrative="",
                                                   behaviours=["PHOTO"]), format="json"), 422)  # fmt: skip
    assert {e["field"] for e in body["errors"]} == {"narrative", "articulable_facts"}
    assert not SuspiciousActivityReport.objects.exists()
    assert _create(w)["id"]  # the valid input is accepted


def test_readers_cannot_file_and_403(sarworld: World) -> None:
    w = sarworld
    response = token_client(w.users["mall_reader"]).post(
        URL, sar_raw(w.sites["mall_north"]), format="json"
    )
    assert_problem(response, 403)
    assert _create(w, "mall_reporter")["id"]


def test_vet_and_notes(sarworld: World) -> None:
    w = sarworld
    sar_id = _create(w)["id"]
    police = token_client(w.users["police_n"])
    mall = token_client(w.users["mall_admin"])
    assert_problem(mall.post(f"{URL}{sar_id}/vet/", {"status": "under_review"}, format="json"),
                   403)  # fmt: skip
    bad = police.post(f"{URL}{sar_id}/vet/", {"status": "referred", "extra": 1}, format="json")
    assert {e["field"] for e in assert_problem(bad, 422)["errors"]} == {"extra"}
    wrong = police.post(f"{URL}{sar_id}/vet/", {"status": "referred", "note": "x"}, format="json")
    assert assert_problem(wrong, 422)["errors"][0]["code"] == "invalid_transition"
    ok = police.post(f"{URL}{sar_id}/vet/", {"status": "under_review", "note": "CCTV"},
                     format="json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["status"] == "under_review"
    note = police.post(f"{URL}{sar_id}/notes/", {"body": "Plate known."}, format="json")
    assert note.status_code == 201
    assert_problem(mall.post(f"{URL}{sar_id}/notes/", {"body": "hi"}, format="json"), 403)
    outsider = token_client(w.users["police_s"])
    assert_problem(outsider.post(f"{URL}{sar_id}/notes/", {"body": "hi"}, format="json"), 404)
    police_view = police.get(f"{URL}{sar_id}/").json()
    assert [n["body"] for n in police_view["vetting_notes"]] == ["CCTV", "Plate known."]
    mall_view = mall.get(f"{URL}{sar_id}/").json()
    assert mall_view["status"] == "under_review"
    assert [h["to_status"] for h in mall_view["status_history"]] == ["under_review"]
    assert "vetting_notes" not in mall_view and "CCTV" not in str(mall_view)
    assert all("reason" not in d for d in mall_view["disseminations"])
    assert all("reason" in d for d in police_view["disseminations"])


def test_referral_over_the_api_reaches_the_other_force(sarworld: World) -> None:
    w = sarworld
    sar_id = _create(w)["id"]
    police = token_client(w.users["police_n"])
    south = token_client(w.users["police_s"])
    assert_problem(south.get(f"{URL}{sar_id}/"), 404)
    police.post(f"{URL}{sar_id}/vet/", {"status": "under_review"}, format="json")
    response = police.post(
        f"{URL}{sar_id}/vet/",
        {"status": "referred", "note": "Theirs.", "refer_to": ["police-south"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    seen = south.get(f"{URL}{sar_id}/").json()
    assert seen["status"] == "referred" and "reporter" not in seen
    assert [d["to_org"] for d in seen["disseminations"]] == ["police-north", "police-south"]
