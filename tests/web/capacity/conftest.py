"""Capacity fixtures: a request walked through the workflow with a hand-computable cohort."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.conftest import World

REQUEST_RAW: dict[str, Any] = {
    "title": "Protecting places of worship",
    "need": "Front-line officers lack training on protective security of religious sites.",
    "target_audience": "Police and site security leads",
    "scenarios": ["firearms", "vehicle_ramming"],
    "site_types": ["place_of_worship"],
    "legal_basis": "National CT law 2020, art. 12",
    "preferred_start": "2026-01-10",
    "preferred_end": "2026-02-28",
}

#: Max 20. A: 10→15 (g 0.5), B: 5→17 (g 0.8), C: 20→20 (ceiling), D: no pre (incomplete),
#: E: did not attend. Cohort over A, B, C: ⟨pre⟩ 7/12, ⟨post⟩ 13/15 → g = 0.68;
#: mean of defined gains (0.5 + 0.8) / 2 = 0.65.
PEOPLE: list[dict[str, Any]] = [
    {
        "name": "Ana",
        "organisation": "Police North",
        "gender": "female",
        "pre_score": 10,
        "post_score": 15,
        "satisfaction": 4,
        "completed": True,
    },
    {
        "name": "Ben",
        "organisation": "Police North",
        "gender": "male",
        "pre_score": 5,
        "post_score": 17,
        "satisfaction": 5,
        "completed": True,
    },
    {
        "name": "Cai",
        "organisation": "Temple Trust",
        "gender": "",
        "pre_score": 20,
        "post_score": 20,
        "completed": True,
    },
    {
        "name": "Dee",
        "organisation": "Ministry",
        "gender": "female",
        "post_score": 12,
        "satisfaction": 3,
    },
    {
        "name": "Eli",
        "organisation": "Ministry",
        "attended": False,
        "pre_score": 0,
        "post_score": 20,
        "satisfaction": 1,
    },
]


def walk(world: World, *, to: str = "evaluated") -> Any:
    """Submit (ministry) and walk the request as the programme office; returns the request."""
    from placeguard.web.capacity import services

    prog = world.users["programme"]
    req = services.submit_request(REQUEST_RAW, actor=world.users["ministry"])
    steps: list[tuple[str, dict[str, Any]]] = [
        ("triaged", {"note": "In scope."}),
        ("assessed", {"assessment": "Two priority gaps."}),
        (
            "planned",
            {
                "activities": "Two-day course",
                "partners": "UNAOC",
                "budget": "12000",
                "currency": "usd",
            },
        ),
        ("delivering", {}),
    ]
    for status, raw in steps:
        req = services.advance(req, actor=prog, to=status, raw=raw)
        if status == to:
            return req
    course = services.add_course(
        req,
        {
            "title": "PoW protective security",
            "topic": "protective security",
            "sector": "place_of_worship",
            "start": "2026-01-30",
            "max_score": 20,
        },
        actor=prog,
    )
    for person in PEOPLE:
        services.add_participant(course, person, actor=prog)
    req = services.advance(req, actor=prog, to="delivered", raw={"delivered_on": "2026-01-31"})
    if to == "delivered":
        return req
    return services.advance(req, actor=prog, to="evaluated", raw={"summary": "Good gains."})


@pytest.fixture
def evaluated(world: World) -> Any:
    """An evaluated request with one course of five participants."""
    return walk(world)


AS_OF = dt.date(2026, 8, 1)
