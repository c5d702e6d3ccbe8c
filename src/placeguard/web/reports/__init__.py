"""Site security reports from risk-engine results: HTML, PDF (WeasyPrint), CSV and XLSX.

A plain package, not a Django app: it has no models and renders its templates with its own
template engine, so the web application and the database-free command line share it.

>>> report = build_site_report(pack, site_name=..., site_type=..., profile=..., answers=...,
...                            threat_level=3, generated_at=datetime.now(UTC))  # doctest: +SKIP
>>> render_pdf(report)  # doctest: +SKIP
"""

from __future__ import annotations

from placeguard.web.reports.exports import findings_csv, findings_xlsx
from placeguard.web.reports.rendering import DEFAULT_MARKING, render_html, render_pdf
from placeguard.web.reports.report import SiteReport, build_site_report

__all__ = [
    "DEFAULT_MARKING",
    "SiteReport",
    "build_site_report",
    "findings_csv",
    "findings_xlsx",
    "render_html",
    "render_pdf",
]
