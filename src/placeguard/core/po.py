"""Reading and writing gettext PO/POT catalogues, for content packs.

Content packs (question banks, catalogues) are translated with the same tools translators use
for the interface — a ``.pot`` template of every text and one ``.po`` file per language — but
packs are data, not code, so ``makemessages`` cannot find their texts and the catalogues are
read here directly (no ``msgfmt`` step). Only what packs need is supported: ``msgid`` /
``msgstr`` pairs with optional ``msgctxt``, multi-line strings and C escapes; plural forms are
not used by packs. Fuzzy and empty translations are ignored, as gettext does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from placeguard.core.errors import PlaceguardError

__all__ = ["Message", "PoError", "parse_po", "render_pot"]

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


class PoError(PlaceguardError):
    """A catalogue that cannot be read, with the line at fault."""

    code = "po_invalid"


@dataclass(frozen=True, slots=True)
class Message:
    """One text to translate and where it comes from (``#:`` reference comments)."""

    msgid: str
    references: tuple[str, ...] = ()


def _unquote(text: str, where: str) -> str:
    match = _QUOTED.match(text.strip())
    if match is None:
        msg = f"{where}: expected a double-quoted string"
        raise PoError(msg)
    body, out, i = match.group(1), [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                msg = f"{where}: unknown escape \\{nxt}"
                raise PoError(msg)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    escaped = escaped.replace("\r", "\\r")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [f"{line}\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def parse_po(text: str, *, source: str = "catalogue") -> dict[str, str]:
    """The translations in a PO file: ``{msgid: msgstr}`` (fuzzy and empty ones left out)."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    field: str | None = None
    fuzzy = False

    def close() -> None:
        nonlocal current, fuzzy
        if "msgid" in current and not fuzzy:
            entries.append(current)
        current, fuzzy = {}, False

    for number, raw in enumerate(text.split("\n"), start=1):
        # split on newlines only: str.splitlines would also break inside quoted texts that
        # hold other line-breaking characters
        line = raw.strip(" \t\r")
        where = f"{source}:{number}"
        if not line:
            close()
            field = None
        elif line.startswith("#"):
            if "msgid" in current:
                close()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        elif line.startswith('"'):
            if field is None:
                msg = f"{where}: a string continues no msgid or msgstr"
                raise PoError(msg)
            current[field] += _unquote(line, where)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword not in ("msgctxt", "msgid", "msgstr"):
                msg = f"{where}: unknown keyword {keyword!r}"
                raise PoError(msg)
            if keyword in ("msgctxt", "msgid") and "msgstr" in current:
                close()  # the next entry starts without a blank line between them
            current[keyword] = _unquote(rest, where)
            field = keyword
    close()
    return {e["msgid"]: e["msgstr"] for e in entries if e.get("msgid") and e.get("msgstr")}


def render_pot(messages: Iterable[Message], *, project: str) -> str:
    """A POT template: one entry per distinct text, with every place it comes from."""
    merged: dict[str, list[str]] = {}
    for message in messages:
        merged.setdefault(message.msgid, []).extend(message.references)
    name = " ".join(project.split())
    header = [
        f"# Translation template for {name}",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Project-Id-Version: {name}\\n"',
        "",
    ]
    body: list[str] = []
    for msgid, references in merged.items():
        body.extend(f"#: {ref}" for ref in references)
        body.append(f"msgid {_quote(msgid)}")
        body.append('msgstr ""')
        body.append("")
    return "\n".join(header + body) + "\n"
