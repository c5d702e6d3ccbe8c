"""Evidence files on disk: size limit, type by content, SHA-256 while streaming, verified reads.

Files live under ``PLACEGUARD_EVIDENCE_DIR`` (default ``DATA_DIR / "evidence"``) under a random
name; the user's file name is metadata only. The declared content type and the extension are
never trusted: the type is what the bytes say, from a small allow-list (PDF, PNG, JPEG, MP4,
ZIP, UTF-8 plain text). Markup (HTML, SVG, XML) is refused even when it is valid text, and every
download is an attachment with ``nosniff`` anyway (research §9 #63).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from placeguard.core.errors import FieldError

__all__ = [
    "ALLOWED_TYPES",
    "StoredFile",
    "evidence_dir",
    "max_bytes",
    "open_verified",
    "path_of",
    "remove",
    "safe_filename",
    "sniff",
    "store",
]

#: Accepted content types and the extension the download name gets.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "video/mp4": "mp4",
    "application/zip": "zip",
    "text/plain": "txt",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
)
_MP4_BRANDS = (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ")
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|svg|script|\?xml|body|iframe|object)", re.IGNORECASE)
_HEAD = 64 * 1024
_CHUNK = 64 * 1024


def evidence_dir() -> Path:
    """Where evidence files are stored (created on first use)."""
    configured = getattr(settings, "PLACEGUARD_EVIDENCE_DIR", None)
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    """Largest accepted evidence file (``PLACEGUARD_EVIDENCE_MAX_BYTES``, default 20 MiB)."""
    return int(getattr(settings, "PLACEGUARD_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def sniff(head: bytes, *, is_text: bool) -> str | None:
    """The allowed content type the first bytes announce, or None.

    ``is_text`` says whether the *whole* file decoded as UTF-8 without NUL bytes.
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "video/mp4"
    if is_text:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if text.startswith(b"<") or _MARKUP.search(head):
            return None  # HTML, SVG or XML: never accepted, whatever the name says
        return "text/plain"
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A harmless display name: base name only, no control or quoting characters.

    The extension is replaced by the one of the sniffed type, so ``page.html`` that is really
    a PDF downloads as ``page.pdf``.
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:*?|;`$')
    base = base.strip(" .")[:150] or "evidence"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'evidence'}.{ALLOWED_TYPES[content_type]}"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An accepted upload, already on disk under ``storage_name``."""

    storage_name: str
    content_type: str
    size: int
    sha256: str
    filename: str


def path_of(storage_name: str) -> Path:
    """The path of a stored file (names are generated here, never taken from users)."""
    if not re.fullmatch(r"[0-9a-f]{32}\.bin", storage_name):
        msg = "bad storage name"
        raise ValueError(msg)
    return evidence_dir() / storage_name


def store(chunks: Iterable[bytes], name: str, *, field: str = "file") -> StoredFile | FieldError:
    """Stream ``chunks`` to disk, hashing as they come; the file or the reason it was refused.

    Nothing is left on disk when the file is refused.
    """
    limit = max_bytes()
    folder = evidence_dir()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_text = True
    head = b""
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=folder)
    kept = False
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    msg = _("The file is larger than %(n)d bytes.") % {"n": limit}
                    return FieldError(field, msg, "too_large")
                digest.update(chunk)
                if len(head) < _HEAD:
                    head += chunk[: _HEAD - len(head)]
                if is_text:
                    try:
                        is_text = "\x00" not in decoder.decode(chunk)
                    except UnicodeDecodeError:
                        is_text = False
                out.write(chunk)
        if is_text:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                is_text = False
        if size == 0:
            return FieldError(field, _("The file is empty."), "empty")
        kind = sniff(head, is_text=is_text)
        if kind is None:
            msg = _("Only PDF, PNG, JPEG, MP4, ZIP and plain-text files are accepted.")
            return FieldError(field, msg, "unsupported_type")
        storage_name = f"{secrets.token_hex(16)}.bin"
        Path(tmp).replace(folder / storage_name)
        kept = True
        return StoredFile(
            storage_name=storage_name,
            content_type=kind,
            size=size,
            sha256=digest.hexdigest(),
            filename=safe_filename(name, kind),
        )
    finally:
        if not kept:
            Path(tmp).unlink(missing_ok=True)


def remove(storage_name: str) -> None:
    """Delete a stored file (used when the database write that follows an upload fails)."""
    path_of(storage_name).unlink(missing_ok=True)


def open_verified(storage_name: str) -> tuple[IO[bytes], str]:
    """A private copy of the stored bytes and their SHA-256, taken in one read.

    The copy (a spooled temporary file, rewound) is what gets served, so the bytes sent are
    exactly the bytes whose hash was checked. A missing file hashes to ``""``.
    """
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - returned open
    digest = hashlib.sha256()
    try:
        with path_of(storage_name).open("rb") as src:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                spool.write(chunk)
    except FileNotFoundError:
        spool.close()
        return tempfile.SpooledTemporaryFile(), ""
    spool.seek(0)
    return spool, digest.hexdigest()
