"""Demo incident: a hostile-reconnaissance incident at a Meridian Malls site, investigated by the
northern police and shared TLP:AMBER+STRICT with Meridian Malls only.

It has a timeline, tasks, two evidence files (a small PDF and a CSV log generated in memory,
each with its SHA-256 and custody entries), a hand-over to the forensic lab and a lesson
learned. ``police.north`` and ``mall.security`` see it; ``hotel.security`` and the mall's
security provider (AMBER+STRICT does not reach providers) do not.
"""

from __future__ import annotations

from collections.abc import Mapping

from placeguard.web.incidents import services
from placeguard.web.incidents.models import Incident
from placeguard.web.orgs.models import Organisation, User
from placeguard.web.sites.access import visible_to as sites_visible_to

__all__ = ["load"]


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF showing ``text`` (ASCII only)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def load(orgs: Mapping[str, Organisation]) -> Incident | None:
    """Create the demo incident (call inside the demo loader's transaction)."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    police, mall = users.get("police.north"), orgs.get("meridian-malls")
    if police is None or mall is None:
        return None
    site = sites_visible_to(police).filter(operator=mall).order_by("pk").first()
    incident = services.create_incident(
        {
            "title": "Hostile reconnaissance at a Meridian Malls car park",
            "summary": (
                "Two people filmed the **service entrances** and asked staff about delivery "
                "times. They left in a grey van before officers arrived.\n\n"
                "- CCTV secured\n- Staff statements taken"
            ),
            "occurred_at": "2026-03-14T16:40:00+00:00",
            "scenario": "hostile_reconnaissance",
            "deaths": 0,
            "injured": 0,
            "investigation_status": "under_investigation",
            "lead_investigator": police.pk,
            "sites": [site.pk] if site is not None else [],
            "tlp": "amber+strict",
            "orgs": [mall.pk],
        },
        actor=police,
    )
    services.publish_incident(incident, actor=police)
    for when, text in [
        ("2026-03-14T16:40:00+00:00", "Security officer notices two people filming doors."),
        ("2026-03-14T16:52:00+00:00", "Mall control room calls the police."),
        ("2026-03-14T17:05:00+00:00", "Patrol arrives; the van has left."),
        ("2026-03-15T09:00:00+00:00", "CCTV footage handed to investigators."),
    ]:
        services.add_timeline_entry(incident, {"occurred_at": when, "text": text}, actor=police)
    services.add_task(
        incident,
        {"title": "Trace the grey van (ANPR)", "status": "in_progress", "assignee": police.pk},
        actor=police,
    )
    services.add_task(incident, {"title": "Brief Meridian Malls staff"}, actor=police)
    statement = services.upload_evidence(
        incident,
        [_pdf("Witness statement - security officer, 14 March")],
        filename="witness-statement.pdf",
        description="Statement of the security officer who raised the alarm.",
        actor=police,
    )
    services.upload_evidence(
        incident,
        [b"time,camera,event\n16:38,CP-2,van enters\n16:41,CP-2,filming\n16:50,CP-2,van leaves\n"],
        filename="cctv-log.csv",
        description="Control-room log of the car-park cameras.",
        actor=police,
    )
    services.record_custody(
        statement,
        {
            "action": "transferred",
            "reason": "Sent for handwriting comparison.",
            "handed_to": "Forensic lab",
        },
        actor=police,
    )
    services.verify_evidence(statement, actor=police)
    services.add_lesson(
        incident,
        {
            "text": "Staff noticed the filming but did not know whom to call first.",
            "recommendation": "Put the control-room number on every staff badge.",
            "tags": ["staff-awareness", "reporting"],
        },
        actor=police,
    )
    return incident
