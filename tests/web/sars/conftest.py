"""SAR fixtures: the sharing world plus a front-line reporter of Mall Co, and report helpers.

Extra persona: ``mall_reporter`` (Mall Co, REPORTER). North Mall (north-a) names Police North and
the *unvetted* Rogue Police as responsible; only vetted forces receive reports.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, World
from tests.web.sharing.conftest import build_sharing_world


def build_sar_world() -> World:
    """The sharing world plus ``mall_reporter``."""
    from placeguard.web.orgs import services as orgs

    w = build_sharing_world()
    w.users["mall_reporter"] = orgs.create_user(
        actor=None,
        username="mall_reporter",
        organisation=w.orgs["mall-co"],
        roles=["REPORTER"],
        password=PASSWORD,
    )
    return w


@pytest.fixture
def sarworld(db: None) -> World:
    """The SAR world."""
    return build_sar_world()


def sar_raw(site: Any, **overrides: Any) -> dict[str, Any]:
    """A valid tier-1 report about ``site``; override any field."""
    raw: dict[str, Any] = {
        "site": site.pk,
        "behaviours": ["INTRSN"],
        "observed_from": (timezone.now() - timedelta(hours=2)).isoformat(),
        "location_detail": "Service yard, gate 3",
        "narrative": "A person climbed the service-yard fence and tried the loading-bay door.",
        "why_suspicious": "The yard is closed to the public; the person left when challenged.",
        "subject_count": 1,
        "reporter": {"full_name": "Rita Reporter", "phone": "+000 555 0101",
                     "email": "rita@mall.example"},
    }  # fmt: skip
    raw.update(overrides)
    return raw


def jpeg_with_exif() -> bytes:
    """A tiny JPEG carrying an EXIF block (camera make and GPS-ish tag)."""
    from PIL import Image

    image = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "secret-software"  # Software
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
