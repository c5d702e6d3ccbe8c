"""Capacity services: the workflow, roles, validation, hand-computed gains and indicators."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from placeguard.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.audit.models import AuditEvent
from placeguard.web.capacity import access, queries, services
from placeguard.web.capacity.models import TrainingRequest
from tests.conftest import World
from tests.web.capacity.conftest import AS_OF, REQUEST_RAW, walk


def test_walk_sets_follow_up_six_months_after_delivery(evaluated: Any) -> None:
    assert evaluated.status == "evaluated"
    assert evaluated.delivered_on == dt.date(2026, 1, 31)
    assert evaluated.followup_due == dt.date(2026, 7, 31)
    assert evaluated.is_overdue(dt.date(2026, 8, 1))
    assert not evaluated.is_overdue(dt.date(2026, 7, 31))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "training_request.submit",
        "training_request.triaged",
        "training_request.evaluated",
        "participant.create",
    } <= actions


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ((2026, 1, 31), 6, (2026, 7, 31)),
        ((2026, 8, 31), 6, (2027, 2, 28)),
        ((2027, 8, 31), 6, (2028, 2, 29)),
        ((2026, 12, 1), 1, (2027, 1, 1)),
    ],
)
def test_add_months(day: tuple[int, int, int], months: int, expected: tuple[int, int, int]) -> None:
    assert services.add_months(dt.date(*day), months) == dt.date(*expected)


def test_close_with_follow_up_by_requesting_org(world: World, evaluated: Any) -> None:
    prog, ministry = world.users["programme"], world.users["ministry"]
    req = services.advance(evaluated, actor=prog, to="follow_up_due")
    with pytest.raises(ValidationError) as info:
        services.advance(req, actor=ministry, to="closed", raw={"completed_on": "2025-01-01"})
    assert {e.field for e in info.value.errors} == {"completed_on", "report"}
    req = services.advance(
        req,
        actor=ministry,
        to="closed",
        raw={"completed_on": "2026-07-20", "report": "Steps taken."},
    )
    assert req.status == "closed" and not req.is_overdue(dt.date(2027, 1, 1))


def test_roles(world: World) -> None:
    for name in ["programme", "mall_admin", "police_n_reader", "rogue_police", "platform_admin"]:
        with pytest.raises(PermissionDeniedError):
            services.submit_request(REQUEST_RAW, actor=world.users[name])
    req = services.submit_request(REQUEST_RAW, actor=world.users["police_n"])
    # the requester cannot triage its own request; the platform admin reads but cannot write
    for name in ["police_n", "platform_admin"]:
        with pytest.raises(PermissionDeniedError):
            services.advance(req, actor=world.users[name], to="triaged", raw={"note": "x"})
    # outsiders do not see it at all
    for name in ["ministry", "police_s", "mall_admin"]:
        with pytest.raises(NotFoundError):
            services.advance(req, actor=world.users[name], to="triaged", raw={"note": "x"})
    assert set(access.visible_to(world.users["police_n_reader"])) == {req}
    assert set(access.visible_to(world.users["platform_admin"])) == {req}
    assert not access.visible_to(world.users["ministry"]).exists()


def test_transitions_are_enforced(world: World) -> None:
    prog = world.users["programme"]
    req = services.submit_request(REQUEST_RAW, actor=world.users["ministry"])
    with pytest.raises(ConflictError):
        services.advance(req, actor=prog, to="planned", raw={"activities": "x"})
    req = walk(world, to="delivering")
    with pytest.raises(ValidationError) as info:  # no course yet
        services.advance(req, actor=prog, to="delivered", raw={"delivered_on": "2026-01-31"})
    assert info.value.errors[0].field == "delivered_on"
    assert TrainingRequest.objects.get(pk=req.pk).status == "delivering"


def test_submit_reports_every_problem_and_saves_nothing(world: World) -> None:
    raw = {
        **REQUEST_RAW,
        "title": "",
        "need": " ",
        "scenarios": ["firearms", "nope"],
        "site_types": ["castle"],
        "preferred_end": "2025-01-01",
        "origin_url": "javascript:x",
    }
    with pytest.raises(ValidationError) as info:
        services.submit_request(raw, actor=world.users["ministry"])
    fields = {e.field for e in info.value.errors}
    assert fields == {"title", "need", "scenarios", "site_types", "preferred_end", "origin_url"}
    assert not TrainingRequest.objects.exists()


def test_participant_validation(world: World) -> None:
    req = walk(world, to="delivering")
    prog = world.users["programme"]
    course = services.add_course(
        req, {"title": "C", "topic": "t", "start": "2026-01-01", "max_score": 20}, actor=prog
    )
    with pytest.raises(ValidationError) as info:
        services.add_participant(
            course,
            {
                "name": "",
                "pre_score": 21,
                "satisfaction": 6,
                "gender": "x",
                "attended": False,
                "completed": True,
            },
            actor=prog,
        )
    assert {e.field for e in info.value.errors} == {
        "name",
        "pre_score",
        "satisfaction",
        "gender",
        "completed",
    }
    # gender is never required
    person = services.add_participant(course, {"name": "Zoe"}, actor=prog)
    assert person.gender == ""


def test_cohort_gain_hand_computed(evaluated: Any) -> None:
    course = evaluated.courses.get()
    gain = queries.course_gain(course)
    assert gain.n_complete == 3
    assert gain.n_incomplete == 1
    assert gain.n_excluded_at_ceiling == 1
    assert gain.g_of_averages == pytest.approx(0.68)
    assert gain.average_of_gains == pytest.approx(0.65)
    assert gain.mean_pre_pct == pytest.approx(100 * 7 / 12)
    by_name = {course.participants.get(pk=int(pid)).name: g for pid, g in gain.individual}
    assert by_name == {"Ana": pytest.approx(0.5), "Ben": pytest.approx(0.8), "Cai": None}
    levels = queries.course_summary(course)
    assert levels[0].headline == "mean satisfaction 4.00 / 5"  # (4 + 5 + 3) / 3
    assert levels[1].evidenced and not levels[2].evidenced


def test_indicators_hand_computed(world: World, evaluated: Any) -> None:
    prog = world.users["programme"]
    report = queries.indicators(prog, as_of=AS_OF)
    assert report.officials_trained == 4  # Eli did not attend
    assert report.by_gender == {"female": 2, "male": 1, "not stated": 1}
    assert report.by_country == {"XM": 4}
    assert report.by_sector == {"place_of_worship": 4}
    assert report.satisfaction_mean == pytest.approx(4.0)
    assert report.satisfaction_responses == 3
    assert report.followups_due == 1 and report.followups_completed == 0
    assert queries.indicators(prog, as_of=dt.date(2026, 7, 30)).followups_due == 0
    # a second course on another topic with Ana again: she counts once overall, once per topic
    req = evaluated
    services.advance(req, actor=prog, to="follow_up_due")
    req2 = walk(world, to="delivering")
    course = services.add_course(
        req2,
        {"title": "HVM", "topic": "vehicle barriers", "sector": "retail", "start": "2026-03-01"},
        actor=prog,
    )
    services.add_participant(course, {"name": "ana", "organisation": "police north"}, actor=prog)
    report = queries.indicators(prog, as_of=AS_OF)
    assert report.officials_trained == 4
    assert report.by_topic == {"protective security": 4, "vehicle barriers": 1}
    # the ministry sees only its own requests: the same figures; an outsider sees nothing
    assert queries.indicators(world.users["police_s"], as_of=AS_OF).officials_trained == 0


def test_evidence(world: World, evaluated: Any) -> None:
    prog = world.users["programme"]
    course = evaluated.courses.get()
    with pytest.raises(ValidationError):
        services.add_evidence(course, {"level": 5, "description": "x", "source": "y"}, actor=prog)
    services.add_evidence(
        course,
        {
            "level": 3,
            "description": "Objective 1 rated S",
            "source": "TTX 2026-06",
            "reference_url": "/exercises/1/",
        },
        actor=prog,
    )
    levels = queries.course_summary(course)
    assert levels[2].evidenced and levels[2].sources == ("TTX 2026-06",)
    with pytest.raises(PermissionDeniedError):
        services.add_evidence(
            course, {"level": 1, "description": "x", "source": "y"}, actor=world.users["ministry"]
        )


def test_request_training_from_records_origin(world: World) -> None:
    with pytest.raises(ValidationError):
        services.request_training_from(
            actor=world.users["police_n"],
            title="t",
            need="n",
            origin_label=" ",
            origin_url="",
            origin_ref="",
        )
    req = services.request_training_from(
        actor=world.users["police_n"],
        title="Train search teams",
        need="AAR finding 3",
        origin_label="Corrective action 3 of TTX North Mall",
        origin_url="/exercises/4/",
        origin_ref="exercises.correctiveaction:3",
        scenarios=["pbied"],
    )
    assert req.origin_ref == "exercises.correctiveaction:3"
    produced = queries.produced_by(world.users["programme"], "exercises.correctiveaction:3")
    assert produced.training_requests == [req]
    assert queries.produced_by(world.users["police_s"], req.origin_ref).training_requests == []


def _plan(world: World) -> Any:
    ministry = world.users["ministry"]
    plan = services.create_plan(
        {"title": "NAP soft targets", "purpose": "Protect."}, actor=ministry
    )
    obj = services.add_objective(plan, {"title": "Assess risk", "priority": 1}, actor=ministry)
    action = services.add_action(
        obj,
        {
            "title": "Assess all places of worship",
            "lead_agency": "Ministry",
            "supporting_agencies": "Police North, Police South",
            "mandate_refs": ["poa_rs.preparedness.risk_assessment", "unscr2341.op5"],
            "milestones": "Half done | 2026-06-30\nAll done | 2026-12-31",
            "budget": "5000",
            "currency": "EUR",
        },
        actor=ministry,
    )
    services.add_indicator(
        action, {"definition": "Share assessed", "baseline": 0, "target": 100}, actor=ministry
    )
    return plan, obj, action


def test_plan_crosswalk_and_gao(world: World) -> None:
    plan, _obj, action = _plan(world)
    assert action.supporting_agencies == ["Police North", "Police South"]
    assert action.milestones[1] == {"label": "All done", "date": "2026-12-31"}
    nap = queries.plan_to_engine(plan)
    cw = queries.crosswalk(nap)
    assert cw.covered["unscr2341.op5"] == (str(action.pk),)
    assert "unscr2341.op5" not in cw.gaps
    assert "unscr2341.op3" in cw.gaps and len(cw.gaps) == 7
    verdicts = {g.characteristic: g.verdict for g in queries.gao(nap)}
    assert verdicts["goals_objectives_activities_measures"] == "met"
    assert verdicts["purpose_scope_methodology"] == "partially met"
    services.set_action_status(action, "cancelled", actor=world.users["ministry"])
    assert len(queries.crosswalk(queries.plan_to_engine(plan)).gaps) == 9


def test_plan_validation_and_roles(world: World) -> None:
    plan, obj, _ = _plan(world)
    with pytest.raises(ValidationError) as info:
        services.add_action(
            obj,
            {"title": "", "mandate_refs": ["unscr9999"], "milestones": "no date", "budget": "-3"},
            actor=world.users["ministry"],
        )
    assert {e.field for e in info.value.errors} == {
        "title",
        "mandate_refs",
        "milestones[0]",
        "budget",
    }
    for name in ["programme", "police_n"]:  # they read, they do not write
        assert access.plans_visible_to(world.users[name]).filter(pk=plan.pk).exists()
        with pytest.raises(PermissionDeniedError):
            services.add_objective(plan, {"title": "x"}, actor=world.users[name])
    for name in ["mall_admin", "rogue_police"]:
        with pytest.raises(NotFoundError):
            services.add_objective(plan, {"title": "x"}, actor=world.users[name])
    with pytest.raises(PermissionDeniedError):
        services.create_plan({"title": "x"}, actor=world.users["police_n"])


def test_promote_to_plan_action(world: World) -> None:
    _, obj, _ = _plan(world)
    action = services.promote_to_plan_action(
        actor=world.users["ministry"],
        plan_objective=obj,
        title="Fix radio interoperability",
        origin_label="Corrective action 7",
        origin_url="/exercises/2/aar/",
        origin_ref="exercises.correctiveaction:7",
        mandate_refs=["unscr2341.op6"],
    )
    produced = queries.produced_by(world.users["police_n"], "exercises.correctiveaction:7")
    assert produced.plan_actions == [action]
    assert queries.produced_by(world.users["mall_admin"], action.origin_ref).plan_actions == []


def test_progress_report(world: World) -> None:
    plan, _, _ = _plan(world)
    with pytest.raises(ValidationError):
        services.add_progress_report(plan, {"summary": ""}, actor=world.users["ministry"])
    report = services.add_progress_report(
        plan, {"period_end": "2026-06-30", "summary": "On track."}, actor=world.users["ministry"]
    )
    assert report.plan == plan


def test_import_participants_all_or_nothing(world: World) -> None:
    from placeguard.core.errors import ImportValidationError

    prog = world.users["programme"]
    req = walk(world, to="delivering")
    course = services.add_course(
        req, {"title": "C", "topic": "t", "start": "2026-01-01", "max_score": 20}, actor=prog
    )
    bad = (
        "participant,gender,pre,post,attended,completed\nAna,female,10,25,yes,yes\n,x,1,2,no,yes\n"
    )
    with pytest.raises(ImportValidationError) as info:
        services.import_participants(course, bad, actor=prog)
    # the file's own problems first (cells that are not numbers, flags or in range) …
    assert {(r.row, r.column) for r in info.value.rows} == {(1, "post"), (2, "participant")}
    semantic = "participant,gender,attended,completed\nAna,x,no,yes\n"
    with pytest.raises(ImportValidationError) as info:
        services.import_participants(course, semantic, actor=prog)
    # … then the participant rules, every row at once
    assert {(r.row, r.column) for r in info.value.rows} == {(1, "gender"), (1, "completed")}
    assert not course.participants.exists()
    good = "participant,gender,pre,post,completed\nAna,Female,10,15,yes\nBen,not stated,5,17,no\n"
    people = services.import_participants(course, good, actor=prog)
    assert [(p.name, p.gender, p.completed) for p in people] == [
        ("Ana", "female", True),
        ("Ben", "", False),
    ]
    assert queries.course_gain(course).g_of_averages == pytest.approx(0.68)
    with pytest.raises(PermissionDeniedError):
        services.import_participants(course, good, actor=world.users["ministry"])


def test_update_plan_fills_gao_elements(world: World) -> None:
    plan, _, _ = _plan(world)
    before = {g.characteristic: g.verdict for g in queries.gao(queries.plan_to_engine(plan))}
    assert before["purpose_scope_methodology"] == "partially met"
    with pytest.raises(ValidationError):
        services.update_plan(plan, {"title": " "}, actor=world.users["ministry"])
    services.update_plan(
        plan, {"scope": "Nationwide", "methodology": "Workshops"}, actor=world.users["ministry"]
    )
    plan.refresh_from_db()
    assert plan.purpose == "Protect." and plan.scope == "Nationwide"
    after = {g.characteristic: g.verdict for g in queries.gao(queries.plan_to_engine(plan))}
    assert after["purpose_scope_methodology"] == "met"
    with pytest.raises(PermissionDeniedError):
        services.update_plan(plan, {"scope": "x"}, actor=world.users["programme"])
