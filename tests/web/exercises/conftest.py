"""Exercise fixtures: a parish operating a place of worship in north-a (Police North's
jurisdiction) with a submitted assessment, and builders for exercises in each state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from placeguard.web.exercises import services
from placeguard.web.exercises.models import CorrectiveAction, Exercise
from tests.conftest import PASSWORD, World, site_raw


def add_parish(w: World) -> None:
    """St Anne's church (operator parish, north-a) with a submitted assessment."""
    from placeguard.web.assessments import services as assessments
    from placeguard.web.orgs import services as orgs
    from placeguard.web.sites import services as sites

    w.orgs["parish"] = orgs.create_organisation(
        actor=None,
        regions=[],
        slug="parish",
        name="St Anne Parish",
        kind="OPERATOR",
        country_code="XM",
        vetted=True,
    )
    for username, roles in [
        ("parish_admin", ["ANALYST", "ORG_ADMIN"]),
        ("parish_reader", ["READER"]),
    ]:
        w.users[username] = orgs.create_user(
            actor=None,
            username=username,
            organisation=w.orgs["parish"],
            roles=roles,
            password=PASSWORD,
        )
    w.sites["church"] = sites.create_site(
        site_raw(
            name="St Anne's Church", site_type="place_of_worship", operator="parish", capacity=600
        ),
        actor=None,
    )
    assessment = assessments.start_assessment(w.sites["church"], actor=w.users["parish_admin"])
    assessments.submit(assessment, actor=w.users["parish_admin"])


@pytest.fixture
def pworld(world: World) -> World:
    """The shared world plus the parish and its church."""
    add_parish(world)
    return world


def design(w: World, by: str = "police_n", **overrides: Any) -> Exercise:
    """A tabletop exercise of the church owned by ``by``'s organisation, the parish taking part."""
    data: dict[str, Any] = {
        "name": "Church tabletop",
        "exercise_type": "tabletop",
        "scope": "site",
        "site": w.sites["church"].pk,
        "scenarios": ["firearms"],
        "participants": [w.orgs["parish"].pk],
        "scheduled_on": "2026-03-01",
    }
    data.update(overrides)
    return services.create_exercise(data, actor=w.users[by])


def evaluated(w: World, by: str = "police_n") -> Exercise:
    """An exercise conducted to ENDEX (all injects released) and rated."""
    exercise = design(w, by)
    actor = w.users[by]
    services.conduct(exercise, "start", actor=actor)
    for _ in range(exercise.injects.count()):
        services.conduct(exercise, "release", actor=actor)
    services.conduct(exercise, "end", actor=actor)
    rows = [
        {"objective": o.code, "task": t["id"], "rating": "S", "observation": "ok"}
        for o in exercise.objectives.all()
        for t in o.critical_tasks
    ]
    services.rate_tasks(exercise, rows, actor=actor)
    return Exercise.objects.get(pk=exercise.pk)


def with_action(w: World, *, due: dt.date | None = None, by: str = "police_n") -> CorrectiveAction:
    """An evaluated exercise with one area and one corrective action owned by the parish."""
    exercise = evaluated(w, by)
    area = services.add_area(
        exercise,
        {"observation": "Doors not locked fast", "root_cause": "No lockdown drill"},
        actor=w.users[by],
    )
    return services.add_corrective_action(
        area,
        {
            "description": "Run a lockdown drill",
            "element": "training",
            "owner_org": w.orgs["parish"].pk,
            "contact": "Warden",
            "start": "2026-03-10",
            "due": (due or dt.date(2030, 1, 1)).isoformat(),
        },
        actor=w.users[by],
    )
