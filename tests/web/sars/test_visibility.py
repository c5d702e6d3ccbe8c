"""Who reads a report, its reporter identity and its vetting notes (R11), and the oracle: the
querysets of ``queries`` give exactly the answers of the pure policy ``can_view``."""

from __future__ import annotations

import pytest

from placeguard.core.sharing import policy
from placeguard.core.vocab import OrgKind
from placeguard.web.sars import items, queries, services
from placeguard.web.sars.models import SuspiciousActivityReport
from placeguard.web.sharing.principals import principal_for
from tests.conftest import World
from tests.web.sars.conftest import sar_raw

pytestmark = pytest.mark.django_db

OUTSIDERS = ["hotel_admin", "police_s", "rogue_police", "ministry", "platform_admin", "auditor",
             "programme", "guard_pub", "faith_reader", "mall_reader"]  # fmt: skip
READERS = ["mall_reporter", "mall_admin", "police_n", "police_n_reader"]


def _file(w: World) -> SuspiciousActivityReport:
    return services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])


def test_audience_fixed_to_reporting_org_and_responsible_police(sarworld: World) -> None:
    w = sarworld
    sar = _file(w)
    for name in READERS:
        assert queries.sars_visible_to(w.users[name]).filter(pk=sar.pk).exists(), name
    for name in OUTSIDERS:
        assert not queries.sars_visible_to(w.users[name]).filter(pk=sar.pk).exists(), name
    assert not queries.sars_visible_to(None).exists()


def test_reporter_identity_only_author_and_responsible_police(sarworld: World) -> None:
    w = sarworld
    sar = _file(w)
    police = w.users["police_n"]
    services.vet_sar(sar, {"status": "under_review"}, actor=police)
    services.vet_sar(sar, {"status": "referred", "note": "n", "refer_to": ["police-south"]},
                     actor=police)  # fmt: skip
    allowed = {"mall_reporter", "police_n", "police_n_reader"}
    for name in [*READERS, *OUTSIDERS]:
        seen = queries.identities_visible_to(w.users[name]).filter(sar=sar).exists()
        assert seen == (name in allowed), name
    # The referred force reads the report, not who made it.
    assert queries.sars_visible_to(w.users["police_s"]).filter(pk=sar.pk).exists()


def test_vetting_notes_hidden_from_reporting_org_but_status_visible(sarworld: World) -> None:
    w = sarworld
    sar = _file(w)
    police = w.users["police_n"]
    services.vet_sar(sar, {"status": "under_review", "note": "Checking CCTV."}, actor=police)
    services.add_note(sar, "Plate matches an earlier report.", actor=police)
    for name in ["mall_reporter", "mall_admin"]:
        user = w.users[name]
        assert not queries.notes_visible_to(user).filter(sar=sar).exists(), name
        assert not queries.may_read_notes(user, sar)
        assert queries.status_changes_visible_to(user).filter(sar=sar, to_status="under_review")
    for name in ["police_n", "police_n_reader"]:
        assert queries.notes_visible_to(w.users[name]).filter(sar=sar).count() == 2, name
        assert queries.may_read_notes(w.users[name], sar)


def test_querysets_agree_with_the_pure_policy(sarworld: World) -> None:
    """Oracle: for every persona and report, queryset membership == policy ``can_view``."""
    w = sarworld
    north = _file(w)
    referred = _file(w)
    police = w.users["police_n"]
    services.vet_sar(referred, {"status": "under_review"}, actor=police)
    services.vet_sar(referred, {"status": "referred", "note": "n", "refer_to": ["police-south"]},
                     actor=police)  # fmt: skip
    services.add_note(referred, "South: known to us.", actor=w.users["police_s"])
    hotel = services.file_sar(sar_raw(w.sites["hotel_south"]), actor=w.users["hotel_admin"])
    reports = [north, referred, hotel]
    checked = 0
    for name, user in w.users.items():
        principal = principal_for(user)
        for report in reports:
            sar = SuspiciousActivityReport.objects.get(pk=report.pk)
            item = items.sar_item(sar)
            want = principal is not None and policy.can_view(principal, item).content
            got = queries.sars_visible_to(user).filter(pk=sar.pk).exists()
            assert got == want, (name, sar.pk)
            identity = sar.identity
            filed = [r.org_id for r in sar.audience_rows.all() if not r.via_referral]
            id_item = items.identity_item(identity, item, filed)
            want_id = principal is not None and policy.can_view(principal, id_item,
                                                                parent=item).content  # fmt: skip
            got_id = queries.identities_visible_to(user).filter(pk=identity.pk).exists()
            assert got_id == want_id, (name, sar.pk, "identity")
            for note in sar.vetting_notes.all():
                note_item = items.note_item(note, item, org_kind=OrgKind(note.org.kind))
                want_note = (
                    principal is not None
                    and policy.can_view(principal, note_item, parent=item).content
                )
                got_note = queries.notes_visible_to(user).filter(pk=note.pk).exists()
                assert got_note == want_note, (name, sar.pk, "note")
            checked += 1
    assert checked == len(w.users) * 3
