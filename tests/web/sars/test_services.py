"""Filing and vetting through the services: the state machine, the tier-2 rule, the fixed
audience, the dissemination log and the schema's missing protected characteristics."""

from __future__ import annotations

import pytest

from placeguard.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from placeguard.web.audit.models import AuditEvent
from placeguard.web.sars import models as m
from placeguard.web.sars import services
from placeguard.web.sars.choices import BEHAVIOURS, TIER_TWO_CODES, BehaviourCode, SarStatus
from tests.conftest import World
from tests.web.sars.conftest import sar_raw

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


def test_the_sixteen_categories_in_two_tiers() -> None:
    assert len(BEHAVIOURS) == 16 == len(BehaviourCode.values)
    assert set(BEHAVIOURS) == set(BehaviourCode.values)
    assert {c for c, b in BEHAVIOURS.items() if b.tier == 1} == {
        "INTRSN", "MISREP", "THEFT", "SABOT", "CYBER", "THREAT", "AVIATION",
    }  # fmt: skip
    assert len(TIER_TWO_CODES) == 9 and "PHOTO" in TIER_TWO_CODES


def test_no_protected_characteristic_fields() -> None:
    """Schema test: no field, in any SAR model, names a protected characteristic."""
    banned = ("race", "religio", "ethnic", "politic", "faith", "nationality", "skin", "belief")
    models = [m.SuspiciousActivityReport, m.SarBehaviour, m.ReporterIdentity, m.VettingNote,
              m.StatusChange, m.Attachment, m.AttachmentContent, m.Dissemination,
              m.SarAudienceOrg]  # fmt: skip
    names = {f.name.lower() for model in models for f in model._meta.get_fields()}
    assert "subject_description" in names  # the check does look at the real fields
    assert not {n for n in names if any(b in n for b in banned)}
    assert not set(services.REPORT_FIELDS | services.REPORTER_FIELDS) & {
        "race", "religion", "ethnicity", "political_opinion",
    }  # fmt: skip


def test_file_sets_fixed_audience_identity_and_dissemination_log(sarworld: World) -> None:
    w = sarworld
    sar = services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reporter"])
    assert sar.status == SarStatus.NEW
    # Police North only: Rogue Police is responsible too but not vetted.
    assert set(sar.audience_rows.values_list("org__slug", flat=True)) == {"police-north"}
    assert sar.identity.full_name == "Rita Reporter"
    log = list(sar.disseminations.all())
    assert [(d.to_org.slug, d.kind, d.includes_identity) for d in log] == [
        ("police-north", "filing", True)
    ]
    assert log[0].released_by == w.users["mall_reporter"] and log[0].reason
    event = AuditEvent.objects.get(action="sar.file", object_id=str(sar.pk))
    assert "Rita" not in str(event.diff) and "fence" not in str(event.diff)  # metadata only


def test_protected_characteristic_fields_are_rejected_as_unknown(sarworld: World) -> None:
    w = sarworld
    raw = sar_raw(w.sites["mall_north"], religion="x", ethnicity="y")
    with pytest.raises(ValidationError) as exc:
        services.file_sar(raw, actor=w.users["mall_reporter"])
    assert _fields(exc) == {"religion": "unknown_field", "ethnicity": "unknown_field"}
    assert not m.SuspiciousActivityReport.objects.exists()


def test_every_problem_at_once_and_nothing_half_saved(sarworld: World) -> None:
    w = sarworld
    raw = sar_raw(
        w.sites["mall_north"],
        behaviours=["PHOTO", "NOPE"],
        narrative="",
        why_suspicious="",
        latitude=91,
        observed_from="yesterday",
        reporter={"full_name": "", "email": "not-an-email"},
    )
    with pytest.raises(ValidationError) as exc:
        services.file_sar(raw, actor=w.users["mall_reporter"], files=[("x.exe", b"MZ\x90")])
    assert _fields(exc) == {
        "behaviours": "invalid_choice", "narrative": "required", "why_suspicious": "required",
        "latitude": "out_of_range", "observed_from": "invalid", "reporter.full_name": "required",
        "reporter.email": "invalid", "attachments": "unsupported_type",
    }  # fmt: skip
    assert not m.SuspiciousActivityReport.objects.exists()
    assert not m.ReporterIdentity.objects.exists() and not m.Attachment.objects.exists()


def test_tier_two_behaviour_needs_articulable_facts_at_filing(sarworld: World) -> None:
    w = sarworld
    raw = sar_raw(w.sites["mall_north"], behaviours=["PHOTO"])
    with pytest.raises(ValidationError) as exc:
        services.file_sar(raw, actor=w.users["mall_reporter"])
    assert _fields(exc) == {"articulable_facts": "required"}
    raw["articulable_facts"] = "Filmed only the camera positions and the staff door for 20 min."
    assert services.file_sar(raw, actor=w.users["mall_reporter"]).pk


def test_only_reporters_and_above_of_the_operator_file(sarworld: World) -> None:
    w = sarworld
    with pytest.raises(PermissionDeniedError):  # a reader of the operator
        services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_reader"])
    with pytest.raises(PermissionDeniedError):  # police do not file operator reports
        services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["police_n"])
    with pytest.raises(ValidationError) as exc:  # another operator's site looks unknown
        services.file_sar(sar_raw(w.sites["hotel_north"]), actor=w.users["mall_reporter"])
    assert _fields(exc) == {"site": "invalid"}
    assert services.file_sar(sar_raw(w.sites["mall_north"]), actor=w.users["mall_admin"]).pk
    assert services.file_sar(sar_raw(w.sites["hotel_north"]), actor=w.users["hotel_admin"]).pk


def _filed(w: World, **overrides: object) -> m.SuspiciousActivityReport:
    return services.file_sar(sar_raw(w.sites["mall_north"], **overrides),
                             actor=w.users["mall_reporter"])  # fmt: skip


def test_state_machine(sarworld: World) -> None:
    w = sarworld
    sar = _filed(w)
    police = w.users["police_n"]
    with pytest.raises(ValidationError) as exc:  # new → referred skips review
        services.vet_sar(sar, {"status": "referred", "note": "x"}, actor=police)
    assert _fields(exc) == {"status": "invalid_transition"}
    services.vet_sar(sar, {"status": "under_review"}, actor=police)
    with pytest.raises(ValidationError) as exc:  # a decision needs its rationale
        services.vet_sar(sar, {"status": "no_further_action"}, actor=police)
    assert _fields(exc) == {"note": "required"}
    services.vet_sar(sar, {"status": "referred", "note": "Matches a pattern."}, actor=police)
    sar.refresh_from_db()
    assert sar.status == SarStatus.REFERRED and sar.review_due is not None
    services.vet_sar(sar, {"status": "no_further_action", "note": "Explained."}, actor=police)
    sar.refresh_from_db()
    assert sar.status == SarStatus.NO_FURTHER_ACTION
    closed = m.SuspiciousActivityReport.objects.filter(pk=sar.pk)
    assert closed.filter(purge_due__isnull=False, review_due__isnull=True).exists()
    with pytest.raises(ValidationError):
        services.vet_sar(sar, {"status": "under_review"}, actor=police)
    history = list(sar.status_changes.values_list("from_status", "to_status"))
    assert history == [("new", "under_review"), ("under_review", "referred"),
                       ("referred", "no_further_action")]  # fmt: skip


def test_tier_two_needs_articulable_facts_before_referral(sarworld: World) -> None:
    w = sarworld
    sar = _filed(w, behaviours=["SURVL"], articulable_facts="Paced the perimeter 6 times.")
    police = w.users["police_n"]
    services.vet_sar(sar, {"status": "under_review"}, actor=police)
    with pytest.raises(ValidationError) as exc:
        services.vet_sar(sar, {"status": "referred", "note": "Refer."}, actor=police)
    assert _fields(exc) == {"vetting_facts": "required"}
    sar.refresh_from_db()
    assert sar.status == SarStatus.UNDER_REVIEW  # nothing saved
    services.vet_sar(
        sar,
        {"status": "referred", "note": "Refer.", "vetting_facts": "Same car seen at 3 sites."},
        actor=police,
    )
    assert set(sar.vetting_notes.values_list("kind", flat=True)) == {"rationale", "facts"}
    # A tier-1 report is referred without them.
    plain = _filed(w)
    services.vet_sar(plain, {"status": "under_review"}, actor=police)
    services.vet_sar(plain, {"status": "referred", "note": "Burglary pattern."}, actor=police)


def test_who_vets(sarworld: World) -> None:
    w = sarworld
    sar = _filed(w)
    with pytest.raises(PermissionDeniedError):  # a police reader sees it but does not vet
        services.vet_sar(sar, {"status": "under_review"}, actor=w.users["police_n_reader"])
    with pytest.raises(NotFoundError):  # another force does not even see it
        services.vet_sar(sar, {"status": "under_review"}, actor=w.users["police_s"])
    with pytest.raises(PermissionDeniedError):  # the reporting organisation cannot vet
        services.vet_sar(sar, {"status": "under_review"}, actor=w.users["mall_admin"])
    services.vet_sar(sar, {"status": "under_review"}, actor=w.users["police_n"])


def test_le_to_le_referral_widens_and_is_logged(sarworld: World) -> None:
    w = sarworld
    sar = _filed(w)
    police = w.users["police_n"]
    services.vet_sar(sar, {"status": "under_review"}, actor=police)
    with pytest.raises(ValidationError) as exc:  # only to vetted police forces
        services.vet_sar(sar, {"status": "referred", "note": "n", "refer_to": ["mall-co"]},
                         actor=police)  # fmt: skip
    assert _fields(exc) == {"refer_to": "invalid_choice"}
    services.vet_sar(
        sar,
        {"status": "referred", "note": "Suspect lives in the south.", "refer_to": ["police-south"]},
        actor=police,
    )
    row = sar.audience_rows.get(org__slug="police-south")
    assert row.via_referral
    referral = sar.disseminations.get(kind="referral")
    assert (referral.released_by, referral.to_org.slug, referral.includes_identity) == (
        police, "police-south", False,
    )  # fmt: skip
    assert referral.reason == "Suspect lives in the south."
    assert AuditEvent.objects.filter(action="sar.refer", object_id=str(sar.pk)).count() == 1
