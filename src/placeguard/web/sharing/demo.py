"""Demo sharing data: two sharing groups, a client link and bulletins of every TLP.

Visible differently to the demo personas (tests/web/sharing/test_demo.py checks it):

* ``admin`` (platform admin) reads the public CLEAR bulletin only (R10);
* ``mall.security`` (Meridian Malls, analyst) adds GREEN, the AMBER bulletin to its company,
  the AMBER+STRICT one to northern operators and the RED one naming it;
* ``mall.guard`` (Meridian Malls, reader) gets CLEAR and GREEN but not the AMBER ones: police
  AMBER to operators defaults to analysts, publishers, admins and security leads (R8);
* ``police.south`` adds the law-enforcement-only bulletin of the police liaison group;
* ``hotel.security`` sees the withdrawn AMBER bulletin as a stub (R2).
"""

from __future__ import annotations

from collections.abc import Mapping

from placeguard.web.orgs.models import Organisation, Region, User
from placeguard.web.sharing import services
from placeguard.web.sharing.models import Bulletin

__all__ = ["load"]

NORTH = ["northgate", "highmoor", "lakeshire"]


def _publish(raw: dict[str, object], author: User, *, second: User | None = None) -> Bulletin:
    bulletin = services.create_bulletin(raw, actor=author)
    services.publish_bulletin(bulletin, actor=author)
    if second is not None:  # a broadcast waits for a second publisher (W2)
        services.publish_bulletin(bulletin, actor=second)
    return bulletin


def load(orgs: Mapping[str, Organisation]) -> dict[str, Bulletin]:
    """Create the demo sharing data (call inside the demo loader's transaction)."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    police, approver = users["police.north"], users["police.north.admin"]
    services.link_provider(
        provider=orgs["sentinel-guarding"], client=orgs["meridian-malls"], actor=None
    )
    regions = list(Region.objects.filter(code__in=NORTH).values_list("pk", flat=True))
    northern = services.create_group(
        {
            "name": "Northern operators",
            "description": "Operators with sites in the northern force's regions.",
            "rule_org_kinds": ["OPERATOR"],
            "rule_regions": regions,
        },
        actor=police,
    )
    liaison = services.create_group(
        {"name": "Police liaison", "description": "Counter-terrorism liaison officers."},
        actor=police,
    )
    services.set_group_members(liaison, {orgs["southern-police"].pk: True}, actor=police)
    out = {
        "clear": _publish(
            {
                "title": "Crowded places: see it, say it, sort it",
                "body": "Public guidance for **staff and visitors** of crowded places.",
                "tlp": "clear",
                "audience_public": True,
            },
            police,
            second=approver,
        ),
        "green": _publish(
            {
                "title": "Hostile reconnaissance: indicators for site staff",
                "body": "- Photographing entrances and CCTV\n- Questions about shift changes",
                "tlp": "green",
                "audience_community": True,
            },
            police,
            second=approver,
        ),
        "amber": _publish(
            {
                "title": "Suspicious approaches at Meridian Malls car parks",
                "body": "Two reports of a person filming vehicle barriers at night.",
                "tlp": "amber",
                "orgs": [orgs["meridian-malls"].pk],
            },
            police,
        ),
        "amber_strict": _publish(
            {
                "title": "Protective-security visits in the north next month",
                "body": "Schedule of visits; do not share outside your organisation.",
                "tlp": "amber+strict",
                "groups": [northern.pk],
            },
            police,
        ),
        "red": _publish(
            {
                "title": "Named threat against a northern mall",
                "body": "Briefing for the named security lead only.",
                "tlp": "red",
                "users": [users["mall.security"].pk],
            },
            police,
        ),
        "le_only": _publish(
            {
                "title": "Subject of interest: vehicle hire pattern",
                "body": "Law-enforcement only.",
                "tlp": "amber",
                "groups": [liaison.pk],
                "le_only": True,
            },
            police,
        ),
        "withdrawn": _publish(
            {
                "title": "Hotel fire-alarm hoax calls",
                "body": "Superseded.",
                "tlp": "amber",
                "orgs": [orgs["harbourline-hotels"].pk],
                "need_to_know": ["ANALYST", "ORG_ADMIN", "READER"],
            },
            police,
        ),
    }
    services.withdraw_bulletin(
        out["withdrawn"], reason="The calls were traced; no threat.", actor=police
    )
    out["draft"] = services.create_bulletin(
        {"title": "Draft: summer events advice", "tlp": "green", "audience_community": True},
        actor=police,
    )
    return out
