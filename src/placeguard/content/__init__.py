"""Data shipped with the product (question banks, catalogues, crosswalks), validated at load.

The risk pack lives in ``content/risk/``: ``scenarios.yaml``, ``questions.yaml``,
``measures.yaml`` and ``compliance.yaml``. A national authority can ship its own pack (same
files, its own prices, questions and translations) and point ``load_risk_pack`` at it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from placeguard.core.packs import read_yaml
from placeguard.engines.risk.catalogue import RiskPack, parse_pack

__all__ = ["RISK_PACK_DIR", "load_risk_pack"]

RISK_PACK_DIR = Path(__file__).resolve().parent / "risk"
_FILES = ("scenarios.yaml", "questions.yaml", "measures.yaml", "compliance.yaml")


def load_risk_pack(directory: Path | None = None) -> RiskPack:
    """Read and validate a risk pack (the shipped one by default; cached per folder)."""
    return _load(Path(directory or RISK_PACK_DIR).resolve())


@cache
def _load(directory: Path) -> RiskPack:
    docs = {name: read_yaml(directory / name) for name in _FILES if (directory / name).exists()}
    return parse_pack(docs)
