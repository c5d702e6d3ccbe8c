"""Registry performance: the scoped site list and the all-or-nothing import.

Claims measured (side by side, same process, same data):

1. ``GET /api/v1/sites/`` serves a 500-row page with a constant number of queries; baseline:
   the same serializer over the visible queryset *without* select/prefetch (the N+1 pattern).
2. ``import_sites`` validates and writes N rows in one transaction with lookups loaded once;
   baseline: N calls of ``create_site`` (each loads lookups and commits on its own).
"""

from __future__ import annotations

from _harness import best_of, django_with_fresh_db, report

django_with_fresh_db()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from placeguard.engines.demo import generate  # noqa: E402
from placeguard.web.demo.loader import load_demo  # noqa: E402
from placeguard.web.orgs.models import User  # noqa: E402
from placeguard.web.orgs.services import issue_token  # noqa: E402
from placeguard.web.sites.access import visible_to  # noqa: E402
from placeguard.web.sites.api.serializers import SiteSerializer  # noqa: E402
from placeguard.web.sites.services import create_site, import_sites  # noqa: E402

N_SITES = 2000
load_demo(seed=1, n_sites=N_SITES)
ministry = User.objects.get(username="ministry")
client = APIClient()
client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(ministry, actor=ministry)[1]}")


def api_page() -> None:
    response = client.get("/api/v1/sites/", {"page_size": 500})
    assert response.status_code == 200


def naive_page() -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/api/v1/sites/")
    rows = visible_to(ministry).order_by("name", "id")[:500]
    data = SiteSerializer(rows, many=True, context={"request": request}).data
    assert len(data) == 500


with CaptureQueriesContext(connection) as ours_q:
    api_page()
with CaptureQueriesContext(connection) as naive_q:
    naive_page()
print(
    f"site list, {N_SITES} sites, page of 500 — queries: "
    f"ours {len(ours_q)}, N+1 baseline {len(naive_q)}"
)
report(
    "site list API page (500 rows)",
    best_of(api_page),
    best_of(naive_page),
    baseline_name="N+1 baseline",
)

N_IMPORT = 500
rows = [dict(s, name=f"Bench {i} {s['name']}") for i, s in enumerate(generate(99, N_IMPORT).sites)]


def ours_import() -> None:
    with transaction.atomic():
        import_sites(rows, actor=None)
        transaction.set_rollback(True)


def baseline_import() -> None:
    with transaction.atomic():
        for row in rows:
            create_site(row, actor=None)
        transaction.set_rollback(True)


ours = best_of(ours_import, repeat=3)
base = best_of(baseline_import, repeat=3)
report(f"import {N_IMPORT} sites", ours, base, baseline_name="row-by-row create_site")
print(f"import throughput: {N_IMPORT / ours:,.0f} sites/s")
