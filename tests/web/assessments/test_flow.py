"""The whole life of an assessment through the API, as an operator and a police reviewer live it:
start → partial answers → resume → submit → returned with a comment → edit → resubmit →
approve; then next year's re-assessment starts from these answers, and history and diff show
what changed."""

from __future__ import annotations

from typing import Any

from placeguard.web.audit.models import AuditEvent
from tests.conftest import World
from tests.web.helpers import token_client

API = "/api/v1"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def test_full_review_cycle_and_yearly_reassessment(world: World, pack: Any) -> None:
    site = world.sites["mall_north"]
    operator = token_client(world.users["mall_admin"])
    police = token_client(world.users["police_n"])

    # The operator starts and answers part of the questionnaire.
    draft = ok(
        operator.post(f"{API}/assessments/", {"site": site.pk, "threat_level": 4}, format="json"),
        201,
    )
    url = f"{API}/assessments/{draft['id']}/"
    assert (draft["status"], draft["threat_level"], draft["answers"]) == ("draft", 4, {})
    assert draft["prefilled_from"] is None
    ok(
        operator.patch(
            url + "answers/", {"answers": {"GOV-01": 1, "GOV-02": "unknown"}}, format="json"
        )
    )

    # Later, another session resumes where they left off.
    resumed = ok(token_client(world.users["mall_admin"]).get(url))
    assert resumed["answers"] == {"GOV-01": 1, "GOV-02": "unknown"}
    assert resumed["result_is_live"] is True
    ok(
        operator.patch(
            url + "answers/",
            {"answers": {"GOV-02": 2, "PER-01": 0, "ACC-01": "n/a"}},
            format="json",
        )
    )
    ok(operator.patch(url, {"symbolic": 1.0}, format="json"))

    first = ok(operator.post(url + "submit/"))
    assert first["status"] == "submitted"
    assert first["submitted_by"] == "mall_admin"
    assert first["total_risk"] == first["result"]["total_risk"] > 0
    assert first["result_is_live"] is False

    # The police reviewer returns it with a comment on one question.
    returned = ok(
        police.post(
            url + "return/",
            {
                "comment": "PER-01: the car park has no barriers? Please check.",
                "question_id": "PER-01",
            },
            format="json",
        )
    )
    assert returned["status"] == "returned"
    assert returned["reviewed_by"] == "police_n"
    comments = ok(operator.get(url + "comments/"))
    assert [(c["author"], c["question_id"]) for c in comments] == [("police_n", "PER-01")]

    # The operator corrects the answer and resubmits; the result follows the new answer.
    ok(operator.patch(url + "answers/", {"answers": {"PER-01": 3}}, format="json"))
    second = ok(operator.post(url + "submit/"))
    assert second["status"] == "submitted"
    assert second["total_risk"] < first["total_risk"]  # a better answer lowers the risk

    approved = ok(police.post(url + "approve/", {"comment": "Thank you."}, format="json"))
    assert approved["status"] == "approved"
    assert len(ok(operator.get(url + "comments/"))) == 2

    # A year on: the re-assessment starts from last year's answers and context.
    again = ok(
        operator.post(f"{API}/assessments/", {"site": site.pk, "threat_level": 3}, format="json"),
        201,
    )
    assert again["prefilled_from"] == draft["id"]
    assert again["answers"] == {"GOV-01": 1, "GOV-02": 2, "PER-01": 3, "ACC-01": "n/a"}
    assert again["symbolic"] == 1.0
    url2 = f"{API}/assessments/{again['id']}/"
    ok(operator.patch(url2 + "answers/", {"answers": {"GOV-01": 4, "ACC-01": None}}, format="json"))
    ok(operator.post(url2 + "submit/"))
    ok(police.post(url2 + "approve/", {}, format="json"))

    # History: both, newest first; the older one is superseded.
    history = ok(police.get(f"{API}/assessments/", {"site": site.pk}))["results"]
    assert [(h["id"], h["status"]) for h in history] == [
        (again["id"], "approved"),
        (draft["id"], "superseded"),
    ]

    # Diff: which answers changed (with labels) and how each scenario moved.
    diff = ok(police.get(url2 + f"diff/{draft['id']}/"))
    assert (diff["old"], diff["new"]) == (draft["id"], again["id"])
    changes = {c["question_id"]: c for c in diff["answers"]}
    assert set(changes) == {"GOV-01", "ACC-01"}
    gov = pack.question("GOV-01")
    assert changes["GOV-01"]["text"] == gov.text
    assert (changes["GOV-01"]["old"], changes["GOV-01"]["new"]) == (
        gov.options[1].label,
        gov.options[4].label,
    )
    assert (changes["ACC-01"]["old"], changes["ACC-01"]["new"]) == (
        "Not applicable",
        "Not answered",
    )
    assert len(diff["scenarios"]) == 14
    for row in diff["scenarios"]:
        assert row["risk_change"] == row["new_risk"] - row["old_risk"]
    assert diff["old_total"] == second["total_risk"]
    # The reverse order gives the same, chronological comparison.
    assert ok(police.get(url + f"diff/{again['id']}/")) == diff

    actions = list(
        AuditEvent.objects.filter(object_type="assessments.assessment", object_id=str(draft["id"]))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assessment.start",
        "assessment.answers",
        "assessment.answers",
        "assessment.context",
        "assessment.submit",
        "assessment.return",
        "assessment.answers",
        "assessment.submit",
        "assessment.approve",
        "assessment.supersede",
    ]
