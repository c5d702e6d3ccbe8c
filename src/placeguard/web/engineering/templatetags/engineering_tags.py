"""Template tags: the site-engineering sentences of an assessment's result.

The assessment result panel receives a digest of the result without the per-scenario
``adjustments``; :func:`scenario_adjustments` reads them from the same source the panel's
numbers come from — the result stored at submission for a submitted assessment, the site's
latest engineering findings for one being edited (which is what a fresh scoring would use).
"""

from __future__ import annotations

from typing import Any

from django import template

from placeguard.engines.risk.engineering import adjustments

register = template.Library()


@register.simple_tag
def scenario_adjustments(assessment: Any) -> list[dict[str, Any]]:
    """``[{"scenario", "name", "sentences"}]`` for the scenarios site engineering adjusts."""
    from placeguard.web.assessments.choices import EDITABLE_STATUSES
    from placeguard.web.assessments.scoring import current_pack
    from placeguard.web.engineering.services import site_findings

    pack = current_pack()
    names = {s.id: s.name for s in pack.scenarios}
    if assessment.result is not None and assessment.status not in EDITABLE_STATUSES:
        return [
            {
                "scenario": s["scenario"],
                "name": names.get(s["scenario"], s.get("name", s["scenario"])),
                "sentences": list(s["adjustments"]),
            }
            for s in assessment.result.get("scenarios", [])
            if s.get("adjustments")
        ]
    out: dict[str, list[str]] = {}
    for adjustment in adjustments(site_findings(assessment.site)):
        if adjustment.scenario in names:
            out.setdefault(adjustment.scenario, []).append(adjustment.reason)
    return [{"scenario": k, "name": names[k], "sentences": v} for k, v in out.items()]
