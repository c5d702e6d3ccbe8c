"""National grant allocation over the assessed sites a user can see.

The engine (``engines.risk.allocation``) picks, within one capital budget, which measures to
fund at which sites; this module feeds it the planning problem of each visible site's
reference assessment (latest approved, else latest submitted) — read-only, nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from placeguard.core.errors import PermissionDeniedError, ValidationError
from placeguard.engines.risk.allocation import Allocation, allocate
from placeguard.web.assessments import queries, scoring
from placeguard.web.assessments.models import Assessment
from placeguard.web.orgs.access import active_org
from placeguard.web.orgs.choices import EDITOR_ROLES, OrgKind
from placeguard.web.orgs.models import User

__all__ = ["MAX_SITES", "GrantAllocation", "SiteGrant", "allocate_grant", "can_allocate"]

#: Sites one request may allocate across (the engine handles more; a web request should not).
MAX_SITES = 2000


@dataclass(frozen=True, slots=True)
class SiteGrant:
    """What one site receives."""

    site_id: int
    site_name: str
    assessment_id: int
    measures: tuple[str, ...]
    capex: float
    risk_before: float
    risk_after: float


@dataclass(frozen=True)
class GrantAllocation:
    """The allocation and the figures that qualify it."""

    currency: str
    budget: float
    spent: float
    risk_before: float
    risk_after: float
    mip_gap: float
    gap_to_lp_bound: float
    options_considered: int
    sites: tuple[SiteGrant, ...]


def can_allocate(user: User) -> bool:
    """Authorities and police analysts, publishers and admins plan national grants."""
    org = active_org(user)
    territorial = {OrgKind.AUTHORITY, OrgKind.LAW_ENFORCEMENT}
    return (
        org is not None and org.vetted and org.kind in territorial and user.has_role(*EDITOR_ROLES)
    )


def allocate_grant(
    user: User, *, budget: float, filters: queries.PortfolioFilters | None = None
) -> GrantAllocation:
    """Allocate ``budget`` (pack currency, one-off) across the user's assessed visible sites."""
    if not can_allocate(user):
        msg = "Only authorities and police analysts plan grant allocations."
        raise PermissionDeniedError(msg)
    if not budget >= 0:
        raise ValidationError.from_mapping({"budget": "must be a number ≥ 0"})
    # Portfolio rows carry annotations (assessment_id …) that the Site type does not declare.
    portfolio: Any = queries.portfolio(user, filters)
    rows: list[Any] = [r for r in portfolio if r.assessment_id is not None]
    if len(rows) > MAX_SITES:
        raise ValidationError.from_mapping(
            {"site_type": f"{len(rows)} sites match; narrow the filters to {MAX_SITES} or fewer"}
        )
    assessments = Assessment.objects.select_related("site").in_bulk([r.assessment_id for r in rows])
    problems = [scoring.plan_problem(assessments[r.assessment_id]) for r in rows]
    result: Allocation = allocate(problems, budget=budget)
    grants = tuple(
        SiteGrant(
            site_id=row.pk,
            site_name=row.name,
            assessment_id=row.assessment_id,
            measures=plan.chosen,
            capex=plan.capex,
            risk_before=float(problem.risk.sum()),
            risk_after=plan.risk,
        )
        for row, problem, plan in zip(rows, problems, result.plans, strict=True)
    )
    return GrantAllocation(
        currency=scoring.current_pack().currency,
        budget=budget,
        spent=result.spent,
        risk_before=result.risk_before,
        risk_after=result.risk_after,
        mip_gap=result.mip_gap,
        gap_to_lp_bound=result.gap_to_lp_bound,
        options_considered=result.options_considered,
        sites=tuple(sorted(grants, key=lambda g: -g.capex)),
    )
