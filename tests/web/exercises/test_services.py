"""Exercise services: design from the assessment, MSEL editing and import, the conduct clock,
ratings roll-up, AAR/IP and corrective actions, visibility and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from placeguard.core.errors import (
    ConflictError,
    ImportValidationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from placeguard.web.assessments.queries import reference_for_site
from placeguard.web.audit.models import AuditEvent
from placeguard.web.exercises import access, queries, services
from placeguard.web.exercises.models import Exercise, Inject
from tests.conftest import World
from tests.web.exercises.conftest import design, evaluated, with_action


def test_suggestions_are_the_sites_highest_templated_risks(pworld: World) -> None:
    site = pworld.sites["church"]
    result = reference_for_site(site).result  # type: ignore[union-attr]
    ranked = sorted(result["scenarios"], key=lambda s: (-s["risk"], s["scenario"]))
    templated = set(services.templates().templates)
    expected = {s["scenario"] for s in ranked[:2]} & templated
    suggestions = services.suggestions_for_site(site)
    assert {s.scenario for s in suggestions if s.suggested} == expected
    # every templated scenario can be chosen, each listed once
    names = [s.scenario for s in suggestions if s.has_template]
    assert sorted(names) == sorted(templated)


def test_design_drafts_the_msel_from_the_templates(pworld: World) -> None:
    exercise = design(pworld, scenarios=["firearms", "hoax"])
    catalogue = services.templates().templates
    n = len(catalogue["firearms"].injects) + len(catalogue["hoax"].injects)
    injects = list(exercise.injects.all())
    assert [i.seq for i in injects] == list(range(1, n + 1))
    assert [i.time_min for i in injects] == sorted(i.time_min for i in injects)
    codes = list(exercise.objectives.values_list("code", flat=True))
    n_obj = len(catalogue["firearms"].objectives) + len(catalogue["hoax"].objectives)
    assert codes == [f"O{k}" for k in range(1, n_obj + 1)]
    assert {i.objective for i in injects} <= set(codes)
    assert exercise.owner == pworld.orgs["police-north"]
    assert list(exercise.participants.all()) == [pworld.orgs["parish"]]
    assert exercise.region == pworld.regions["north-a"] and exercise.sector == "place_of_worship"
    assert AuditEvent.objects.filter(action="exercise.create", object_id=str(exercise.pk)).exists()


def test_design_reports_every_problem_and_saves_nothing(pworld: World) -> None:
    with pytest.raises(ValidationError) as caught:
        design(
            pworld,
            name="",
            scenarios=["pbied", "nonsense"],
            site="",
            participants=[999999],
            scheduled_on="tomorrow",
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"name", "scenarios", "site", "participants", "scheduled_on"}
    assert not Exercise.objects.exists()


def test_readers_and_unvetted_cannot_design(pworld: World) -> None:
    for persona in ["police_n_reader", "parish_reader"]:
        with pytest.raises(PermissionDeniedError):
            design(pworld, by=persona)
    with pytest.raises(NotFoundError):  # the unvetted force does not see the church
        design(pworld, by="rogue_police")


def test_open_corrective_actions_of_earlier_exercises_become_objectives(pworld: World) -> None:
    action = with_action(pworld)
    assert [a.pk for a in services.open_actions_for_site(pworld.sites["church"])] == [action.pk]
    second = design(pworld, scenarios=[], corrective_actions=[action.pk], name="Retest")
    objective = second.objectives.get()
    assert objective.source == f"corrective_action:{action.code}"
    assert "Run a lockdown drill" in objective.title
    assert any("no inject yet" in n for n in second.notes)


def test_inject_add_edit_delete_and_move_keep_sequence_and_links(pworld: World) -> None:
    exercise = design(pworld)
    actor = pworld.users["police_n"]
    n = exercise.injects.count()
    added = services.save_inject(
        exercise,
        {
            "time_min": "T+0:45",
            "inject_type": "contingency",
            "delivery": "phone",
            "sender": "Control",
            "recipient": "Lead",
            "description": "No answer",
            "expected_action": "Call back",
            "objective": "O1",
            "contingency_for": "2",
        },
        actor=actor,
    )
    assert (added.seq, added.time_min, added.contingency_for) == (n + 1, 45, 2)
    with pytest.raises(ValidationError) as caught:
        services.save_inject(
            exercise,
            {
                "time_min": "-3",
                "inject_type": "contingency",
                "delivery": "fax",
                "sender": "",
                "recipient": "x",
                "description": "d",
                "objective": "O99",
            },
            actor=actor,
            inject=added,
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"time_min", "delivery", "sender", "expected_action", "objective"}
    # move the first inject down: old #2 becomes #1 and the link to it follows
    first = exercise.injects.get(seq=1)
    services.move_inject(first, +1, actor=actor)
    added.refresh_from_db()
    assert added.contingency_for == 1
    assert exercise.injects.get(pk=first.pk).seq == 2
    # delete the backed-up inject: the contingency loses its link and sequence closes up
    services.delete_inject(exercise.injects.get(seq=1), actor=actor)
    added.refresh_from_db()
    assert added.contingency_for is None and added.inject_type == "expected_action"
    assert list(exercise.injects.values_list("seq", flat=True)) == list(range(1, n + 1))


def test_csv_and_xlsx_round_trip_and_bad_files_change_nothing(pworld: World) -> None:
    from placeguard.engines.preparedness import msel as engine

    exercise = design(pworld)
    actor = pworld.users["police_n"]
    before = services.engine_injects(exercise)
    assert services.import_msel(exercise, engine.msel_to_xlsx(before), "xlsx", actor=actor) == len(
        before
    )
    text = engine.msel_to_csv(before)
    services.import_msel(exercise, text.encode(), "csv", actor=actor)
    assert services.engine_injects(exercise) == before
    lines = text.splitlines()
    lines[1] = lines[1].replace(",verbal,", ",telepathy,", 1)
    lines[2] = lines[2].replace(",O", ",Z", 1)
    with pytest.raises(ImportValidationError) as caught:
        services.import_msel(exercise, "\n".join(lines).encode(), "csv", actor=actor)
    rows = {e.field.split(":")[0] for e in caught.value.errors}
    # row 4 is a contingency backing up row 3's inject, which is refused with it
    assert rows == {"row 2", "row 3", "row 4"}
    assert services.engine_injects(exercise) == before


def test_clock_start_pause_resume_release_skip_retime_end(pworld: World) -> None:
    exercise = design(pworld)
    actor = pworld.users["police_n"]
    t0 = timezone.now()
    at = lambda s: t0 + dt.timedelta(seconds=s)  # noqa: E731
    exercise = services.conduct(exercise, "start", actor=actor, now=at(0))
    exercise = services.conduct(exercise, "pause", actor=actor, now=at(60))
    assert services.clock_seconds(exercise, at(500)) == 60
    exercise = services.conduct(exercise, "resume", actor=actor, now=at(100))
    assert services.clock_seconds(exercise, at(130)) == 90
    with pytest.raises(ConflictError):
        services.conduct(exercise, "resume", actor=actor, now=at(131))
    services.conduct(exercise, "release", actor=actor, now=at(140))
    second = exercise.injects.get(seq=2)
    services.conduct(exercise, "skip", actor=actor, now=at(150))
    assert [i.state for i in exercise.injects.order_by("seq")[:3]] == [
        "released",
        "skipped",
        "pending",
    ]
    assert exercise.injects.get(seq=1).released_clock_s == 100
    pending = {i.pk: i.time_min for i in exercise.injects.filter(state="pending")}
    services.conduct(exercise, "retime", actor=actor, shift_min=5, now=at(160))
    assert {i.pk: i.time_min for i in exercise.injects.filter(state="pending")} == {
        k: v + 5 for k, v in pending.items()
    }
    assert exercise.injects.get(pk=second.pk).time_min == second.time_min  # not pending
    with pytest.raises(ValidationError):  # would put injects before the clock (T+1 min)
        services.conduct(exercise, "retime", actor=actor, shift_min=-9999 // 10, now=at(170))
    exercise = services.conduct(exercise, "end", actor=actor, now=at(200))
    assert exercise.status == "evaluating" and services.clock_seconds(exercise, at(999)) == 160
    kinds = list(exercise.events.values_list("kind", flat=True))
    assert kinds == ["start", "pause", "resume", "release", "skip", "retime", "end"]


def test_participants_rate_and_record_responses_but_do_not_drive_the_clock(pworld: World) -> None:
    exercise = design(pworld)
    services.conduct(exercise, "start", actor=pworld.users["police_n"])
    with pytest.raises(PermissionDeniedError):
        services.conduct(exercise, "pause", actor=pworld.users["parish_admin"])
    services.conduct(exercise, "release", actor=pworld.users["police_n"])
    inject = exercise.injects.get(seq=1)
    response = services.record_response(
        inject, {"player": "Warden", "text": "Doors locked"}, actor=pworld.users["parish_admin"]
    )
    assert response.inject == inject
    with pytest.raises(ConflictError):  # inject 2 is still pending
        services.record_response(
            exercise.injects.get(seq=2),
            {"player": "x", "text": "y"},
            actor=pworld.users["parish_admin"],
        )
    with pytest.raises(PermissionDeniedError):
        services.record_response(
            inject, {"player": "x", "text": "y"}, actor=pworld.users["parish_reader"]
        )


def test_roll_up_takes_the_median_toward_worse_and_the_worst_task(pworld: World) -> None:
    exercise = design(pworld)
    services.conduct(exercise, "start", actor=pworld.users["police_n"])
    o1 = exercise.objectives.get(code="O1")
    t1, t2 = (t["id"] for t in o1.critical_tasks[:2])
    services.rate_tasks(
        exercise,
        [
            {"objective": "O1", "task": t1, "rating": "P"},
            {"objective": "O1", "task": t2, "rating": "S"},
        ],
        actor=pworld.users["police_n"],
    )
    services.rate_tasks(
        exercise,
        [
            {"objective": "O1", "task": t1, "rating": "M", "observation": "slow"},
        ],
        actor=pworld.users["parish_admin"],
    )
    by_objective, by_capability = services.roll_up(exercise)
    first = next(r for r in by_objective if r.objective == "O1")
    # t1: P and M from two evaluators -> the worse middle value, M; objective = worst = M
    assert first.task_ratings == {t1: "M", t2: "S"} and first.rating == "M"
    cap = next(c for c in by_capability if c.capability == o1.capability)
    assert cap.rating == "M"
    with pytest.raises(ValidationError) as caught:  # M without observation, unknown task
        services.rate_tasks(
            exercise,
            [
                {"objective": "O1", "task": t2, "rating": "U"},
                {"objective": "O1", "task": "nope", "rating": "P"},
            ],
            actor=pworld.users["police_n"],
        )
    assert len(caught.value.errors) == 2


def test_corrective_actions_are_tracked_with_overdue_flags(pworld: World) -> None:
    today = timezone.localdate()
    action = with_action(pworld, due=today - dt.timedelta(days=3))
    assert services.overdue_flags([action], today) == {action.pk: 3}
    assert action.origin == f"exercise:{action.exercise.uuid}/action:CA-1"
    assert action.origin_url.endswith(f"/exercises/{action.exercise_id}/aar/#action-CA-1")
    # the owning parish sees it in its task list and closes it
    parish = pworld.users["parish_admin"]
    assert list(queries.task_list(parish)) == [action]
    assert list(queries.task_list(pworld.users["police_n"])) == []
    done = services.update_corrective_action(action, {"status": "done"}, actor=parish, today=today)
    assert done.completed_on == today and services.overdue_flags([done], today) == {}
    reopened = services.update_corrective_action(done, {"status": "open"}, actor=parish)
    assert reopened.completed_on is None
    with pytest.raises(PermissionDeniedError):
        services.update_corrective_action(
            action, {"status": "done"}, actor=pworld.users["parish_reader"]
        )
    with pytest.raises(ValidationError):
        services.update_corrective_action(
            action, {"status": "finished", "owner_org": 1}, actor=parish
        )


def test_actions_owned_elsewhere_are_visible_to_their_owner_only(pworld: World) -> None:
    exercise = evaluated(pworld)
    area = services.add_area(
        exercise, {"observation": "o", "root_cause": "r"}, actor=pworld.users["police_n"]
    )
    action = services.add_corrective_action(
        area,
        {
            "description": "Hotel liaison",
            "element": "planning",
            "owner_org": pworld.orgs["hotel-co"].pk,
            "contact": "GM",
            "start": "2026-01-01",
            "due": "2026-02-01",
        },
        actor=pworld.users["police_n"],
    )
    assert list(queries.task_list(pworld.users["hotel_admin"])) == [action]
    assert not access.visible_to(pworld.users["hotel_admin"]).exists()
    with pytest.raises(NotFoundError):
        services.get_action_for(pworld.users["mall_admin"], action.pk)


def test_completion_needs_a_consistent_aar(pworld: World) -> None:
    action = with_action(pworld)
    exercise = services.complete_exercise(action.exercise, actor=pworld.users["police_n"])
    assert exercise.status == "completed"
    with pytest.raises(ConflictError):
        services.complete_exercise(exercise, actor=pworld.users["police_n"])


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("police_n", True),
        ("police_n_reader", True),
        ("parish_admin", True),
        ("parish_reader", True),
        ("ministry", True),
        ("police_s", False),
        ("rogue_police", False),
        ("mall_admin", False),
        ("programme", False),
        ("platform_admin", False),
    ],
)
def test_visibility(pworld: World, persona: str, sees: bool) -> None:
    exercise = design(pworld)
    assert access.visible_to(pworld.users[persona]).filter(pk=exercise.pk).exists() is sees
    assert access.injects_visible_to(pworld.users[persona]).exists() is sees


def test_sector_exercises_are_seen_by_owner_and_participants_only(pworld: World) -> None:
    exercise = design(
        pworld,
        scope="sector",
        sector="place_of_worship",
        site=None,
        participants=[pworld.orgs["mall-co"].pk],
    )
    seen = {
        p
        for p in ["police_n", "mall_reader", "ministry", "parish_admin"]
        if access.visible_to(pworld.users[p]).filter(pk=exercise.pk).exists()
    }
    assert seen == {"police_n", "mall_reader"}


def test_msel_is_frozen_outside_planning(pworld: World) -> None:
    exercise = design(pworld)
    actor = pworld.users["police_n"]
    services.conduct(exercise, "start", actor=actor)
    with pytest.raises(ConflictError):
        services.delete_inject(Inject.objects.filter(exercise=exercise).first(), actor=actor)  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        services.regenerate_msel(exercise, actor=actor)


def test_region_exercises_follow_jurisdiction(pworld: World) -> None:
    exercise = design(pworld, scope="region", region="north-b", site=None)
    assert exercise.region == pworld.regions["north-b"] and exercise.site is None
    seen = {
        p
        for p in ["police_n", "police_s", "ministry", "rogue_police", "parish_reader"]
        if access.visible_to(pworld.users[p]).filter(pk=exercise.pk).exists()
    }
    assert seen == {"police_n", "ministry", "parish_reader"}


def _links_by_pk(exercise: Exercise) -> dict[int, int | None]:
    by_seq = {i.seq: i.pk for i in exercise.injects.all()}
    return {
        i.pk: None if i.contingency_for is None else by_seq[i.contingency_for]
        for i in exercise.injects.all()
    }


def test_any_sequence_of_moves_keeps_numbering_and_links(pworld: World) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    exercise = design(pworld, scenarios=["firearms", "hostage"])
    actor = pworld.users["police_n"]
    n = exercise.injects.count()
    links = _links_by_pk(exercise)
    assert any(v is not None for v in links.values())  # the templates have contingencies

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(st.tuples(st.integers(1, n), st.sampled_from([-1, 1])), max_size=6))
    def check(moves: list[tuple[int, int]]) -> None:
        for seq, direction in moves:
            services.move_inject(exercise.injects.get(seq=seq), direction, actor=actor)
            assert list(exercise.injects.values_list("seq", flat=True)) == list(range(1, n + 1))
            assert _links_by_pk(exercise) == links

    check()
