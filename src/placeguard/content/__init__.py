"""Data shipped with the product (question banks, catalogues, crosswalks), validated at load.

The risk pack lives in ``content/risk/``: ``scenarios.yaml``, ``questions.yaml``,
``measures.yaml`` and ``compliance.yaml``, with translations in ``locale/<language>.po``
(gettext catalogues; ``placeguard risk messages`` writes the template). A national
authority can ship its own pack (same files, its own prices, questions and translations) and
point ``load_risk_pack`` at it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from placeguard.core.packs import ContentError, Problem, read_yaml
from placeguard.core.po import PoError, parse_po
from placeguard.engines.risk.catalogue import RiskPack, parse_pack
from placeguard.engines.risk.translation import translate_pack

__all__ = ["RISK_PACK_DIR", "load_risk_pack", "pack_languages"]

#: The language the pack files are written in (the gettext message ids).
SOURCE_LANGUAGE = "en"

RISK_PACK_DIR = Path(__file__).resolve().parent / "risk"
_FILES = ("scenarios.yaml", "questions.yaml", "measures.yaml", "compliance.yaml")


def load_risk_pack(directory: Path | None = None, *, language: str | None = None) -> RiskPack:
    """Read and validate a risk pack (the shipped one by default), in ``language`` if the pack
    has a catalogue for it (``fr-ca`` falls back to ``fr``, then to the source text).

    Cached per folder and language.
    """
    folder = Path(directory or RISK_PACK_DIR).resolve()
    return _load(folder, _catalogue_language(folder, language))


def pack_languages(directory: Path | None = None) -> tuple[str, ...]:
    """Languages the pack has a catalogue for, besides its source language."""
    folder = Path(directory or RISK_PACK_DIR).resolve() / "locale"
    return tuple(sorted(p.stem for p in folder.glob("*.po")))


def _catalogue_language(folder: Path, language: str | None) -> str | None:
    if not language:
        return None
    code = language.lower().replace("_", "-")
    for candidate in (code, code.split("-")[0]):
        if candidate == SOURCE_LANGUAGE:
            return None
        if (folder / "locale" / f"{candidate}.po").is_file():
            return candidate
    return None


@cache
def _load(directory: Path, language: str | None) -> RiskPack:
    if language is not None:
        path = directory / "locale" / f"{language}.po"
        try:
            catalogue = parse_po(path.read_text(encoding="utf-8"), source=path.name)
        except (PoError, UnicodeDecodeError) as exc:
            raise ContentError([Problem(path.name, "", str(exc))]) from exc
        return translate_pack(_load(directory, None), catalogue)
    docs = {name: read_yaml(directory / name) for name in _FILES if (directory / name).exists()}
    return parse_pack(docs)
