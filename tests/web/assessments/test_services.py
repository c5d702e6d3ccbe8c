"""Assessment services: the numbers, the rules of state and of who may act, and the audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.core.timeprofile import TimeProfile
from placeguard.engines.risk.assessment import SiteProfile, assess
from placeguard.engines.risk.scales import BANDS
from placeguard.web.assessments import access, queries, scoring, services
from placeguard.web.assessments.choices import ActionStatus, RiskBand
from placeguard.web.assessments.models import ActionItem, Assessment, RiskAcceptance
from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.services import verify_chain
from placeguard.web.sites.services import archive_site, update_site
from tests.conftest import World
from tests.web.assessments.conftest import ANSWERS, approved, start, submitted, tomorrow


# ------------------------------------------------------------------ the numbers
def test_total_risk_is_the_engine_result_for_the_same_inputs(world: World, pack: Any) -> None:
    """Hand-checkable: the stored figure is exactly what the engine gives when called directly."""
    profile_json = {
        "weekly": {"sat": [["09:00", "21:00"]]},
        "events": [
            {
                "name": "Opening",
                "start": "2030-05-01T10:00",
                "end": "2030-05-01T18:00",
                "expected_attendance": 5000,
            }
        ],
    }
    site = update_site(world.sites["mall_north"], {"time_profile": profile_json}, actor=None)
    assessment = start(world, threat_level=4)
    services.update_context(
        assessment, actor=world.users["mall_admin"], symbolic=1.5, threatened=True, impact=1.25
    )
    services.save_answers(assessment, ANSWERS, actor=world.users["mall_admin"])
    done = services.submit(assessment, actor=world.users["mall_admin"])

    direct = assess(
        pack,
        SiteProfile(
            site_type="retail",
            capacity=1200,
            symbolic=1.5,
            threatened=True,
            impact=1.25,
            time_profile=TimeProfile.from_json(profile_json),
        ),
        ANSWERS,
        threat_level=4,
    )
    assert site.capacity == 1200 and direct.people == 5000  # the event is the crowd that matters
    assert done.total_risk == direct.total_risk
    assert done.result == direct.as_dict()
    assert done.pack_version == pack.version
    worst = max(direct.scenarios, key=lambda s: s.risk)
    assert done.top_scenario == worst.scenario
    bands = [name for _upper, name in BANDS]
    assert done.worst_band == max((s.band for s in direct.scenarios), key=bands.index)


def test_band_choices_are_the_engine_bands() -> None:
    assert [b.value for b in RiskBand] == [name for _upper, name in BANDS]


def test_summary_of_a_result() -> None:
    result = {
        "total_risk": 3.0,
        "scenarios": [
            {"scenario": "a", "risk": 1.0, "band": "high"},
            {"scenario": "b", "risk": 2.0, "band": "moderate"},
        ],
    }
    summary = scoring.summarise(result)
    assert (summary.total_risk, summary.worst_band, summary.top_scenario) == (3.0, "high", "b")


# ------------------------------------------------------------------ validation
def test_every_bad_answer_is_listed_and_nothing_is_saved(world: World, pack: Any) -> None:
    draft = start(world)
    services.save_answers(draft, {"GOV-01": 2}, actor=None)
    events = AuditEvent.objects.count()
    last = len(pack.question("GOV-02").options)
    with pytest.raises(ValidationError) as caught:
        services.save_answers(
            draft,
            {
                "GOV-01": 0,
                "XX-1": 1,
                "POW-01": 1,
                "GOV-02": last,
                "GOV-03": True,
                "GOV-04": -1,
                "GOV-05": "perhaps",
            },
            actor=world.users["mall_admin"],
        )
    fields = [e.field for e in caught.value.errors]
    assert sorted(fields) == sorted(
        [
            "answers.XX-1",
            "answers.POW-01",
            "answers.GOV-02",
            "answers.GOV-03",
            "answers.GOV-04",
            "answers.GOV-05",
        ]
    )
    assert "does not apply" in next(e.message for e in caught.value.errors if "POW" in e.field)
    assert Assessment.objects.get(pk=draft.pk).answers == {"GOV-01": 2}
    assert AuditEvent.objects.count() == events


def test_clearing_an_answer_and_saving_nothing_new(world: World) -> None:
    draft = start(world)
    services.save_answers(draft, {"GOV-01": 2, "GOV-02": 1}, actor=None)
    events = AuditEvent.objects.count()
    services.save_answers(draft, {"GOV-01": 2}, actor=None)  # unchanged: no event
    assert AuditEvent.objects.count() == events
    cleared = services.save_answers(draft, {"GOV-01": None}, actor=None)
    assert cleared.answers == {"GOV-02": 1}
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.diff == {"answers.GOV-01": [2, None]}


def test_submit_rechecks_stored_answers(world: World) -> None:
    draft = start(world)
    Assessment.objects.filter(pk=draft.pk).update(answers={"GOV-01": 42})
    with pytest.raises(ValidationError) as caught:
        services.submit(draft, actor=None)
    assert [e.field for e in caught.value.errors] == ["answers.GOV-01"]
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


def test_return_needs_a_comment_and_a_real_question(world: World) -> None:
    assessment = submitted(world)
    with pytest.raises(ValidationError):
        services.return_for_changes(assessment, actor=world.users["police_n"], comment="  ")
    with pytest.raises(ValidationError):
        services.return_for_changes(
            assessment, actor=world.users["police_n"], comment="x", question_id="POW-01"
        )
    assert Assessment.objects.get(pk=assessment.pk).status == "submitted"


# ------------------------------------------------------------------ one open assessment
def test_one_assessment_in_progress_per_site(world: World) -> None:
    draft = start(world)
    with pytest.raises(ConflictError) as caught:
        start(world, by="police_n")
    assert caught.value.code == "assessment_in_progress"
    services.submit(draft, actor=world.users["mall_admin"])
    with pytest.raises(ConflictError):
        start(world)  # submitted is still in progress
    services.return_for_changes(draft, actor=world.users["police_n"], comment="More, please.")
    with pytest.raises(ConflictError):
        start(world)  # returned too
    start(world, "mall_south")  # another site is unaffected
    services.submit(draft, actor=world.users["mall_admin"])
    services.approve(draft, actor=world.users["police_n"])
    assert start(world).status == "draft"


def test_the_database_backs_the_one_open_rule(world: World) -> None:
    draft = start(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(site=draft.site, status="returned", pack_version="x")


def test_archived_sites_are_not_assessed(world: World) -> None:
    archive_site(world.sites["mall_north"], actor=None)
    with pytest.raises(ConflictError) as caught:
        start(world)
    assert caught.value.code == "site_archived"


# ------------------------------------------------------------------ pre-filling
def test_reassessment_starts_from_the_last_approved_answers(world: World, pack: Any) -> None:
    retail_only = next(
        q for q in pack.questions if "retail" in q.site_types and not q.applies_to("hospitality")
    )
    first = approved(world, answers={**ANSWERS, retail_only.id: 1})
    again = start(world, threat_level=5)
    assert again.prefilled_from_id == first.pk
    assert again.answers == {**ANSWERS, retail_only.id: 1}
    assert again.threat_level == 5

    # Once approved, the re-assessment is the source for the one after.
    services.save_answers(again, {"GOV-01": 0}, actor=None)
    services.submit(again, actor=None)
    services.return_for_changes(again, actor=None, comment="x")
    services.submit(again, actor=None)
    services.approve(again, actor=None)

    # The site became a hotel: answers the pack no longer asks for a hotel are dropped.
    update_site(world.sites["mall_north"], {"site_type": "hospitality"}, actor=None)
    third = start(world)
    assert third.prefilled_from_id == again.pk
    assert retail_only.id not in third.answers
    assert third.answers["GOV-01"] == 0


def test_first_assessment_starts_empty(world: World) -> None:
    draft = start(world)
    assert (draft.answers, draft.prefilled_from_id, draft.symbolic, draft.impact) == (
        {},
        None,
        0.0,
        1.0,
    )


# ------------------------------------------------------------------ review
def test_nobody_approves_their_own_submission(world: World) -> None:
    assessment = submitted(world, by="police_n")
    with pytest.raises(PermissionDeniedError):
        services.approve(assessment, actor=world.users["police_n"])
    assert services.approve(assessment, actor=world.users["ministry"]).status == "approved"


def test_approval_supersedes_the_previous_one(world: World) -> None:
    first = approved(world)
    second = approved(world)
    statuses = dict(Assessment.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk]) == ("superseded", "approved")
    assert list(queries.history(world.sites["mall_north"])) == [second, first]


def test_editing_is_refused_once_submitted(world: World) -> None:
    assessment = submitted(world)
    for call in (
        lambda: services.save_answers(assessment, {"GOV-01": 1}, actor=None),
        lambda: services.update_context(assessment, actor=None, threat_level=2),
        lambda: services.submit(assessment, actor=None),
    ):
        with pytest.raises(ConflictError):
            call()


def test_diff_compares_assessments_of_one_site_only(world: World) -> None:
    with pytest.raises(ValidationError):
        queries.diff_assessments(start(world), start(world, "mall_south"))


def test_diff_of_a_draft_uses_its_live_result(world: World) -> None:
    old = approved(world, answers={"GOV-01": 0})
    new = services.save_answers(start(world), {"GOV-01": 4}, actor=None)
    diff = queries.diff_assessments(old, new)
    assert [c.question_id for c in diff.answers] == ["GOV-01"]
    assert diff.new_total < diff.old_total
    assert any(s.risk_change is not None and s.risk_change < 0 for s in diff.scenarios)


# ------------------------------------------------------------------ action items
def test_overdue_flag(world: World) -> None:
    assessment = submitted(world)
    candidate = scoring.plan_problem(assessment).ids[0]
    [item] = services.create_action_items(assessment, [candidate], actor=None)
    assert item.is_overdue is False  # no due date
    today = timezone.localdate()
    for due, status, overdue in [
        (today - timedelta(days=1), ActionStatus.OPEN, True),
        (today - timedelta(days=1), ActionStatus.IN_PROGRESS, True),
        (today, ActionStatus.OPEN, False),
        (today - timedelta(days=30), ActionStatus.DONE, False),
        (today - timedelta(days=30), ActionStatus.CANCELLED, False),
    ]:
        item = services.update_action_item(item, {"due_date": due, "status": status}, actor=None)
        assert item.is_overdue is overdue, (due, status)
        late = queries.filter_overdue(ActionItem.objects.all(), overdue=True)
        assert late.filter(pk=item.pk).exists() is overdue


def test_action_items_need_a_result_and_valid_changes(world: World, pack: Any) -> None:
    draft = start(world)
    with pytest.raises(ConflictError):
        services.create_action_items(draft, ["SECURITY_LEAD"], actor=None)
    services.submit(draft, actor=None)
    with pytest.raises(ValidationError):
        services.create_action_items(draft, [], actor=None)
    [item] = services.create_action_items(draft, ["SECURITY_LEAD"], actor=None)
    assert item.title == pack.measure("SECURITY_LEAD").name
    with pytest.raises(ValidationError) as caught:
        services.update_action_item(
            item,
            {"status": "dreaming", "colour": "red", "due_date": "soon", "owner": "x"},
            actor=None,
        )
    assert {e.field for e in caught.value.errors} == {"status", "colour", "due_date", "owner"}


# ------------------------------------------------------------------ risk acceptance
def test_acceptance_expires_when_its_date_passes(world: World) -> None:
    assessment = submitted(world)
    signer = world.users["mall_admin"]
    acceptance = services.accept_risk(
        assessment, "uas", actor=signer, rationale="Drone risk judged low.", expires_on=tomorrow()
    )
    assert acceptance.current_status == "active"
    with pytest.raises(ValidationError):
        services.accept_risk(
            assessment, "cbrn", actor=signer, rationale="x", expires_on=timezone.localdate()
        )

    # Time passes: the date is now behind us.
    yesterday = timezone.localdate() - timedelta(days=1)
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=yesterday)
    acceptance.refresh_from_db()
    assert acceptance.status == "active" and acceptance.current_status == "expired"
    rows = RiskAcceptance.objects.all()
    assert list(queries.filter_acceptances_by_status(rows, "expired")) == [acceptance]
    assert not queries.filter_acceptances_by_status(rows, "active").exists()
    with pytest.raises(ConflictError):
        services.revoke_acceptance(acceptance, actor=signer)

    # A new acceptance of the same scenario is allowed and marks the old one expired.
    renewed = services.accept_risk(
        assessment, "uas", actor=signer, rationale="Reviewed again.", expires_on=tomorrow()
    )
    acceptance.refresh_from_db()
    assert (acceptance.status, renewed.status) == ("expired", "active")
    assert AuditEvent.objects.filter(
        action="risk_acceptance.expire", object_id=str(acceptance.pk)
    ).exists()


def test_expire_acceptances_makes_the_stored_status_agree(world: World) -> None:
    assessment = submitted(world)
    for scenario in ("uas", "cbrn"):
        services.accept_risk(assessment, scenario, actor=None, rationale="r", expires_on=tomorrow())
    assert services.expire_acceptances(today=tomorrow() + timedelta(days=1)) == 2
    assert set(RiskAcceptance.objects.values_list("status", flat=True)) == {"expired"}
    assert services.expire_acceptances(today=tomorrow() + timedelta(days=1)) == 0


# ------------------------------------------------------------------ who may act
CAPABILITIES = {
    # persona: (edit, review, manage actions, accept risk) on North Mall
    "mall_admin": (True, False, True, True),
    "mall_reader": (False, False, False, False),
    "police_n": (True, True, False, False),
    "police_n_reader": (False, False, False, False),
    "ministry": (True, True, False, False),
    "rogue_police": (False, False, False, False),
    "hotel_admin": (False, False, False, False),
    "programme": (False, False, False, False),
    "platform_admin": (False, False, False, False),
}


@pytest.mark.parametrize(("persona", "expected"), CAPABILITIES.items())
def test_capabilities(world: World, persona: str, expected: tuple[bool, ...]) -> None:
    user, site = world.users[persona], world.sites["mall_north"]
    got = (
        access.can_edit_answers(user, site),
        access.can_review(user, site),
        access.can_manage_actions(user, site),
        access.can_accept_risk(user, site),
    )
    assert got == expected


def test_services_hide_what_the_actor_cannot_see(world: World) -> None:
    assessment = submitted(world)
    with pytest.raises(NotFoundError):
        services.approve(assessment, actor=world.users["police_s"])
    with pytest.raises(NotFoundError):
        services.start_assessment(world.sites["mall_north"], actor=world.users["hotel_admin"])
    item = services.create_action_items(assessment, ["SECURITY_LEAD"], actor=None)[0]
    with pytest.raises(NotFoundError):
        services.update_action_item(item, {"status": "done"}, actor=world.users["hotel_admin"])


def test_visibility_follows_the_site(world: World) -> None:
    north, south = submitted(world), submitted(world, "mall_south")
    assert set(access.visible_to(world.users["police_n"])) == {north}
    assert set(access.visible_to(world.users["police_s"])) == {south}
    assert set(access.visible_to(world.users["mall_reader"])) == {north, south}
    assert not access.visible_to(world.users["rogue_police"]).exists()
    assert not access.visible_to(world.users["platform_admin"]).exists()


# ------------------------------------------------------------------ audit
def test_every_write_records_its_audit_event(world: World) -> None:
    admin, police = world.users["mall_admin"], world.users["police_n"]
    expected: list[tuple[str, str]] = []

    def step(call: Any, action: str) -> Any:
        before = AuditEvent.objects.count()
        obj = call()
        event = AuditEvent.objects.order_by("-id").first()
        assert event is not None and AuditEvent.objects.count() > before
        assert event.action == action
        assert event.actor_label in {"mall_admin", "police_n"}
        assert event.organisation_id == event.actor.organisation_id  # type: ignore[union-attr]
        expected.append((action, event.object_id))
        return obj

    draft = step(lambda: start(world), "assessment.start")
    step(lambda: services.save_answers(draft, ANSWERS, actor=admin), "assessment.answers")
    step(lambda: services.update_context(draft, actor=admin, threat_level=4), "assessment.context")
    step(lambda: services.submit(draft, actor=admin), "assessment.submit")
    step(lambda: services.add_comment(draft, actor=police, text="Hm."), "review_comment.create")
    step(
        lambda: services.return_for_changes(draft, actor=police, comment="Fix GOV-03."),
        "review_comment.create",
    )
    assert AuditEvent.objects.filter(action="assessment.return").count() == 1
    step(lambda: services.submit(draft, actor=admin), "assessment.submit")
    step(lambda: services.approve(draft, actor=police), "assessment.approve")
    [item] = step(
        lambda: services.create_action_items(draft, ["SECURITY_LEAD"], actor=admin),
        "action_item.create",
    )
    step(
        lambda: services.update_action_item(item, {"status": "done"}, actor=admin),
        "action_item.update",
    )
    acceptance = step(
        lambda: services.accept_risk(
            draft, "uas", actor=admin, rationale="Low.", expires_on=tomorrow()
        ),
        "risk_acceptance.create",
    )
    step(
        lambda: services.revoke_acceptance(acceptance, actor=admin, reason="Threat rose."),
        "risk_acceptance.revoke",
    )
    assert expected[-1] == ("risk_acceptance.revoke", str(acceptance.pk))
    assert expected[-4] == ("action_item.create", str(item.pk))
    assert verify_chain().ok


def test_a_refused_write_leaves_no_audit_event(world: World) -> None:
    assessment = submitted(world)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        services.approve(assessment, actor=world.users["mall_admin"])
    with pytest.raises(ConflictError):
        services.submit(assessment, actor=world.users["mall_admin"])
    assert AuditEvent.objects.count() == before
