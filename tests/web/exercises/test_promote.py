"""The loop: promoting a corrective action to a national-plan action or a training request.

Who may promote (editors of the action's owner organisation or of the exercise owner; others
403, outsiders 404), which targets each user is offered (plan objectives they write; training
requests only for a requesting authority), what is created, and the "produced:" links back.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from placeguard.core.errors import ValidationError
from placeguard.web.capacity import services as capacity
from placeguard.web.capacity.models import PlanAction, PlanObjective, TrainingRequest
from placeguard.web.exercises import loop, services
from placeguard.web.exercises.models import CorrectiveAction
from tests.conftest import World
from tests.web.exercises.conftest import with_action


def client_for(w: World, persona: str) -> Client:
    client = Client()
    client.force_login(w.users[persona])
    return client


def ministry_objective(w: World) -> PlanObjective:
    plan = capacity.create_plan({"title": "National plan XM"}, actor=w.users["ministry"])
    return capacity.add_objective(
        plan, {"title": "Protect places of worship"}, actor=w.users["ministry"]
    )


def ministry_action(w: World, parish_action: CorrectiveAction) -> CorrectiveAction:
    """A second corrective action of the same exercise, owned by the Ministry (an authority)."""
    return services.add_corrective_action(
        parish_action.area,
        {
            "description": "Fund lockdown hardware",
            "element": "equipment",
            "owner_org": w.orgs["ministry"].pk,
            "contact": "Desk officer",
            "start": "2026-03-10",
            "due": "2030-01-01",
        },
        actor=w.users["police_n"],
    )


def url(action: CorrectiveAction) -> str:
    return reverse("exercises:action-promote", args=[action.pk])


# ------------------------------------------------------------------ training request
def test_exercise_owner_promotes_to_training_request(pworld: World) -> None:
    action = with_action(pworld)
    client = client_for(pworld, "police_n")
    page = client.get(url(action))
    assert page.status_code == 200
    assert 'value="training"' in page.content.decode()
    assert 'value="plan"' not in page.content.decode()  # police write no national plan
    response = client.post(
        url(action),
        {"target": "training", "title": "Lockdown drill course", "need": "Staff never drilled"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("exercises:tasks") + f"#task-{action.pk}"
    req = TrainingRequest.objects.get()
    assert req.title == "Lockdown drill course"
    assert req.need == "Staff never drilled"
    assert req.requesting_org == pworld.orgs["police-north"]
    assert req.origin_ref == f"exercises.correctiveaction:{action.pk}"
    assert req.origin_url == action.origin_url
    assert action.code in req.origin_label
    # the capacity item shows where it came from
    detail = client.get(reverse("capacity:request", args=[req.pk])).content.decode()
    assert action.origin_url in detail
    assert f"exercises.correctiveaction:{action.pk}" in detail


def test_redirects_back_to_the_aar(pworld: World) -> None:
    action = with_action(pworld)
    response = client_for(pworld, "police_n").post(
        url(action), {"target": "training", "title": "Course", "need": "Need", "next": "aar"}
    )
    assert response.status_code == 302
    assert response["Location"] == action.origin_url


def test_operator_may_not_request_training(pworld: World) -> None:
    """The parish owns the action but is no requesting authority and writes no plan."""
    action = with_action(pworld)
    client = client_for(pworld, "parish_admin")
    page = client.get(url(action))
    assert page.status_code == 200
    assert 'id="no-targets"' in page.content.decode()
    response = client.post(url(action), {"target": "training", "title": "T", "need": "N"})
    assert response.status_code == 200  # the choice is not offered: a form error
    assert not TrainingRequest.objects.exists()


def test_training_needs_a_need(pworld: World) -> None:
    action = with_action(pworld)
    response = client_for(pworld, "police_n").post(
        url(action), {"target": "training", "title": "Course", "need": " "}
    )
    assert response.status_code == 200
    assert not TrainingRequest.objects.exists()


# ------------------------------------------------------------------ plan action
def test_owning_authority_promotes_to_its_plan(pworld: World) -> None:
    objective = ministry_objective(pworld)
    action = ministry_action(pworld, with_action(pworld))
    client = client_for(pworld, "ministry")
    page = client.get(url(action)).content.decode()
    assert 'value="plan"' in page
    assert f'value="{objective.pk}"' in page
    assert 'value="training"' in page  # a vetted authority also requests training
    response = client.post(
        url(action), {"target": "plan", "objective": objective.pk, "title": "Hardware fund"}
    )
    assert response.status_code == 302
    item = PlanAction.objects.get()
    assert item.objective == objective
    assert item.title == "Hardware fund"
    assert item.origin_ref == f"exercises.correctiveaction:{action.pk}"
    plan_page = client.get(reverse("capacity:plan", args=[objective.plan_id])).content.decode()
    assert action.origin_url in plan_page


def test_objectives_of_other_plans_are_not_offered(pworld: World) -> None:
    """Police North may promote (exercise owner) but writes no plan: a forged objective fails."""
    objective = ministry_objective(pworld)
    action = with_action(pworld)
    response = client_for(pworld, "police_n").post(
        url(action), {"target": "plan", "objective": objective.pk, "title": "X"}
    )
    assert response.status_code == 200
    assert not PlanAction.objects.exists()
    with pytest.raises(ValidationError) as exc:
        loop.promote(
            action.pk,
            actor=pworld.users["police_n"],
            target="plan",
            title="X",
            objective_id=objective.pk,
        )
    assert [e.field for e in exc.value.errors] == ["objective"]
    assert not PlanAction.objects.exists()


# ------------------------------------------------------------------ who may promote
def test_outsiders_get_404_and_readers_403(pworld: World) -> None:
    action = with_action(pworld)
    assert client_for(pworld, "mall_admin").get(url(action)).status_code == 404
    assert client_for(pworld, "police_s").get(url(action)).status_code == 404
    # these see the action but may not change it
    assert client_for(pworld, "police_n_reader").get(url(action)).status_code == 403
    assert client_for(pworld, "parish_reader").get(url(action)).status_code == 403
    post = client_for(pworld, "police_n_reader").post(
        url(action), {"target": "training", "title": "T", "need": "N"}
    )
    assert post.status_code == 403
    assert not TrainingRequest.objects.exists()
    assert Client().get(url(action)).status_code == 302  # to the login page


def test_ministry_may_not_promote_actions_it_does_not_own(pworld: World) -> None:
    """The Ministry writes a plan but owns neither the parish's action nor the exercise."""
    objective = ministry_objective(pworld)
    action = with_action(pworld)
    client = client_for(pworld, "ministry")
    status = client.post(
        url(action), {"target": "plan", "objective": objective.pk, "title": "X"}
    ).status_code
    assert status == 403  # the Ministry sees the church (whole country) but owns nothing here
    assert not PlanAction.objects.exists()


# ------------------------------------------------------------------ produced links
def test_produced_link_shows_on_tasks_and_aar(pworld: World) -> None:
    objective = ministry_objective(pworld)
    parish = with_action(pworld)
    action = ministry_action(pworld, parish)
    ministry = client_for(pworld, "ministry")
    ministry.post(url(action), {"target": "plan", "objective": objective.pk, "title": "Fund"})
    police = client_for(pworld, "police_n")
    police.post(url(parish), {"target": "training", "title": "Drill course", "need": "N"})
    item = PlanAction.objects.get()
    req = TrainingRequest.objects.get()

    tasks = ministry.get(reverse("exercises:tasks")).content.decode()
    plan_link = reverse("capacity:plan", args=[objective.plan_id]) + f"#action-{item.pk}"
    assert "produced:" in tasks
    assert plan_link in tasks
    assert reverse("exercises:action-promote", args=[action.pk]) in tasks

    aar = police.get(reverse("exercises:aar", args=[parish.exercise_id])).content.decode()
    assert reverse("capacity:request", args=[req.pk]) in aar  # police's own request
    assert plan_link in aar  # vetted police of the same country read the plan
    assert f"{reverse('exercises:action-promote', args=[parish.pk])}?next=aar" in aar

    # the parish sees neither the police's request nor the ministry's plan
    parish_tasks = client_for(pworld, "parish_admin").get(reverse("exercises:tasks"))
    assert "produced:" not in parish_tasks.content.decode()


def test_promote_link_hidden_from_readers(pworld: World) -> None:
    action = with_action(pworld)
    aar = client_for(pworld, "police_n_reader").get(
        reverse("exercises:aar", args=[action.exercise_id])
    )
    assert reverse("exercises:action-promote", args=[action.pk]) not in aar.content.decode()


def test_promotion_is_audited(pworld: World) -> None:
    from placeguard.web.audit.models import AuditEvent

    action = with_action(pworld)
    loop.promote(action.pk, actor=pworld.users["police_n"], target="training", title="C", need="N")
    assert AuditEvent.objects.filter(action="corrective_action.promote").count() == 1
    assert AuditEvent.objects.filter(action="training_request.submit").count() == 1
