"""Attachment checks: size limit, type by content (magic bytes), SHA-256, EXIF-free JPEG copy.

The declared content type and the file name's extension are never trusted: the type is what the
first bytes say, and only the types below are accepted. JPEG copies for onward sharing drop their
APP1 (EXIF/XMP) and comment segments without re-encoding, so the picture is unchanged; the
original is kept byte for byte with the hash taken at upload.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from placeguard.core.errors import FieldError

__all__ = [
    "ALLOWED_TYPES",
    "CheckedFile",
    "check_file",
    "max_upload_bytes",
    "safe_filename",
    "sha256",
    "sniff",
    "strip_jpeg_metadata",
]

#: Accepted content types and their usual extension.
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
}
_MP4_BRANDS = (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ")


def max_upload_bytes() -> int:
    """Largest accepted attachment (``PLACEGUARD_SAR_MAX_UPLOAD_BYTES``, default 10 MiB)."""
    return int(getattr(settings, "PLACEGUARD_SAR_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The content type the first bytes announce, if it is one we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _MP4_BRANDS:
        return "video/mp4"
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A harmless display name: base name only, no control or quoting characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:*?|;')
    base = base.strip(" .")[:150] or "attachment"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem}.{ALLOWED_TYPES[content_type]}"


_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length field
_DROP = {0xE1, 0xFE}  # APP1 (EXIF, XMP) and COM


def strip_jpeg_metadata(data: bytes) -> bytes | None:
    """``data`` without EXIF/XMP (APP1) and comment segments; None if the JPEG is malformed.

    Walks the marker segments up to start-of-scan; the entropy-coded image that follows is
    copied unchanged.
    """
    if not data.startswith(b"\xff\xd8"):
        return None
    out = bytearray(b"\xff\xd8")
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1] if i + 1 < len(data) else -1
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            out += data[i : i + 2]
            i += 2
            continue
        if i + 4 > len(data):
            return None
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > len(data):
            return None
        segment = data[i : i + 2 + length]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        if marker not in _DROP:
            out += segment
        i += 2 + length
    return None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """An accepted upload: its bytes, sniffed type, safe name, hashes and shared copy."""

    filename: str
    content_type: str
    data: bytes
    sha256: str
    shared: bytes | None
    shared_sha256: str


def check_file(name: str, data: bytes, *, field: str = "attachments") -> CheckedFile | FieldError:
    """Accept ``data`` (returns :class:`CheckedFile`) or say why not (a :class:`FieldError`)."""
    limit = max_upload_bytes()
    if not data:
        return FieldError(field, _("The file %(name)s is empty.") % {"name": name}, "empty")
    if len(data) > limit:
        msg = _("The file %(name)s is larger than %(n)d bytes.") % {"name": name, "n": limit}
        return FieldError(field, msg, "too_large")
    kind = sniff(data)
    if kind is None:
        msg = _("The file %(name)s is not a JPEG, PNG, PDF or MP4 file.") % {"name": name}
        return FieldError(field, msg, "unsupported_type")
    shared: bytes | None = None
    if kind == "image/jpeg":
        shared = strip_jpeg_metadata(data)
        if shared is None:
            msg = _("The file %(name)s is not a valid JPEG image.") % {"name": name}
            return FieldError(field, msg, "invalid_image")
    return CheckedFile(
        filename=safe_filename(name, kind),
        content_type=kind,
        data=data,
        sha256=sha256(data),
        shared=shared,
        shared_sha256=sha256(shared) if shared is not None else "",
    )
