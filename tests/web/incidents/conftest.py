"""Incident fixtures: the sharing world, a private evidence folder, and input builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World
from tests.web.sharing.conftest import build_sharing_world

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    """Evidence files of each test go to its own temporary folder."""
    folder = tmp_path / "evidence"
    settings.PLACEGUARD_EVIDENCE_DIR = str(folder)
    return folder


@pytest.fixture
def iworld(db: None) -> World:
    """The sharing world (personas of tests/web/sharing/conftest.py)."""
    return build_sharing_world()


def incident_raw(**overrides: Any) -> dict[str, Any]:
    """A valid draft incident input; override any field."""
    raw: dict[str, Any] = {
        "title": "Vehicle attack on the market square",
        "summary": "A van drove into the crowd.",
        "tlp": "amber",
        "scenario": "vehicle_ramming",
        "occurred_at": "2026-05-01T10:15:00+00:00",
    }
    raw.update(overrides)
    return raw


def shared_incident(w: World, **overrides: Any) -> Any:
    """A published AMBER incident of Police North addressed to Mall Co."""
    from placeguard.web.incidents import services

    raw = incident_raw(orgs=[w.orgs["mall-co"].pk], sites=[w.sites["mall_north"].pk])
    raw.update(overrides)
    incident = services.create_incident(raw, actor=w.users["police_n"])
    services.publish_incident(incident, actor=w.users["police_n"])
    return incident


def upload(w: World, incident: Any, data: bytes = PDF, name: str = "report.pdf",
           actor: str = "police_n") -> Any:  # fmt: skip
    """Upload ``data`` as evidence through the service."""
    from placeguard.web.incidents import services

    return services.upload_evidence(
        incident, [data], filename=name, description="scan", actor=w.users[actor]
    )
