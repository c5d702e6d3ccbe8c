"""Site services: the bulk creation path agrees with the stored state, in few queries."""

from __future__ import annotations

from typing import Any

from placeguard.web.audit.models import AuditEvent
from placeguard.web.audit.services import diff_fields
from placeguard.web.sites.models import Site
from placeguard.web.sites.services import _snapshot, create_site, import_sites, update_site
from tests.conftest import World, site_raw


def test_create_event_records_exactly_the_stored_state(world: World) -> None:
    site = create_site(
        site_raw(name="Pier", tags=["b-tag", "a-tag"], responsible_le=None), actor=None
    )
    event = AuditEvent.objects.get(action="site.create", object_id=str(site.pk))
    stored = _snapshot(Site.objects.get(pk=site.pk))
    assert event.diff == diff_fields(None, stored)


def test_update_right_after_create_has_an_empty_diff(world: World) -> None:
    site = create_site(site_raw(name="Quay", tags=["z", "a"]), actor=None)
    before = AuditEvent.objects.count()
    update_site(site, {}, actor=None)
    assert AuditEvent.objects.count() == before


def test_import_query_count_is_constant(world: World, django_assert_max_num_queries: Any) -> None:
    rows = [
        site_raw(name=f"Row {i}", tags=[f"t{i % 7}"], region=("north-a", "north-b")[i % 2])
        for i in range(150)
    ]
    # lookups (2) + bulk inserts and tags (~6) + default forces per region (2) + audit head (3)
    with django_assert_max_num_queries(20):
        created = import_sites(rows, actor=None)
    assert len(created) == 150
    assert Site.objects.filter(name__startswith="Row ").count() == 150
    assert sorted(o.slug for o in Site.objects.get(name="Row 1").responsible_le.all()) == [
        "police-north"
    ]
