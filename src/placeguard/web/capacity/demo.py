"""The demo country's capacity-building records: a training cycle and a national action plan.

* an evaluated training cycle of the Ministry of the Interior's request (delivered five months
  before today, follow-up due one month from now), with twelve participants and pre/post
  scores, satisfaction and a level-3 evidence record;
* an older cycle already closed with its six-month follow-up report;
* a fresh request waiting for triage;
* a national action plan whose crosswalk leaves provisions without action and whose GAO check
  is only partly met (methodology, risk management and related strategies are blank).

Everything goes through the services with the demo users as actors (the system when a demo
user is missing), so it is validated and audited like real use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from placeguard.core.vocab import OrgKind
from placeguard.web.capacity import access, services
from placeguard.web.capacity.models import ActionPlan, PlanObjective, TrainingRequest
from placeguard.web.orgs.choices import EDITOR_ROLES
from placeguard.web.orgs.models import Organisation, User

__all__ = ["load"]

# (name, organisation, role, gender, attended, completed, pre, post, satisfaction)
PEOPLE: list[tuple[str, str, str, str, bool, bool, float | None, float | None, float | None]] = [
    ("Amal Rahimi", "Northern Police Service", "Inspector", "female", True, True, 45, 80, 5),
    ("Bruno Costa", "Northern Police Service", "Sergeant", "male", True, True, 50, 75, 4),
    ("Chen Wei", "Southern Police Service", "Constable", "", True, True, 30, 70, 4),
    ("Dara Okafor", "Southern Police Service", "Inspector", "female", True, True, 60, 90, 5),
    ("Elif Demir", "Ministry of the Interior", "Analyst", "female", True, True, 55, 85, 4),
    ("Farid Haddad", "Harbour Cathedral Trust", "Security lead", "male", True, True, 35, 60, 3),
    ("Grace Mensah", "Old Town Synagogue", "Volunteer steward", "female", True, True, 25, 65, 5),
    ("Hugo Lind", "Central Mosque Council", "Security lead", "male", True, False, 40, None, 4),
    ("Ines Ruiz", "Northern Police Service", "Constable", "", True, True, 70, 85, 4),
    ("Jonas Berg", "Southern Police Service", "Sergeant", "male", True, True, 100, 100, 3),
    ("Kofi Asante", "Ministry of the Interior", "Planner", "male", False, False, None, None, None),
    ("Lina Sato", "Temple Trust", "Manager", "other", True, True, 20, 55, 5),
]


def _editor(org: Organisation | None, allowed: Any) -> User | None:
    """The first editor of ``org`` whom ``allowed(user)`` admits (None: act as the system)."""
    if org is None:
        return None
    for user in User.objects.filter(organisation=org).order_by("id"):
        if user.has_role(*EDITOR_ROLES) and not user.is_platform_admin and allowed(user):
            return user
    return None


def _cycle(
    req: TrainingRequest,
    prog: User | None,
    delivered: dt.date,
    *,
    course: dict[str, Any],
    people: list[Any],
) -> TrainingRequest:
    steps: list[tuple[str, dict[str, Any]]] = [
        ("triaged", {"note": "Within the programme's mandate; national focal point confirmed."}),
        (
            "assessed",
            {
                "assessment": "Gaps: no common protective-security curriculum for police "
                "and religious-site stewards; no joint tabletop practice."
            },
        ),
        (
            "planned",
            {
                "activities": "Two-day course with a tabletop exercise; mentoring of two "
                "national trainers.",
                "partners": "UNAOC, national police academy",
                "budget": "18500",
                "currency": "USD",
            },
        ),
        ("delivering", {}),
    ]
    for to, raw in steps:
        req = services.advance(req, actor=prog, to=to, raw=raw)
    c = services.add_course(
        req, {**course, "start": delivered - dt.timedelta(days=1), "end": delivered}, actor=prog
    )
    for name, org, role, gender, attended, completed, pre, post, sat in people:
        services.add_participant(
            c,
            {
                "name": name,
                "organisation": org,
                "role": role,
                "gender": gender,
                "attended": attended,
                "completed": completed,
                "pre_score": pre,
                "post_score": post,
                "satisfaction": sat,
            },
            actor=prog,
        )
    req = services.advance(req, actor=prog, to="delivered", raw={"delivered_on": delivered})
    services.add_evidence(
        c,
        {
            "level": 3,
            "description": "Trained stewards ran the lockdown drill unprompted in the "
            "regional tabletop exercise; objective rated S (performed with some challenges).",
            "source": "Regional tabletop exercise",
            "date": delivered + dt.timedelta(days=60),
        },
        actor=prog,
    )
    return services.advance(
        req,
        actor=prog,
        to="evaluated",
        raw={"summary": "High satisfaction; medium learning gain; one participant at the ceiling."},
    )


def load(orgs: Mapping[str, Organisation]) -> None:
    """Create the demo capacity records (no-op when the demo has no authority or programme)."""
    authority = next((o for o in orgs.values() if o.kind == OrgKind.AUTHORITY), None)
    programmes = [o for o in orgs.values() if o.kind == OrgKind.PROGRAMME]
    if authority is None or not programmes:
        return
    prog = next((u for o in programmes if (u := _editor(o, access.can_manage))), None)
    asker = _editor(authority, access.can_request)
    planner = _editor(authority, access.can_edit_plan)
    today = timezone.localdate()
    base = {
        "target_audience": "Police protective-security officers and religious-site stewards",
        "legal_basis": "National Counter-Terrorism Act, art. 14 (protection of public places)",
    }
    old = services.submit_request(
        {
            **base,
            "title": "Crowded places: hostile-vehicle awareness",
            "need": "Event organisers and police lack a shared method to "
            "assess vehicle-as-a-weapon risk.",
            "scenarios": ["vehicle_ramming"],
            "site_types": ["public_space", "venue"],
        },
        actor=asker,
        requesting_org=authority,
    )
    old = _cycle(
        old,
        prog,
        today - dt.timedelta(days=400),
        people=PEOPLE[:6],
        course={
            "title": "Hostile-vehicle awareness",
            "topic": "hostile vehicle mitigation",
            "sector": "public_space",
            "location": "Capital",
            "max_score": 100,
        },
    )
    old = services.advance(old, actor=prog, to="follow_up_due")
    services.advance(
        old,
        actor=asker,
        to="closed",
        raw={
            "completed_on": today - dt.timedelta(days=200),
            "report": "Vehicle-risk checklist adopted by both police services.",
        },
    )
    req = services.submit_request(
        {
            **base,
            "title": "Protecting places of worship",
            "need": "Attacks on religious sites in the region; stewards "
            "and police have never trained together.",
            "scenarios": ["firearms", "bladed_weapon", "arson"],
            "site_types": ["place_of_worship"],
            "preferred_start": today - dt.timedelta(days=200),
            "preferred_end": today - dt.timedelta(days=120),
        },
        actor=asker,
        requesting_org=authority,
    )
    _cycle(
        req,
        prog,
        today - dt.timedelta(days=150),
        people=PEOPLE,
        course={
            "title": "Protective security of places of worship",
            "topic": "protective security",
            "sector": "place_of_worship",
            "location": "Harbour City",
            "max_score": 100,
        },
    )
    services.submit_request(
        {
            **base,
            "title": "Drone (UAS) threats to stadiums",
            "need": "No guidance on detecting and responding to drones over large venues.",
            "scenarios": ["uas"],
            "site_types": ["venue"],
        },
        actor=asker,
        requesting_org=authority,
    )
    _plan(authority, planner, today)


def _plan(owner: Organisation, actor: User | None, today: dt.date) -> ActionPlan:
    plan = services.create_plan(
        {
            "title": "National action plan for the protection of vulnerable targets 2026–2028",
            "purpose": "Reduce the risk of attacks on crowded places and religious sites.",
            "scope": "Publicly accessible places, places of worship and large venues nationwide.",
            "problem_definition": "Soft targets are attacked with low-sophistication means.",
            "risk_assessment": "National soft-target threat assessment, updated yearly.",
            "coordination": "Inter-agency board chaired by the National CT Centre, quarterly.",
            "reporting_frequency": "Every six months",
        },
        actor=actor,
        owner=owner,
    )
    o1 = services.add_objective(plan, {"title": "Know the risk", "priority": 1}, actor=actor)
    o2 = services.add_objective(plan, {"title": "Work together", "priority": 2}, actor=actor)
    year = today.year
    actions: list[tuple[PlanObjective, dict[str, Any], dict[str, Any] | None]] = [
        (
            o1,
            {
                "title": "Assess every registered place of worship",
                "lead_agency": "National CT Centre",
                "supporting_agencies": ["Northern Police Service", "Southern Police Service"],
                "mandate_refs": [
                    "poa_rs.preparedness.risk_assessment",
                    "unscr2396.soft_targets_risk_assessment",
                ],
                "milestones": [{"label": "Half assessed", "date": f"{year}-12-31"}],
                "budget": "40000",
                "currency": "USD",
                "status": "in_progress",
            },
            {
                "definition": "Share of places of worship assessed",
                "unit": "%",
                "baseline": 10,
                "target": 100,
                "frequency": "quarterly",
                "data_source": "PlaceGuard registry",
            },
        ),
        (
            o2,
            {
                "title": "Public–private security partnership for crowded places",
                "lead_agency": "Ministry of the Interior",
                "mandate_refs": ["unscr2341.op5", "unscr2396.soft_targets_partnerships"],
                "end": f"{year + 1}-06-30",
                "status": "planned",
            },
            None,
        ),
        (
            o2,
            {
                "title": "Share site features with first responders",
                "lead_agency": "Northern Police Service",
                "mandate_refs": ["poa_rs.preparedness.responder_information"],
                "status": "planned",
                "budget": "5000",
                "currency": "USD",
            },
            None,
        ),
    ]
    for objective, raw, indicator in actions:
        action = services.add_action(objective, raw, actor=actor)
        if indicator:
            services.add_indicator(action, indicator, actor=actor)
    services.promote_to_plan_action(
        actor=actor,
        plan_objective=o2,
        title="Interoperable radio channel for police and site security",
        origin_label="Tabletop exercise AAR: corrective action on communications",
        origin_url="",
        origin_ref="",
        lead_agency="Southern Police Service",
        mandate_refs=["unscr2341.op6"],
        status="planned",
    )
    services.add_progress_report(
        plan,
        {
            "period_end": today - dt.timedelta(days=30),
            "summary": "Risk assessments started in the north; partnership charter drafted.",
        },
        actor=actor,
    )
    return plan
