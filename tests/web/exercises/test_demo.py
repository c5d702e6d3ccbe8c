"""The demo country holds one completed exercise at a place of worship with an AAR/IP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from placeguard.web.exercises import queries, services
from placeguard.web.exercises.models import Exercise
from placeguard.web.orgs.models import User


@pytest.mark.django_db
def test_demo_has_a_completed_exercise_with_open_and_overdue_actions(
    settings: Any, tmp_path: Path
) -> None:
    from placeguard.web.demo.loader import load_demo

    settings.DATA_DIR = tmp_path
    load_demo(n_sites=40)
    exercise = Exercise.objects.get()
    assert exercise.status == "completed" and exercise.site.site_type == "place_of_worship"
    assert exercise.owner.kind == "LAW_ENFORCEMENT"
    by_objective, _ = services.roll_up(exercise)
    assert all(r.complete for r in by_objective)
    assert {r.rating for r in by_objective} >= {"S", "M"}
    warden = User.objects.get(username="worship.warden")
    tasks = list(queries.task_list(warden))
    assert len(tasks) == 3 and {t.status for t in tasks} == {"open", "in_progress"}
    assert len(services.overdue_flags(tasks)) == 1
    assert exercise.events.filter(kind="release").exists()
