"""Write a generated :class:`~placeguard.engines.demo.DemoCountry` to the database."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from placeguard.content import load_risk_pack
from placeguard.core.errors import ConflictError
from placeguard.core.vocab import OrgKind, Role
from placeguard.engines.demo import DEMO_PASSWORD, DemoCountry, generate
from placeguard.engines.demo.assessments import DemoAssessment, plan_assessments
from placeguard.engines.demo.country import COUNTRY_CODE
from placeguard.engines.demo.roads import road_grid
from placeguard.web.allocation import services as allocation_services
from placeguard.web.assessments import scoring
from placeguard.web.assessments import services as assessment_services
from placeguard.web.assessments.models import Assessment
from placeguard.web.capacity import demo as capacity_demo
from placeguard.web.exercises import demo as exercises_demo
from placeguard.web.incidents import demo as incidents_demo
from placeguard.web.intel import demo as intel_demo
from placeguard.web.orgs import demo as orgs_demo
from placeguard.web.orgs import services as org_services
from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.practices import demo as practices_demo
from placeguard.web.sars import demo as sars_demo
from placeguard.web.sharing import demo as sharing_demo
from placeguard.web.sites import services as site_services
from placeguard.web.sites.models import Site

__all__ = ["database_is_empty", "load_allocation", "load_demo", "write_demo_roads"]


def database_is_empty() -> bool:
    """True when no organisation or region exists yet (a fresh install)."""
    return not Organisation.objects.exists() and not Region.objects.exists()


def load_demo(
    *,
    seed: int = 7,
    n_sites: int = 300,
    progress: Callable[[int], None] | None = None,
) -> DemoCountry:
    """Generate and write the demo country in one transaction.

    Everything goes through the services with ``actor=None`` (the system), so every record is
    validated and audited like user input. Refuses to run on a database that has data.
    """
    if not database_is_empty():
        msg = (
            "The database already has organisations or regions; "
            "the demo loads only into an empty one."
        )
        raise ConflictError(msg, code="not_empty")
    country = generate(seed, n_sites)
    with transaction.atomic():
        regions = {}
        for spec in country.regions:
            regions[spec.code] = org_services.create_region(
                actor=None,
                code=spec.code,
                name=spec.name,
                country_code=COUNTRY_CODE,
                latitude=spec.latitude,
                longitude=spec.longitude,
                outline=[list(p) for p in spec.outline],
            )
        orgs = {}
        for org in country.organisations:
            orgs[org.slug] = org_services.create_organisation(
                actor=None,
                regions=[regions[c] for c in org.regions],
                slug=org.slug,
                name=org.name,
                kind=org.kind.value,
                country_code=COUNTRY_CODE,
                vetted=org.vetted,
                description=org.description,
                contact_email=f"security@{org.slug}.example",
            )
        for user in country.users:
            org_services.create_user(
                actor=None,
                username=user.username,
                organisation=orgs[user.organisation],
                roles=[r.value for r in user.roles],
                password=DEMO_PASSWORD,
                first_name=user.first_name,
                last_name=user.last_name,
                email=f"{user.username}@{user.organisation}.example",
                validate=False,
            )
        sites = site_services.import_sites(list(country.sites), actor=None, progress=progress)
        load_assessments(country, sites, seed=seed)
        load_allocation(country, orgs)
        exercises_demo.load(country, sites)
        capacity_demo.load(orgs)
        sharing_demo.load(orgs)
        incidents_demo.load(orgs)
        practices_demo.load(orgs)
        sars_demo.load(orgs)
        orgs_demo.load()
        intel_demo.load(orgs)
    write_demo_roads(country)
    return country


# ------------------------------------------------------------------ allocation
def load_allocation(country: DemoCountry, orgs: Mapping[str, Organisation]) -> None:
    """A response station in each region's town and patrol teams for each demo police force:
    one team per region of its jurisdiction (that region as district) and one roaming team."""
    for region in country.regions:
        police = orgs[region.police]
        allocation_services.create_station(
            {"name": f"{region.town} Central", "latitude": region.latitude,
             "longitude": region.longitude},
            actor=None, organisation=police,
        )  # fmt: skip
        allocation_services.create_team(
            {"name": f"{region.name} patrol", "districts": [region.code]},
            actor=None, organisation=police,
        )  # fmt: skip
    for slug in dict.fromkeys(r.police for r in country.regions):
        allocation_services.create_team(
            {"name": "Rapid response", "districts": []}, actor=None, organisation=orgs[slug]
        )


def write_demo_roads(country: DemoCountry, path: Path | None = None) -> Path:
    """Write the synthetic road grid covering the demo sites and stations (GeoJSON).

    Development settings point ``PLACEGUARD_ROAD_NETWORK`` at this file by default.
    """
    target = path or Path(settings.DATA_DIR) / "demo-roads.geojson"
    points = [(float(s["longitude"]), float(s["latitude"])) for s in country.sites]
    points += [(r.longitude, r.latitude) for r in country.regions]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(road_grid(points)), encoding="utf-8")
    return target


# ------------------------------------------------------------------ assessments
#: Operators whose demo logins should find assessments in every state.
FEATURED_OPERATORS = (
    "meridian-malls",
    "st-brendan-parish",
    "national-stadium",
    "harbourline-hotels",
    "meridia-transit",
)
#: Operators whose approved assessment also gets action items and a risk acceptance.
FOLLOW_UP_OPERATORS = ("meridian-malls", "national-stadium", "st-brendan-parish")
#: Scenarios the demo operators accept the remaining risk of, with the reason.
ACCEPTED = (
    (
        "uas",
        "Drone attack judged very unlikely here; revisit if the national threat level rises "
        "or the city allows drone flights over the area.",
    ),
    (
        "cbrn",
        "No credible CBRN threat to sites of this kind; the regional emergency plan covers "
        "decontamination.",
    ),
)
_EDITOR_ROLES = {Role.ANALYST, Role.PUBLISHER, Role.ORG_ADMIN}


def _editors(country: DemoCountry) -> dict[str, User]:
    """The first demo user holding an editor role, per organisation slug."""
    first: dict[str, str] = {}
    for spec in country.users:
        if _EDITOR_ROLES & set(spec.roles):
            first.setdefault(spec.organisation, spec.username)
    users = {u.username: u for u in User.objects.filter(username__in=first.values())}
    return {slug: users[name] for slug, name in first.items()}


def _submit(
    site: Site,
    answers: Mapping[str, int | str],
    plan: DemoAssessment,
    *,
    editor: User,
) -> Assessment:
    assessment = assessment_services.start_assessment(
        site, actor=editor, threat_level=plan.threat_level
    )
    assessment_services.update_context(
        assessment, actor=editor, symbolic=plan.symbolic, threatened=plan.threatened
    )
    assessment_services.save_answers(assessment, dict(answers), actor=editor)
    return assessment


def _follow_up(assessment: Assessment, operator: User, n: int) -> None:
    """Action items from the measures that cut the most risk, some overdue; one acceptance."""
    problem = scoring.plan_problem(assessment)
    gain = (problem.risk[None, :] * (1.0 - problem.factor)).sum(axis=1)
    order = [int(j) for j in np.argsort(-gain)[:4]]
    today = timezone.localdate()
    items = assessment_services.create_action_items(
        assessment,
        [problem.ids[j] for j in order],
        actor=operator,
        due_date=today + timedelta(days=60),
    )
    changes: Sequence[dict[str, object]] = (
        {"status": "in_progress", "owner": operator.pk, "due_date": today - timedelta(days=21)},
        {"status": "open", "owner_name": "Facilities manager", "due_date": today - timedelta(7)},
        {"status": "open", "owner": operator.pk, "due_date": today + timedelta(days=45)},
        {"status": "done", "owner": operator.pk, "due_date": today - timedelta(days=30),
         "notes": "Installed and tested with the police security adviser."},
    )  # fmt: skip
    for item, change in zip(items, changes, strict=False):
        assessment_services.update_action_item(item, change, actor=operator)
    scenario, rationale = ACCEPTED[n % len(ACCEPTED)]
    assessment_services.accept_risk(
        assessment,
        scenario,
        actor=operator,
        rationale=rationale,
        expires_on=today + timedelta(days=365),
    )


def load_assessments(country: DemoCountry, sites: Sequence[Site], *, seed: int) -> int:
    """Create the demo assessments through the services; returns how many were created.

    About a third of the sites are assessed by their operator's security lead (or, for
    operators without a demo login, by the national CT centre); the police force whose
    jurisdiction covers the site reviews them — never the person who submitted (four eyes).
    """
    pack = load_risk_pack()
    questions = {
        t: [(q.id, len(q.options)) for q in pack.questions_for(t)]
        for t in {str(s["site_type"]) for s in country.sites}
    }
    plans = plan_assessments(
        country.sites, questions, seed=seed, featured_operators=FEATURED_OPERATORS
    )
    editors = _editors(country)
    authority = next(o.slug for o in country.organisations if o.kind == OrgKind.AUTHORITY)
    police_of_region = {r.code: editors[r.police] for r in country.regions}
    followed: set[str] = set()
    created = 0
    for plan in plans:
        spec = country.sites[plan.site]
        site = sites[plan.site]
        operator = editors.get(str(spec["operator"]))
        editor = operator or editors[authority]
        reviewer = police_of_region[str(spec["region"])]
        if plan.earlier is not None:
            earlier = _submit(site, plan.earlier, plan, editor=editor)
            assessment_services.submit(earlier, actor=editor)
            assessment_services.approve(earlier, actor=reviewer)
            created += 1
        assessment = _submit(site, plan.answers, plan, editor=editor)
        created += 1
        if plan.outcome == "draft":
            continue
        assessment = assessment_services.submit(assessment, actor=editor)
        if plan.outcome == "returned":
            assessment_services.return_for_changes(
                assessment, actor=reviewer, comment=plan.comment, question_id=plan.comment_question
            )
        elif plan.outcome == "approved":
            assessment = assessment_services.approve(
                assessment, actor=reviewer, comment=plan.comment
            )
            slug = str(spec["operator"])
            if operator is not None and slug in FOLLOW_UP_OPERATORS and slug not in followed:
                _follow_up(assessment, operator, len(followed))
                followed.add(slug)
    return created
