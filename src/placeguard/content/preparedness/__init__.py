"""The preparedness pack: tabletop MSEL templates and the mandate/GAO crosswalk.

``msel_templates.yaml`` holds one template per scenario (scenario ids are checked against the
risk pack); ``mandates.yaml`` holds the UN provisions a national action plan cites and GAO's
six characteristics of a national strategy. Every problem is reported with file, path and
reason (:class:`placeguard.core.packs.ContentError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from placeguard.core.packs import ContentError, Problem, read_yaml
from placeguard.engines.preparedness.catalogue import (
    MandateCatalogue,
    TemplateCatalogue,
    parse_mandates,
    parse_msel_templates,
)

__all__ = ["PREPAREDNESS_PACK_DIR", "PreparednessPack", "load_preparedness_pack"]

PREPAREDNESS_PACK_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class PreparednessPack:
    """Templates and mandates, validated."""

    templates: TemplateCatalogue
    mandates: MandateCatalogue


def load_preparedness_pack(
    directory: Path | None = None, *, scenario_ids: tuple[str, ...] | None = None
) -> PreparednessPack:
    """Read and validate the pack (the shipped one by default).

    ``scenario_ids`` defaults to the shipped risk pack's scenarios. Problems in both files are
    collected before raising, so one run reports everything. Cached per folder and scenario set.
    """
    if scenario_ids is None:
        from placeguard.content import load_risk_pack

        scenario_ids = tuple(load_risk_pack().scenario_ids)
    return _load(Path(directory or PREPAREDNESS_PACK_DIR).resolve(), scenario_ids)


@cache
def _load(directory: Path, scenario_ids: tuple[str, ...]) -> PreparednessPack:
    problems: list[Problem] = []
    templates: TemplateCatalogue | None = None
    mandates: MandateCatalogue | None = None
    try:
        templates = parse_msel_templates(read_yaml(directory / "msel_templates.yaml"), scenario_ids)
    except ContentError as exc:
        problems.extend(exc.problems)
    try:
        mandates = parse_mandates(read_yaml(directory / "mandates.yaml"))
    except ContentError as exc:
        problems.extend(exc.problems)
    if problems or templates is None or mandates is None:
        raise ContentError(problems)
    return PreparednessPack(templates, mandates)
