"""Demo good practices and lessons learned, of several TLPs and audiences.

Call after ``sharing.demo.load`` (the demo personas and sharing groups exist by then). What the
demo personas see:

* everyone signed in (and the public API) reads the CLEAR public practices of the northern
  police, three of them curated by the programme office;
* every vetted organisation's content readers add the GREEN community practices;
* ``mall.security`` and ``hotel.security`` add the AMBER practices the programme office shares
  with the operators taking part in the programme, and the hotel lesson addressed to them;
* ``police.south`` adds the AMBER lesson the northern police share with the police liaison
  group; the programme office's draft stays with the programme office.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from placeguard.web.orgs.models import Organisation, User
from placeguard.web.practices import services
from placeguard.web.practices.models import Practice
from placeguard.web.sharing.models import SharingGroup

__all__ = ["load"]


def _publish(raw: dict[str, Any], author: User, *, second: User | None = None) -> Practice:
    practice = services.create_practice(raw, actor=author)
    services.publish_practice(practice, actor=author)
    if second is not None:  # a broadcast waits for a second publisher (W2)
        services.publish_practice(practice, actor=second)
    return practice


def _police_practices(police: User, approver: User, liaison: SharingGroup | None) -> list[Practice]:
    public = {"tlp": "clear", "audience_public": True}
    community = {"tlp": "green", "audience_community": True}
    out = [
        _publish(
            {
                "title": "Protect the queue, not just the door",
                "body": "Move bag search **inside** the perimeter or shield the queue with "
                "temporary barriers; a dense queue on the pavement is the softest target.",
                "site_types": ["venue", "retail"],
                "scenarios": ["vehicle_ramming", "pbied"],
                "measures": ["QUEUE_PROTECTION", "HVM_TEMPORARY", "SEARCH_AREA_SETBACK"],
                **public,
            },
            police,
            second=approver,
        ),
        _publish(
            {
                "title": "Welcoming vigilance: greet every visitor",
                "body": "Staff who greet visitors notice hostile reconnaissance early.",
                "site_types": ["place_of_worship", "retail", "hospitality"],
                "scenarios": ["hostile_reconnaissance"],
                "measures": ["WELCOMING_VIGILANCE", "GREETERS_USHERS", "CT_AWARENESS_TRAINING"],
                **public,
            },
            police,
            second=approver,
        ),
        _publish(
            {
                "title": "Run, hide, tell: brief every shift",
                "body": "A two-minute briefing at each shift change keeps the response fresh.",
                "site_types": ["retail", "education", "health"],
                "scenarios": ["firearms", "bladed_weapon"],
                "measures": ["ATTACK_RESPONSE_BRIEFING", "LOCKDOWN_PROCEDURE"],
                **public,
            },
            police,
            second=approver,
        ),
        _publish(
            {
                "title": "Unattended items: the HOT questions",
                "body": "Hidden? Obviously suspicious? Typical for the place? Most items are lost "
                "property; the questions avoid needless evacuations.",
                "site_types": ["transport_hub", "retail", "public_space"],
                "scenarios": ["placed_ied", "hoax"],
                "measures": ["UNATTENDED_ITEM_PROCEDURE", "HOUSEKEEPING"],
                **public,
            },
            police,
            second=approver,
        ),
        _publish(
            {
                "title": "Drone sightings over stadiums: who to call",
                "body": "Record time, direction and description; call the police control room.",
                "site_types": ["venue"],
                "scenarios": ["uas"],
                "measures": ["UAS_PROCEDURE", "POLICE_LIAISON"],
                "kind": "lesson",
                "source": "exercise:demo-stadium",
                **community,
            },
            police,
            second=approver,
        ),
        _publish(
            {
                "title": "Bleed kits near the entrances",
                "body": "Kits at every entrance and trained staff cut deaths after a blade attack.",
                "site_types": ["retail", "transport_hub", "venue"],
                "scenarios": ["bladed_weapon", "firearms", "vehicle_ramming"],
                "measures": ["BLEED_KITS", "FIRST_AID_TRAINING"],
                **community,
            },
            police,
            second=approver,
        ),
    ]
    if liaison is not None:
        out.append(_publish({
            "title": "Lesson: hire-van checks during the harbour festival",
            "body": "Early contact with hire companies identified two suspicious bookings.",
            "kind": "lesson", "site_types": ["public_space"], "scenarios": ["vehicle_ramming"],
            "measures": ["POLICE_PATROL_ARRANGEMENT", "EVENT_TRAFFIC_MANAGEMENT"],
            "source": "incident:demo-harbour", "tlp": "amber", "groups": [liaison.pk],
        }, police))  # fmt: skip
    return out


def load(orgs: Mapping[str, Organisation]) -> dict[str, Practice]:
    """Create the demo practices (call inside the demo loader's transaction)."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    police, approver = users["police.north"], users["police.north.admin"]
    officer = users["programme.officer"]
    liaison = SharingGroup.objects.filter(name="Police liaison").first()
    police_rows = _police_practices(police, approver, liaison)
    for practice in police_rows[:3]:
        services.curate_practice(practice, curated=True, actor=officer)
    leads = [orgs[s].pk for s in ("meridian-malls", "harbourline-hotels", "st-brendan-parish")]
    amber_leads = {"tlp": "amber", "orgs": leads}
    programme_rows = [
        _publish({
            "title": "Peer review of security plans",
            "body": "Swap security plans with a neighbouring site once a year and review them "
                    "against the programme checklist.",
            "site_types": ["retail", "hospitality", "place_of_worship"],
            "scenarios": ["complex", "placed_ied"],
            "measures": ["SECURITY_PLAN", "NEIGHBOUR_COORDINATION"], **amber_leads,
        }, officer),
        _publish({
            "title": "Lesson: evacuation drill found locked fire exits",
            "body": "Two of five exits were chained during the drill; check them every opening.",
            "kind": "lesson", "site_types": ["hospitality"], "scenarios": ["arson"],
            "measures": ["EVACUATION_PLAN", "EXERCISE_PROGRAMME"], "source": "exercise:demo-1",
            **amber_leads,
        }, officer),
        _publish({
            "title": "Tenant coordination in shopping centres",
            "body": "One radio channel and a shared shelter plan for every tenant.",
            "site_types": ["retail"], "scenarios": ["firearms", "bladed_weapon"],
            "measures": ["TENANT_COORDINATION", "STORE_SHELTER_PLAN", "STAFF_RADIOS"],
            "tlp": "amber", "orgs": [orgs["meridian-malls"].pk, orgs["arcade-retail"].pk],
        }, officer),
    ]  # fmt: skip
    hotel = users["hotel.security"]
    out = {f"police_{i}": p for i, p in enumerate(police_rows)}
    out.update({f"programme_{i}": p for i, p in enumerate(programme_rows)})
    out["hotel_lesson"] = _publish({
        "title": "Lesson: guest access after midnight",
        "body": "Keycard-only lift access after midnight stopped non-guests reaching rooms.",
        "kind": "lesson", "site_types": ["hospitality"], "scenarios": ["hostile_reconnaissance"],
        "measures": ["GUEST_ACCESS_CONTROL"], "tlp": "amber",
        "orgs": [orgs["vt-programme"].pk, orgs["meridian-malls"].pk],
    }, hotel)  # fmt: skip
    out["draft"] = services.create_practice(
        {"title": "Draft: faith festivals checklist", "tlp": "green", "audience_community": True,
         "site_types": ["place_of_worship"], "measures": ["FESTIVAL_POSTURE"]},
        actor=officer,
    )  # fmt: skip
    return out
