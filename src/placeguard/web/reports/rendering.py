"""Render a :class:`~placeguard.web.reports.report.SiteReport` as HTML or as a PDF.

The templates are rendered by a private :class:`django.template.Engine` (autoescape on, the
``i18n`` library only), so the same code serves the web application and the command line,
which has no database and no project settings: :func:`ensure_django` then configures the
minimum Django needs for translation and templates.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from placeguard.core.vocab import N_, SiteType
from placeguard.web.reports import charts
from placeguard.web.reports.formatting import decimal, money, percent, sci
from placeguard.web.reports.report import DataGap, PlanSection, SiteReport

if TYPE_CHECKING:
    from django.template import Engine

__all__ = [
    "DEFAULT_MARKING",
    "ensure_django",
    "marking_of",
    "render_html",
    "render_pdf",
    "report_context",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Where the project's translations live (the same folder the web settings name).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


#: The default handling marking (translated when shown).
DEFAULT_MARKING = N_("TLP:AMBER — for the site and its security partners")


def ensure_django() -> None:
    """Make Django's translation and templates usable, without a database or project settings.

    When nothing has configured Django (the command line), configure only what translation
    needs; when the web application or the tests have, leave their settings alone.
    """
    import django
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            USE_I18N=True,
            USE_TZ=True,
            TIME_ZONE="UTC",
            LANGUAGE_CODE="en",
            LOCALE_PATHS=[LOCALE_DIR],
            INSTALLED_APPS=[],
            DATABASES={},
        )
    if not apps.ready:
        django.setup(set_prefix=False)


@cache
def _engine() -> Engine:
    from django.template import Engine

    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        autoescape=True,
        libraries={"i18n": "django.templatetags.i18n"},
        string_if_invalid="",
    )


def marking_of(report: SiteReport) -> str:
    """The handling marking to print: the report's own, or the translated default."""
    return report.marking if report.marking is not None else _(DEFAULT_MARKING)


def _tlp_colour(marking: str) -> str:
    """CSS modifier for a TLP 2.0 marking (its colour on black), ``other`` if not TLP."""
    label = marking.strip().upper()
    for level in ("AMBER+STRICT", "AMBER", "RED", "GREEN", "CLEAR"):
        if label.startswith(f"TLP:{level}"):
            return level.lower().replace("+strict", "")
    return "other"


def _risk(value: float) -> str:
    """Risks, threats and their bounds: always in powers of ten, so a column lines up."""
    return sci(value, plain=False)


def _labels() -> dict[str, dict[str, str]]:
    """Translated labels of the engines' identifiers, in the active language."""
    return {
        "band": {
            "low": _("low"),
            "moderate": _("moderate"),
            "high": _("high"),
            "very high": _("very high"),
        },
        "status": {
            "met": _("met"),
            "not met": _("not met"),
            "not applicable": _("not applicable"),
        },
        "tier": {
            "out of scope": _("out of scope"),
            "standard": _("standard tier"),
            "enhanced": _("enhanced tier"),
        },
        "topic": {
            "governance": _("Governance"),
            "people_training": _("People and training"),
            "perimeter_hvm": _("Perimeter and vehicles"),
            "access_screening": _("Access and screening"),
            "surveillance_detection": _("Surveillance and detection"),
            "communications_alerting": _("Communications and alerting"),
            "emergency_procedures": _("Emergency procedures"),
            "insider_risk": _("Insider risk"),
            "cyber_physical": _("Cyber-physical security"),
            "community_openness": _("Community and openness"),
        },
        "kind": {
            "people": _("people"),
            "procedures": _("procedures"),
            "physical": _("physical"),
            "technical": _("technical"),
            "information": _("information"),
        },
    }


def _scenario_rows(report: SiteReport, bands: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "threat": _risk(s.threat),
            "vulnerability": decimal(s.vulnerability, 2),
            "consequence": sci(s.consequence),
            "risk": _risk(s.risk),
            "interval": f"{_risk(s.risk_low)} – {_risk(s.risk_high)}",
            "levels": f"{s.threat_level}·{s.vulnerability_level}·{s.consequence_level}",
            "cell": f"{s.likelihood_level}, {s.consequence_level}",
            "score": s.score,
            "band": s.band,
            "band_label": bands[s.band],
        }
        for s in report.scenarios
    ]


def _drivers(report: SiteReport, bands: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    per_scenario = [
        {
            "name": s.name,
            "band": s.band,
            "band_label": bands[s.band],
            "risk": _risk(s.risk),
            "sentences": [{"text": d.sentence(s.name), "unknown": d.unknown} for d in s.drivers],
        }
        for s in report.scenarios
        if s.drivers
    ]
    key_answers = []
    for k in report.key_answers:
        names = ", ".join(k.scenarios[:3])
        if len(k.scenarios) > 3:
            names += _(" and %(n)s more") % {"n": len(k.scenarios) - 3}
        key_answers.append(
            {
                "text": k.text,
                "answer": k.answer,
                "best": k.best,
                "unknown": k.unknown,
                "share": percent(k.share),
                "scenarios": names,
            }
        )
    return {"drivers": per_scenario, "key_answers": key_answers}


def _plan(plan: PlanSection, currency: str, kinds: dict[str, str]) -> dict[str, Any]:
    def amount(value: float | None) -> str | None:
        return None if value is None else money(value, currency)

    return {
        "error": plan.error,
        "capex_budget": amount(plan.capex_budget),
        "opex_budget": amount(plan.opex_budget),
        "openness_limit": None if plan.openness_limit is None else f"{plan.openness_limit:g}",
        "measures": [
            {
                "id": m.id,
                "name": m.name,
                "category": kinds.get(m.category, m.category),
                "capex": amount(m.capex),
                "opex": amount(m.opex),
                "openness": m.openness,
            }
            for m in plan.measures
        ],
        "capex": amount(plan.capex),
        "opex": amount(plan.opex),
        "openness": f"{plan.openness:g}",
        "before": _risk(plan.risk_before),
        "after": _risk(plan.risk_after),
        "reduction": percent(plan.reduction),
        "residual": [
            {
                "name": r.name,
                "before": _risk(r.before),
                "after": _risk(r.after),
                "reduction": percent(r.reduction) if r.before > 0 else "—",
            }
            for r in sorted(plan.residual, key=lambda r: -r.before)
        ],
        "pareto_svg": charts.pareto_svg(plan, currency),
    }


def _overlays(report: SiteReport, labels: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "name": o.name,
            "source": o.source,
            "tier": labels["tier"].get(o.tier, o.tier) if o.tier else None,
            "common_reason": o.common_reason,
            "met": o.count("met"),
            "not_met": o.count("not met"),
            "not_applicable": o.count("not applicable"),
            "rows": [
                {
                    "text": st.text,
                    "status": st.status.replace(" ", "-"),
                    "status_label": labels["status"].get(st.status, st.status),
                    "reason": st.reason,
                }
                for st in o.statuses
            ],
        }
        for o in report.overlays
    ]


def report_context(report: SiteReport) -> dict[str, Any]:
    """The template context of a report: display strings, rows and the charts' SVG."""
    labels = _labels()
    bands = labels["band"]
    result = report.assessment
    low, high = report.total_interval
    top = report.scenarios[0] if report.scenarios else None
    gaps: dict[str, list[DataGap]] = {}
    for gap in report.gaps:
        gaps.setdefault(gap.category, []).append(gap)
    try:
        type_label = _(SiteType(report.site_type).label)
    except ValueError:
        type_label = report.site_type
    marking = marking_of(report)
    people = result.people
    return {
        "LANGUAGE_CODE": get_language() or "en",
        "LANGUAGE_BIDI": get_language_bidi(),
        "report": report,
        "marking": marking,
        "marking_colour": _tlp_colour(marking),
        "generated": report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "generated_iso": report.generated_at.isoformat(timespec="seconds"),
        "site_type_label": type_label,
        "people": f"{people:,}",
        "capacity": f"{report.profile.capacity:,}",
        "people_from_events": people > report.profile.capacity,
        "symbolic": f"{report.profile.symbolic:g}",
        "threatened": report.profile.threatened,
        "impact": f"{report.profile.impact:g}",
        "total_risk": _risk(result.total_risk),
        "total_low": _risk(low),
        "total_high": _risk(high),
        "top": top,
        "top_share": percent(top.risk / result.total_risk) if top and result.total_risk else "",
        "band_counts": [
            {"band": band, "label": bands[band], "count": n}
            for band, n in report.band_counts().items()
        ],
        "scenario_rows": _scenario_rows(report, bands),
        **_drivers(report, bands),
        "gap_count": len(report.gaps),
        "gaps": [
            {"label": labels["topic"].get(category, category), "questions": questions}
            for category, questions in gaps.items()
        ],
        "plan": None
        if report.plan is None
        else _plan(report.plan, report.currency, labels["kind"]),
        "overlays": _overlays(report, labels),
        "matrix_svg": charts.matrix_svg(report.matrix, report.scales),
        "scenario_svg": charts.scenario_chart_svg(report.scenarios),
    }


def render_html(report: SiteReport) -> str:
    """The report as one standalone HTML document: inline CSS and SVG, no scripts, no links."""
    from django.template import Context

    ensure_django()
    template = _engine().get_template("reports/site_report.html")
    return str(template.render(Context(report_context(report), autoescape=True)))


def render_pdf(report: SiteReport) -> bytes:
    """The report as an A4 PDF, through WeasyPrint (``pip install placeguard[reports]``)."""
    html = render_html(report)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The document is self-contained; refuse every fetch so no content can reach out.
    offline = URLFetcher(allowed_protocols=frozenset())
    pdf: bytes = HTML(string=html, url_fetcher=offline).write_pdf()
    return pdf
