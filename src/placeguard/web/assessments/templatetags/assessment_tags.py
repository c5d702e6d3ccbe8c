"""Template filters and tags of the assessment pages (``{% load assessment_tags %}``)."""

from __future__ import annotations

import math
from typing import Any

from django import template
from django.utils.translation import gettext as _

from placeguard.web.assessments import access, queries
from placeguard.web.assessments.choices import AcceptanceStatus, AssessmentStatus, RiskBand
from placeguard.web.assessments.labels import band_key as _band_key
from placeguard.web.orgs.models import User
from placeguard.web.sites.choices import SiteStatus
from placeguard.web.sites.models import Site

register = template.Library()

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def risk_text(value: float | None, digits: int = 2) -> str:
    """A risk (expected casualties per year) in powers of ten: ``2.7 × 10⁻⁴``; ``0`` for zero.

    Risks span many orders of magnitude, so a column of them is easiest to compare when every
    value has the same form.
    """
    if value is None:
        return "—"
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, digits - 1)
    if abs(mantissa) >= 10:  # rounding carried into the next decade
        mantissa /= 10
        exponent += 1
    if exponent == 0:
        return f"{mantissa:.{digits - 1}f}"
    return f"{mantissa:.{digits - 1}f} × 10{str(exponent).translate(_SUPERSCRIPT)}"


@register.filter
def risk(value: float | None) -> str:
    """``{{ value|risk }}`` → ``2.7 × 10⁻⁴``."""
    return risk_text(None if value is None else float(value))


@register.filter
def percent(share: float | None) -> str:
    """``0.72`` → ``72%`` (``<1%`` for a small positive share)."""
    if share is None:
        return "—"
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


@register.filter
def gap(share: float | None) -> str:
    """A solver's relative gap: ``0%``, ``<0.01%`` or ``0.25%``."""
    if share is None:
        return "—"
    if share <= 0:
        return "0%"
    if share < 0.0001:
        return "<0.01%"
    return f"{share:.2%}"


@register.filter
def money(value: float | None, currency: str = "") -> str:
    """Whole units with thousands separators and the currency code: ``12,500 EUR``."""
    if value is None:
        return "—"
    text = f"{float(value):,.0f}"
    return f"{text} {currency}" if currency else text


@register.filter
def compact(value: float | None) -> str:
    """Axis labels: ``0``, ``750``, ``25k``, ``1.5M``."""
    if value is None:
        return ""
    number = float(value)
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{number / size:.3g}{suffix}"
    return f"{number:.3g}"


@register.filter
def band_key(band: str | None) -> str:
    """``very high`` → ``very_high`` (for CSS classes); no band → ``none``."""
    return _band_key(band)


@register.filter
def band_label(band: str | None) -> str:
    """The translated name of a band; "Not assessed" when there is none."""
    if not band:
        return _("Not assessed")
    labels = dict(RiskBand.choices)
    return str(labels.get(band, band))


@register.filter
def status_label(status: str | None) -> str:
    """The translated name of an assessment status."""
    if not status:
        return ""
    return str(dict(AssessmentStatus.choices).get(status, status))


@register.inclusion_tag("assessments/_site_summary.html", takes_context=True)
def site_assessments(context: template.Context, site: Site) -> dict[str, Any]:
    """The "Assessments" section of a site's page: latest status, figures, what one can do."""
    user = context["request"].user
    latest = queries.latest_for_site(site)
    reference = queries.reference_for_site(site)
    in_progress = queries.open_for_site(site)
    can_edit = isinstance(user, User) and access.can_edit_answers(user, site)
    items = queries.site_action_items(user, site)
    return {
        "site": site,
        "latest": latest,
        "reference": reference,
        "in_progress": in_progress,
        "count": queries.history(site).count(),
        "can_start": can_edit and in_progress is None and site.status == SiteStatus.ACTIVE,
        "can_continue": can_edit and in_progress is not None,
        "open_items": items.exclude(status__in=["done", "cancelled"]).count(),
        "overdue_items": queries.filter_overdue(items, overdue=True).count(),
        "acceptances": queries.filter_acceptances_by_status(
            queries.site_acceptances(user, site), AcceptanceStatus.ACTIVE
        ).count(),
        "csrf_token": context.get("csrf_token"),
    }
