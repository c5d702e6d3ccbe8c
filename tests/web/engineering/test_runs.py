"""Background runs: queued → running → complete | failed, progress, the status endpoints, the
microscopic option and the stepped frames stored with the result."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from django.test import Client

from placeguard.core.errors import PlaceguardError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.engineering import frames, services
from placeguard.web.engineering.models import EngineeringStudy
from tests.conftest import World
from tests.web.engineering.conftest import EVAC_PARAMS, layout, site_file
from tests.web.helpers import token_client

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _evac(w: World, **params: Any) -> EngineeringStudy:
    return services.create_study(
        actor=w.users["mall_admin"], site=w.sites["mall_north"], kind="evacuation",
        name="Doors", geojson=layout(), parameters={**EVAC_PARAMS, **params},
    )  # fmt: skip


def _client(w: World, persona: str) -> Client:
    client = Client()
    client.force_login(w.users[persona])
    return client


# ------------------------------------------------------------------ lifecycle
def test_the_immediate_backend_runs_the_task_to_completion(world: World) -> None:
    study = _evac(world)
    assert study.status == "complete" and study.progress == 100
    assert study.started_at is not None and study.finished_at is not None
    assert study.started_at <= study.finished_at
    assert study.result["summary"]["total_time_s"] > 0
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(study.pk), action__startswith="engineering_study."
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["engineering_study.create", "engineering_study.finish"]


def test_queued_until_a_worker_runs_it_and_runs_only_once(world: World, settings: Any) -> None:
    settings.TASKS = DUMMY
    study = _evac(world)
    assert study.status == "queued" and study.progress == 0 and study.result == {}
    status = services.run_status(study)
    assert status["finished"] is False and status["error"] is None
    services.execute_study(study.pk)  # what the worker does
    study.refresh_from_db()
    assert study.status == "complete" and study.progress == 100
    first = study.result
    services.execute_study(study.pk)  # delivered twice: nothing happens
    study.refresh_from_db()
    assert study.result == first
    assert AuditEvent.objects.filter(action="engineering_study.finish").count() == 1


def test_a_deleted_study_is_skipped_by_the_worker(world: World, settings: Any) -> None:
    settings.TASKS = DUMMY
    study = _evac(world)
    services.delete_study(study, actor=None)
    services.execute_study(study.pk)  # no error
    assert not EngineeringStudy.objects.exists()


def test_progress_goes_up_through_the_stages(world: World, monkeypatch: Any) -> None:
    seen: list[tuple[int, str]] = []
    real = services._set_progress

    def spy(study_id: int, percent: int, message: str) -> None:
        seen.append((percent, message))
        real(study_id, percent, message)

    monkeypatch.setattr(services, "_set_progress", spy)
    _evac(world)
    percents = [p for p, _m in seen]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100
    messages = [m for _p, m in seen]
    assert "Hydraulic model" in messages and "Monte Carlo: 10 runs" in messages


@pytest.mark.parametrize("style", ["fraction", "done_total"])
def test_an_engine_progress_callback_is_mapped_onto_its_stage(
    world: World, monkeypatch: Any, style: str
) -> None:
    from placeguard.engines.evacuation import montecarlo

    real = montecarlo.monte_carlo
    stored: list[tuple[int, str]] = []

    def with_progress(layout: Any, *, progress: Any, **kwargs: Any) -> Any:
        if style == "fraction":
            progress(0.5)
        else:
            progress(5, 10)
        row = EngineeringStudy.objects.get()
        stored.append((row.progress, row.progress_message))
        return real(layout, **kwargs)

    monkeypatch.setattr(montecarlo, "monte_carlo", with_progress)
    study = _evac(world)
    # Monte Carlo is the 20 % → 95 % stage without a microscopic run: half-way is 20 + 37.5
    assert stored == [(58, "Monte Carlo: 10 runs")]
    assert study.status == "complete"


# ------------------------------------------------------------------ failures
def test_an_engine_crash_is_a_readable_failure_never_a_500(world: World, monkeypatch: Any) -> None:
    from placeguard.engines.evacuation import hydraulic

    def boom(*args: Any, **kwargs: Any) -> Any:
        msg = "matrix is singular"
        raise RuntimeError(msg)

    monkeypatch.setattr(hydraulic, "solve", boom)
    study = _evac(world)
    assert study.status == "failed" and study.progress == 100
    assert study.result["error"] == (
        "The engine stopped unexpectedly (RuntimeError: matrix is singular)."
    )
    client = _client(world, "mall_reader")
    page = client.get(f"/engineering/studies/{study.pk}/")
    assert page.status_code == 200
    assert "matrix is singular" in page.content.decode()
    status = client.get(f"/engineering/studies/{study.pk}/status.json").json()
    assert status["status"] == "failed" and status["finished"] is True
    assert "matrix is singular" in status["error"]
    api = token_client(world.users["police_n"]).get(
        f"/api/v1/engineering-studies/{study.pk}/status/"
    )
    assert api.status_code == 200 and api.json()["error"] == study.result["error"]


def test_engine_errors_keep_their_message(world: World, monkeypatch: Any) -> None:
    from placeguard.engines.evacuation import hydraulic

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PlaceguardError("no route to any exit")

    monkeypatch.setattr(hydraulic, "solve", refuse)
    assert _evac(world).result["error"] == "no route to any exit"


def test_a_queue_that_cannot_be_reached_fails_the_study(world: World, monkeypatch: Any) -> None:
    from placeguard.web.engineering import tasks

    def down(*args: Any) -> Any:
        msg = "database is locked"
        raise OSError(msg)

    monkeypatch.setattr(tasks, "run_study", SimpleNamespace(enqueue=down))
    study = _evac(world)
    assert study.status == "failed"
    assert study.result["error"] == "The run could not be queued: database is locked"


def test_input_that_became_invalid_fails_with_every_problem(world: World, settings: Any) -> None:
    settings.TASKS = DUMMY
    study = _evac(world)
    EngineeringStudy.objects.filter(pk=study.pk).update(geojson={"type": "FeatureCollection",
                                                                 "features": []})  # fmt: skip
    services.execute_study(study.pk)
    study.refresh_from_db()
    assert study.status == "failed"
    assert study.result["error"].startswith("The study inputs are invalid.")
    assert "geojson" in study.result["error"]


# ------------------------------------------------------------------ pages and API
def test_a_queued_study_page_shows_an_accessible_progress_bar(world: World, settings: Any) -> None:
    settings.TASKS = DUMMY
    study = _evac(world)
    EngineeringStudy.objects.filter(pk=study.pk).update(
        status="running", progress=42, progress_message="Monte Carlo: 10 runs"
    )
    client = _client(world, "mall_reader")
    html = client.get(f"/engineering/studies/{study.pk}/").content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="42"' in html
    assert "run-status.js" in html and "Monte Carlo: 10 runs" in html
    assert 'id="assumptions"' not in html  # nothing to state yet
    status = client.get(f"/engineering/studies/{study.pk}/status.json")
    assert status["Cache-Control"] == "no-store"
    assert status.json() == {
        **status.json(), "status": "running", "progress": 42, "finished": False, "error": None,
    }  # fmt: skip
    report = client.get(f"/engineering/studies/{study.pk}/report/").content.decode()
    assert "has not finished yet (42 %)" in report


@pytest.mark.parametrize(
    ("persona", "code"),
    [("mall_reader", 200), ("police_n", 200), ("police_s", 404), ("hotel_admin", 404)],
)
def test_the_status_page_is_scoped(world: World, persona: str, code: int) -> None:
    study = _evac(world, runs=0)
    response = _client(world, persona).get(f"/engineering/studies/{study.pk}/status.json")
    assert response.status_code == code


def test_the_status_page_needs_a_login(world: World) -> None:
    study = _evac(world, runs=0)
    response = Client().get(f"/engineering/studies/{study.pk}/status.json")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_api_create_is_accepted_with_the_run_resource(world: World, settings: Any) -> None:
    settings.TASKS = DUMMY
    client = token_client(world.users["police_n"])
    body = {"site": world.sites["mall_north"].pk, "kind": "vehicle", "name": "HVM",
            "geojson": site_file(), "parameters": {"vehicle": "car"}}  # fmt: skip
    response = client.post("/api/v1/engineering-studies/", body, format="json")
    assert response.status_code == 202
    created = response.json()
    assert created["status"] == "queued" and created["run"]["progress"] == 0
    assert created["run"]["finished"] is False
    services.execute_study(created["id"])
    status = client.get(f"/api/v1/engineering-studies/{created['id']}/status/").json()
    assert status["status"] == "complete" and status["progress"] == 100 and status["finished"]
    listed = client.get("/api/v1/engineering-studies/").json()["results"][0]
    assert listed["run"]["status"] == "complete"


# ------------------------------------------------------------------ results for the map
def test_the_result_holds_a_stepped_timeline(world: World) -> None:
    study = _evac(world, runs=0)
    tl = study.result["timeline"]
    assert len(tl["times_s"]) == frames.MAX_STEPS + 1
    assert tl["times_s"][0] == 0 and tl["times_s"][-1] == pytest.approx(
        study.result["summary"]["total_time_s"], abs=0.1
    )
    assert tl["safe"][0] == 0 and tl["safe"][-1] == pytest.approx(300, abs=0.5)
    assert set(tl["exits"]) == {"exit"}
    assert tl["exits"]["exit"]["out"][-1] == pytest.approx(300, abs=0.5)
    assert any(a.startswith("result map timeline") for a in study.result["assumptions"])


def test_hydraulic_timeline_by_hand() -> None:
    dest = SimpleNamespace(opening="x", occupants=100.0, first_s=10.0, clear_s=110.0,
                           mean_flow_pps=1.0, capacity_pps=1.0)  # fmt: skip
    jam = SimpleNamespace(opening="d", max_queue=40.0, max_queue_at_s=50.0,
                          queue_start_s=30.0, queue_end_s=90.0)  # fmt: skip
    result = SimpleNamespace(
        total_time_s=120.0, already_safe=5.0, occupants=105.0, destinations=[dest],
        bottlenecks=[jam], times=np.array([0.0, 10.0, 110.0]),
        cumulative=np.array([0.0, 0.0, 100.0]),
    )  # fmt: skip
    tl = frames.hydraulic_timeline(result)
    t = tl["times_s"]
    assert t[:3] == [0.0, 2.0, 4.0] and t[-1] == 120.0
    at = {v: i for i, v in enumerate(t)}
    assert tl["exits"]["x"]["out"][at[60.0]] == 50.0  # half-way between 10 s and 110 s
    assert tl["exits"]["x"]["flow_pps"][at[4.0]] == 0.0
    assert tl["exits"]["x"]["flow_pps"][at[60.0]] == 1.0
    assert tl["safe"][at[60.0]] == 55.0  # 5 already safe + 50
    assert tl["queues"]["d"][at[50.0]] == 40.0 and tl["queues"]["d"][at[40.0]] == 20.0
    assert tl["queues"]["d"][at[20.0]] == 0.0 and tl["queues"]["d"][at[100.0]] == 0.0


def test_density_frames_by_hand() -> None:
    # 4 people in the 1 m cell at the origin and 1 in the far corner at frame 0; all gone by 10.
    rows = [(i, 0, 0.2 + 0.1 * i, 0.5) for i in range(4)] + [(9, 0, 19.9, 19.9)]
    rows += [(9, 10, 19.9, 19.9)]
    out = frames.density_frames(np.array(rows, dtype=float), bounds=(0, 0, 20, 20), frame_rate=10)
    assert out["grid"] == {"x0": 0, "y0": 0, "cell_m": 0.5, "nx": 40, "ny": 40}
    first, last = out["frames"]
    assert first["t_s"] == 0 and first["agents"] == 5 and last["t_s"] == 1.0
    cells = {(c[0], c[1]): c[2] for c in first["cells"]}
    # 0.2, 0.3, 0.4 m fall in column 0, 0.5 m in column 1 (cells are 0.5 m: 1 person = 4 p/m²)
    assert cells == {(0, 1): 12.0, (1, 1): 4.0, (39, 39): 4.0}
    assert out["max_density"] == 12.0
    many = np.array([(1, f, 1.0, 1.0) for f in range(500)], dtype=float)
    kept = frames.density_frames(many, bounds=(0, 0, 2, 2), frame_rate=10)["frames"]
    assert len(kept) == frames.MAX_FRAMES and kept[0]["t_s"] == 0 and kept[-1]["t_s"] == 49.9


# ------------------------------------------------------------------ microscopic option
def test_microscopic_option_is_checked_before_saving(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _evac(world, microscopic=True, mode="lockdown", micro_max_time_s=0)
    fields = {e.field for e in caught.value.errors}
    assert {"parameters.microscopic", "parameters.micro_max_time_s"} <= fields
    with pytest.raises(ValidationError) as crowd:
        services.create_study(actor=None, site=world.sites["mall_north"], kind="evacuation",
                              name="Big", geojson=layout(occupants=1200),
                              parameters={"microscopic": True, "occupants": 2500,
                                          "max_density": 10})  # fmt: skip
    assert [e.field for e in crowd.value.errors] == ["parameters.microscopic"]
    assert not EngineeringStudy.objects.exists()


@pytest.mark.skipif(
    not __import__("placeguard.engines.evacuation.microscopic").engines.evacuation.microscopic
    .available(),
    reason="JuPedSim/PedPy not installed",
)  # fmt: skip
def test_a_microscopic_run_from_the_web(world: World) -> None:
    study = services.create_study(
        actor=None, site=world.sites["mall_north"], kind="evacuation", name="Micro",
        geojson=layout(occupants=30), parameters={"runs": 0, "microscopic": "true"},
    )  # fmt: skip
    assert study.status == "complete", study.result.get("error")
    micro = study.result["microscopic"]
    assert micro["agents"] == 30 and micro["evacuated"] == 30
    assert isinstance(micro["suspect"], bool)
    assert study.result["summary"]["micro_suspect"] is micro["suspect"]
    density = micro["density"]
    assert 1 < len(density["frames"]) <= frames.MAX_FRAMES
    assert density["frames"][0]["agents"] == 30
    total = sum(c[2] for c in density["frames"][0]["cells"]) * density["grid"]["cell_m"] ** 2
    assert total == pytest.approx(30, abs=0.05)  # density × cell area gives the people back
    assert any(a.startswith("microscopic run: JuPedSim") for a in study.result["assumptions"])
    client = _client(world, "mall_reader")
    html = client.get(f"/engineering/studies/{study.pk}/").content.decode()
    assert 'id="evac-micro"' in html and "data-pg-density-map" in html
    report = client.get(f"/engineering/studies/{study.pk}/report/").content.decode()
    assert "Microscopic run: JuPedSim Collision-Free Speed Model" in report
    assert "microscopic run: everyone starts at once" in report
