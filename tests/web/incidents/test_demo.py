"""The demo incident is visible to the police and the affected operator only."""

from __future__ import annotations

import hashlib

import pytest

from placeguard.web.demo.loader import load_demo
from placeguard.web.incidents import queries, services, storage
from placeguard.web.incidents.models import Incident
from placeguard.web.orgs.models import User


def _user(name: str) -> User:
    return User.objects.select_related("organisation").get(username=name)


@pytest.mark.django_db
def test_demo_incident_visibility_and_evidence() -> None:
    load_demo(n_sites=40)
    incident = Incident.objects.get()
    assert incident.status == "published" and incident.sites.count() == 1
    for name in ("police.north", "mall.security"):
        user = _user(name)
        assert queries.incidents_visible_to(user).filter(pk=incident.pk).exists(), name
        assert queries.evidence_visible_to(user).count() == 2
        assert queries.timeline_visible_to(user).count() == 4
    for name in ("hotel.security", "police.south", "admin"):
        user = _user(name)
        assert not queries.incidents_visible_to(user).exists(), name
        assert not queries.custody_visible_to(user).exists(), name
    evidence = incident.evidence.order_by("pk").first()
    assert evidence is not None
    stored = storage.path_of(evidence.storage_name).read_bytes()
    assert stored.startswith(b"%PDF-") and hashlib.sha256(stored).hexdigest() == evidence.sha256
    actions = list(evidence.custody.values_list("action", flat=True))
    assert actions == ["uploaded", "transferred", "verified"]
    stream = services.download_evidence(evidence, actor=_user("mall.security"))
    assert stream.read() == stored
    stream.close()
