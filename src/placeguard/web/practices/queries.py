"""The one visibility function of practices, and search and facets over it.

:func:`practices_visible_to` is the queryset twin of ``policy.can_view`` for practices (it is
``sharing.queries.shared_visible_to`` with the practice tables). Lists, details, search, facet
counts and the CSV export all start from it, so a hidden practice can never surface through a
count or a filter: :func:`search_practices` and :func:`facet_counts` only narrow that queryset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from placeguard.web.orgs.models import User
from placeguard.web.practices.choices import PracticeKind
from placeguard.web.practices.models import PRACTICE, Practice
from placeguard.web.practices.tags import FACETS, tag_token, vocabulary
from placeguard.web.sharing.queries import shared_visible_to

__all__ = [
    "SearchParams",
    "facet_counts",
    "practices_visible_to",
    "search_practices",
    "visible_to",
]

Reader = User | AnonymousUser | None


def practices_visible_to(user: Reader, *, whole_set: bool = False) -> QuerySet[Practice]:
    """Practices ``user`` may see (content or withdrawn stub), annotated with ``is_stub``."""
    return shared_visible_to(PRACTICE, user, whole_set=whole_set)


def visible_to(user: Reader) -> QuerySet[Practice]:
    """Alias of :func:`practices_visible_to`, the name every app uses for its main model."""
    return practices_visible_to(user)


@dataclass(frozen=True)
class SearchParams:
    """A search: free text and one optional value per tag facet and for the kind."""

    q: str = ""
    site_type: str = ""
    scenario: str = ""
    measure: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> SearchParams:
        """Read ``?q=&site_type=&scenario=&measure=&kind=`` (other keys are ignored)."""

        def text(key: str) -> str:
            value = params.get(key)
            return value.strip() if isinstance(value, str) else ""

        return cls(*(text(k) for k in ("q", "site_type", "scenario", "measure", "kind")))

    @property
    def active(self) -> bool:
        """True when any criterion is set (then only content rows match, never stubs)."""
        return any((self.q, self.site_type, self.scenario, self.measure, self.kind))


def _narrow(rows: QuerySet[Practice], params: SearchParams) -> QuerySet[Practice]:
    if not params.active:
        return rows
    rows = rows.filter(Q(is_stub=False))  # search looks at content: stubs never match
    if params.q:
        rows = rows.filter(Q(title__icontains=params.q) | Q(body__icontains=params.q))
    for facet in FACETS:
        value = getattr(params, facet)
        if value:
            # An unknown value matches nothing rather than everything.
            token = tag_token(facet, value) if value in vocabulary(facet) else "|-|"
            rows = rows.filter(tag_index__contains=token)
    if params.kind:
        rows = rows.filter(kind=params.kind if params.kind in PracticeKind.values else "-")
    return rows


def search_practices(  # noqa: PLR0917 - the published search signature
    user: Reader,
    q: str = "",
    site_type: str = "",
    scenario: str = "",
    measure: str = "",
    kind: str = "",
    *,
    whole_set: bool = False,
) -> QuerySet[Practice]:
    """The visible practices matching every given criterion (empty criteria are ignored).

    ``q`` looks in the title and body (case-insensitive); each tag criterion requires that tag;
    ``kind`` is ``practice`` or ``lesson``. With no criterion, the whole visible list (withdrawn
    stubs included) is returned; with any, only readable content.
    """
    params = SearchParams(q, site_type, scenario, measure, kind)
    return _narrow(practices_visible_to(user, whole_set=whole_set), params)


def facet_counts(user: Reader, params: SearchParams | None = None) -> dict[str, dict[str, int]]:
    """How many visible practices matching ``params`` carry each tag (and each kind).

    Counted from :func:`search_practices` only (catalogue #48): a tag used only on practices
    the reader cannot see is absent. Tags with no visible practice are left out.
    """
    params = params or SearchParams()
    rows = _narrow(practices_visible_to(user, whole_set=True), params).filter(Q(is_stub=False))
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in (*FACETS, "kind")}
    for site_types, scenarios, measures, kind in rows.values_list(
        "site_types", "scenarios", "measures", "kind"
    ).order_by():
        counts["site_type"].update(set(site_types or ()))
        counts["scenario"].update(set(scenarios or ()))
        counts["measure"].update(set(measures or ()))
        counts["kind"][kind] += 1
    return {facet: dict(sorted(c.items())) for facet, c in counts.items()}
