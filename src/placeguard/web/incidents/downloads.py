"""How evidence bytes leave the server: always an attachment, never sniffed or rendered.

Shared by the API and the pages so both send the same headers (research §9 #63).
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

from placeguard.web.incidents.models import Evidence

__all__ = ["SAFE_DOWNLOAD_TYPES", "evidence_response"]

#: Types announced as themselves; anything else is ``application/octet-stream``.
SAFE_DOWNLOAD_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "video/mp4", "application/zip", "text/plain"}
)


def evidence_response(evidence: Evidence, stream: IO[bytes]) -> FileResponse:
    """A download of the verified ``stream`` with every protective header."""
    content_type = (
        evidence.content_type
        if evidence.content_type in SAFE_DOWNLOAD_TYPES
        else "application/octet-stream"
    )
    response = FileResponse(
        stream, as_attachment=True, filename=evidence.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Evidence-SHA256"] = evidence.sha256
    return response
