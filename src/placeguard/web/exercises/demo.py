"""Demo exercise: a completed tabletop at a demo place of worship, with ratings and an AAR/IP.

Called once by :func:`placeguard.web.demo.loader.load_demo`; everything goes through the
services as the police force whose jurisdiction covers the site (the exercise owner) and
the parish (a participant), so every record is validated and audited like user input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from placeguard.core.vocab import Role
from placeguard.engines.demo import DemoCountry
from placeguard.web.exercises import services
from placeguard.web.exercises.models import Exercise
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sites.models import Site

__all__ = ["OPERATOR", "load"]

#: The demo operator whose place of worship is exercised.
OPERATOR = "st-brendan-parish"
_EDITOR_ROLES = {Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN}
#: A fixed, varied pattern of ratings so that the roll-up shows P, S and M.
_PATTERN = (("P", "S"), ("S", "M"), ("P", "P"))


def _editor(country: DemoCountry, slug: str) -> User | None:
    for spec in country.users:
        if spec.organisation == slug and _EDITOR_ROLES & set(spec.roles):
            return User.objects.get(username=spec.username)
    return None


def load(country: DemoCountry, sites: Sequence[Site]) -> Exercise | None:
    """Create the demo exercise; None when the demo has no suitable site."""
    site = (
        Site.objects.filter(
            pk__in=[s.pk for s in sites], operator__slug=OPERATOR, site_type="place_of_worship"
        )
        .select_related("region", "operator")
        .order_by("id")
        .first()
    )
    if site is None:
        return None
    police_slug = next(r.police for r in country.regions if r.code == site.region.code)
    police, parish = _editor(country, police_slug), _editor(country, OPERATOR)
    if police is None or parish is None:
        return None
    today = timezone.localdate()
    suggested = [s.scenario for s in services.suggestions_for_site(site) if s.suggested]
    exercise = services.create_exercise(
        {
            "name": f"Tabletop exercise — {site.name}",
            "exercise_type": "tabletop",
            "scope": "site",
            "site": site.pk,
            "scenarios": suggested or ["firearms"],
            "participants": [Organisation.objects.get(slug=OPERATOR).pk],
            "scheduled_on": today - dt.timedelta(days=75),
        },
        actor=police,
    )
    services.conduct(exercise, "start", actor=police)
    injects = list(exercise.injects.order_by("seq"))
    for n, inject in enumerate(injects):
        action = "skip" if inject.inject_type == "contingency" and n % 2 else "release"
        services.conduct(exercise, action, actor=police)
        if action == "release" and inject.expected_action:
            services.record_response(
                inject,
                {"player": "Parish security lead", "text": "Acted as planned after a short delay."},
                actor=parish,
            )
    services.conduct(exercise, "end", actor=police)
    rows = [
        {
            "objective": o.code,
            "task": t["id"],
            "rating": _PATTERN[i % len(_PATTERN)][j % 2],
            "observation": "Observed during the tabletop discussion.",
        }
        for i, o in enumerate(exercise.objectives.all())
        for j, t in enumerate(o.critical_tasks)
    ]
    services.rate_tasks(exercise, rows, actor=police)
    services.add_strength(
        exercise,
        {
            "text": "Stewards knew the lockdown code word and used it at once.",
            "capability": "on_scene_security",
        },
        actor=police,
    )
    comms = services.add_area(
        exercise,
        {
            "observation": "Police could not reach a named on-site coordinator for 8 minutes.",
            "root_cause": "The parish emergency plan names no deputy when the warden is away.",
            "capability": "operational_coordination",
        },
        actor=police,
    )
    doors = services.add_area(
        exercise,
        {
            "observation": "Side doors stayed open during the simulated lockdown.",
            "root_cause": "Volunteers were never trained on the door-closing sequence.",
            "capability": "on_scene_security",
        },
        actor=police,
    )
    parish_org = parish.organisation
    assert parish_org is not None  # a demo user always has one
    specs = [
        (
            comms,
            "Name a deputy coordinator and add them to the call list.",
            "planning",
            today - dt.timedelta(days=60),
            today - dt.timedelta(days=10),
            "open",
        ),
        (
            doors,
            "Train door volunteers on the lockdown sequence.",
            "training",
            today - dt.timedelta(days=50),
            today + dt.timedelta(days=40),
            "in_progress",
        ),
        (
            doors,
            "Fit self-closing hinges on the two side doors.",
            "equipment",
            today - dt.timedelta(days=50),
            today + dt.timedelta(days=120),
            "open",
        ),
    ]
    for area, text, element, start, due, status in specs:
        created = services.add_corrective_action(
            area,
            {
                "description": text,
                "element": element,
                "owner_org": parish_org.pk,
                "contact": parish.get_full_name() or parish.username,
                "start": start,
                "due": due,
            },
            actor=police,
        )
        if status != "open":
            services.update_corrective_action(created, {"status": status}, actor=parish)
    return services.complete_exercise(exercise, actor=police)
