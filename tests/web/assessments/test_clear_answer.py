"""Taking an answer back to "not answered" from the section form: a radio choice of its own,
distinct from "unknown", saved (and audited) by the same service as any answer."""

from __future__ import annotations

import re

from django.test import Client

from placeguard.content import load_risk_pack
from placeguard.web.assessments import services
from placeguard.web.assessments.models import Assessment
from placeguard.web.audit.models import AuditEvent
from tests.conftest import World
from tests.web.assessments.conftest import start, submitted

HTMX = {"HTTP_HX_REQUEST": "true"}
GOVERNANCE = load_risk_pack().question("GOV-01").category


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def answers_of(assessment: Assessment) -> dict[str, object]:
    return dict(Assessment.objects.get(pk=assessment.pk).answers)


def answer_events(assessment: Assessment) -> list[dict[str, object]]:
    return list(
        AuditEvent.objects.filter(
            action="assessment.answers",
            object_type="assessments.assessment",
            object_id=str(assessment.pk),
        )
        .order_by("id")
        .values_list("diff", flat=True)
    )


def radio(page: str, question: str, value: str) -> str:
    """The <input> of one radio button of a question."""
    match = re.search(
        rf'<input type="radio" name="q_{question}" value="{re.escape(value)}"[^>]*>', page
    )
    assert match, (question, value)
    return match.group(0)


def test_every_question_offers_not_answered_checked_while_unanswered(world: World) -> None:
    a = start(world)
    services.save_answers(a, {"GOV-01": 3, "GOV-02": "unknown"}, actor=world.users["mall_admin"])
    page = client_for(world, "mall_admin").get(f"/assessments/{a.pk}/?section={GOVERNANCE}")
    html = page.content.decode()
    assert "checked" in radio(html, "GOV-01", "3")
    assert "checked" not in radio(html, "GOV-01", "none")
    assert "checked" in radio(html, "GOV-02", "unknown")
    assert "checked" not in radio(html, "GOV-02", "none")
    assert "checked" in radio(html, "GOV-03", "none")  # never answered
    labels = re.findall(r'id="id_q_GOV-01_\d+"[^>]*>\s*([^<]+?)\s*</label>', html)
    assert labels[-3:] == ["Unknown", "Not applicable", "Not answered"]


def test_not_answered_clears_a_saved_answer_and_is_audited(world: World) -> None:
    a = start(world)
    services.save_answers(
        a, {"GOV-01": 3, "GOV-02": "unknown", "GOV-05": "n/a"}, actor=world.users["mall_admin"]
    )
    before = len(answer_events(a))
    response = client_for(world, "mall_admin").post(
        f"/assessments/{a.pk}/answers/",
        {"section": GOVERNANCE, "q_GOV-01": "none", "q_GOV-02": "unknown", "q_GOV-03": "none"},
    )
    assert response.status_code == 302
    # Cleared: the answer is gone (not turned into "unknown"); the others are untouched.
    assert answers_of(a) == {"GOV-02": "unknown", "GOV-05": "n/a"}
    events = answer_events(a)
    assert len(events) == before + 1
    assert events[-1] == {"answers.GOV-01": [3, None]}
    page = client_for(world, "mall_admin").get(response["Location"]).content.decode()
    assert "checked" in radio(page, "GOV-01", "none")
    assert "Answered 1 of" in page  # GOV-05 (n/a) counts as answered; unknown does not


def test_unknown_can_be_cleared_too_and_clearing_nothing_writes_nothing(world: World) -> None:
    a = start(world)
    services.save_answers(a, {"GOV-02": "unknown"}, actor=world.users["mall_admin"])
    operator = client_for(world, "mall_admin")
    before = len(answer_events(a))
    operator.post(f"/assessments/{a.pk}/answers/", {"section": GOVERNANCE, "q_GOV-03": "none"})
    assert answers_of(a) == {"GOV-02": "unknown"}
    assert len(answer_events(a)) == before  # nothing changed, nothing recorded
    operator.post(f"/assessments/{a.pk}/answers/", {"section": GOVERNANCE, "q_GOV-02": "none"})
    assert answers_of(a) == {}
    assert answer_events(a)[-1] == {"answers.GOV-02": ["unknown", None]}


def test_htmx_clear_returns_the_workspace_with_the_gap_listed(world: World) -> None:
    a = start(world)
    services.save_answers(a, {"GOV-01": 4}, actor=world.users["mall_admin"])
    operator = client_for(world, "mall_admin")
    answered = operator.get(f"/assessments/{a.pk}/", **HTMX).context["result"]
    response = operator.post(
        f"/assessments/{a.pk}/answers/", {"section": GOVERNANCE, "q_GOV-01": "none"}, **HTMX
    )
    assert response.status_code == 200 and b"<html" not in response.content
    assert answers_of(a) == {}
    result = response.context["result"]
    assert result["total"] > answered["total"]  # the best answer no longer counts
    gaps = {q["id"]: q["state"] for g in result["gaps"] for q in g["questions"]}
    assert gaps["GOV-01"] == "Not answered"
    assert "checked" in radio(response.content.decode(), "GOV-01", "none")


def test_readers_may_not_clear_and_outsiders_get_404(world: World) -> None:
    a = start(world)
    services.save_answers(a, {"GOV-01": 2}, actor=world.users["mall_admin"])
    data = {"section": GOVERNANCE, "q_GOV-01": "none"}
    assert (
        client_for(world, "mall_reader").post(f"/assessments/{a.pk}/answers/", data).status_code
        == 403
    )
    assert (
        client_for(world, "hotel_admin").post(f"/assessments/{a.pk}/answers/", data).status_code
        == 404
    )
    assert answers_of(a) == {"GOV-01": 2}


def test_a_submitted_assessment_keeps_its_answers(world: World) -> None:
    a = submitted(world)
    kept = answers_of(a)
    operator = client_for(world, "mall_admin")
    response = operator.post(
        f"/assessments/{a.pk}/answers/", {"section": GOVERNANCE, "q_GOV-01": "none"}
    )
    assert response.status_code == 302
    assert answers_of(a) == kept
    page = operator.get(response["Location"]).content.decode()
    assert "Only a draft or returned assessment can be edited." in page
