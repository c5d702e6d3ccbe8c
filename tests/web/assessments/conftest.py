"""Builders for assessment tests: assessments in each state, made through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from placeguard.content import load_risk_pack
from placeguard.web.assessments import services
from placeguard.web.assessments.models import Assessment
from tests.conftest import World

#: Answers to real retail questions: a mix of options, an unknown and a not-applicable.
ANSWERS: dict[str, Any] = {
    "GOV-01": 3,
    "GOV-02": 1,
    "GOV-03": "unknown",
    "GOV-04": 0,
    "GOV-05": "n/a",
    "TRN-01": 2,
}


def start(world: World, site: str = "mall_north", by: str = "mall_admin", **kw: Any) -> Assessment:
    """A draft started by ``by``."""
    return services.start_assessment(world.sites[site], actor=world.users[by], **kw)


def submitted(
    world: World,
    site: str = "mall_north",
    by: str = "mall_admin",
    answers: dict[str, Any] | None = None,
) -> Assessment:
    """A draft answered and submitted by ``by``."""
    assessment = start(world, site, by)
    services.save_answers(
        assessment, ANSWERS if answers is None else answers, actor=world.users[by]
    )
    return services.submit(assessment, actor=world.users[by])


def approved(
    world: World,
    site: str = "mall_north",
    reviewer: str = "police_n",
    answers: dict[str, Any] | None = None,
) -> Assessment:
    """A submitted assessment approved by ``reviewer``."""
    assessment = submitted(world, site, answers=answers)
    return services.approve(assessment, actor=world.users[reviewer])


def tomorrow() -> date:
    """A date that is in the future."""
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def pack() -> Any:
    """The shipped risk pack."""
    return load_risk_pack()
