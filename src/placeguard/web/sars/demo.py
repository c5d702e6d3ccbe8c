"""Demo suspicious-activity reports in every vetting state, seen differently by the personas.

Reports by Meridian Malls staff about a mall the northern police are responsible for:

* ``new`` — a fence climber, filed by ``mall.guard`` (a front-line reporter);
* ``under_review`` — filming of camera positions (tier 2, with articulable facts), by
  ``mall.guard``, with a police note;
* ``referred`` — a threat, filed by ``mall.security``, referred by ``police.north`` to the
  southern police (LE-to-LE referral, in the dissemination log), with a PDF attachment;
* ``no_further_action`` — questions about opening hours, closed as unfounded (purge date set).

So ``mall.guard`` reads its own two reports; ``mall.security`` reads all four but the reporter
identity of its own only and no vetting notes; ``police.north`` reads all four with identities
and notes; ``police.south`` reads the referred one without its reporter; ``admin`` and
``hotel.security`` read none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone

from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sars import services
from placeguard.web.sars.models import SuspiciousActivityReport
from placeguard.web.sites.models import Site

__all__ = ["load"]

_PDF = b"%PDF-1.4\n% PlaceGuard demo: CCTV log extract\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _raw(site: Site, hours_ago: int, **fields: Any) -> dict[str, Any]:
    return {
        "site": site.pk,
        "observed_from": (timezone.now() - timedelta(hours=hours_ago)).isoformat(),
        **fields,
    }


def load(orgs: Mapping[str, Organisation]) -> dict[str, SuspiciousActivityReport]:
    """Create the demo reports (call inside the demo loader's transaction)."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    guard, security = users.get("mall.guard"), users.get("mall.security")
    police, south = users.get("police.north"), orgs.get("southern-police")
    mall_org, north = orgs.get("meridian-malls"), orgs.get("northern-police")
    if not (guard and security and police and south and mall_org and north):
        return {}
    site = (
        Site.objects.filter(operator=mall_org, responsible_le=north).order_by("name", "id").first()
    )
    if site is None:
        return {}
    guard_id = {"full_name": "Tom Ilic", "job_title": "Security officer", "phone": "+000 555 0142"}
    out: dict[str, SuspiciousActivityReport] = {}
    out["new"] = services.file_sar(
        _raw(site, 3, behaviours=["INTRSN"], location_detail="Service yard, gate 3",
             narrative="A person climbed the service-yard fence and tried the loading-bay door.",
             why_suspicious="The yard is closed to the public; the person ran when challenged.",
             subject_count=1, subject_description="Dark hooded jacket, about 1.80 m.",
             reporter=guard_id),
        actor=guard,
    )  # fmt: skip
    out["under_review"] = services.file_sar(
        _raw(site, 30, behaviours=["PHOTO", "SURVL"], location_detail="North entrance",
             narrative="Two people filmed the CCTV cameras and staff door for about 20 minutes.",
             why_suspicious="They filmed only cameras and the staff door, not the shops.",
             articulable_facts="Filmed each camera in turn; timed the guard patrol; left when "
                               "approached; same pair seen last week.",
             subject_count=2, reporter=guard_id),
        actor=guard,
    )  # fmt: skip
    review = {"status": "under_review", "note": "Requesting CCTV; checking the earlier sighting."}
    services.vet_sar(out["under_review"], review, actor=police)
    out["referred"] = services.file_sar(
        _raw(site, 72, behaviours=["THREAT"], location_detail="Food court",
             narrative="A man shouted that he would come back and burn the food court.",
             why_suspicious="An explicit threat to damage the site and hurt people.",
             vehicle_description="Grey van, partial plate KX7.",
             reporter={"full_name": "Marco Lindqvist", "job_title": "Head of security"}),
        actor=security,
        files=[("cctv-log.pdf", _PDF)],
    )  # fmt: skip
    services.vet_sar(out["referred"], {"status": "under_review"}, actor=police)
    services.vet_sar(
        out["referred"],
        {"status": "referred", "note": "The van is registered in the southern force's area.",
         "refer_to": [south.slug]},
        actor=police,
    )  # fmt: skip
    out["no_further_action"] = services.file_sar(
        _raw(site, 200, behaviours=["ELICIT"], location_detail="Information desk",
             narrative="A visitor asked when the night cleaners arrive and which doors they use.",
             why_suspicious="Unusual interest in out-of-hours access.",
             articulable_facts="Asked three staff members the same questions.",
             reporter=guard_id),
        actor=guard,
    )  # fmt: skip
    services.vet_sar(out["no_further_action"], {"status": "under_review"}, actor=police)
    services.vet_sar(
        out["no_further_action"],
        {"status": "no_further_action", "note": "A cleaning-agency applicant; confirmed."},
        actor=police,
    )
    return out
