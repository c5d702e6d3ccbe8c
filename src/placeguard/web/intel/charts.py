"""Inline SVG charts of the dashboard, drawn from the trend report (aggregates only).

Every text value is escaped; no scripts. The yearly chart draws attacks and deaths with the
declared collection breaks as dashed red lines; the lethality chart draws the mean deaths per
attack before and after the split year with their bootstrap 95 % intervals as bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["lethality_chart", "yearly_chart"]

_PAD = 36


def yearly_chart(yearly: Sequence[dict[str, Any]], breaks: Sequence[int], *, title: str,
                 width: int = 720, height: int = 220) -> str:  # fmt: skip
    """Attacks (blue) and deaths (dark orange) per year, breaks marked."""
    if not yearly:
        return ""
    years = [int(r["year"]) for r in yearly]
    y0, y1 = years[0], max(years[-1], years[0] + 1)
    top = max(1, *(int(r["attacks"]) for r in yearly), *(int(r["deaths"]) for r in yearly))

    def px(year: float) -> float:
        return _PAD + (year - y0) / (y1 - y0) * (width - 2 * _PAD)

    def py(value: float) -> float:
        return height - _PAD - value / top * (height - 2 * _PAD)

    def line(field: str, colour: str) -> str:
        pts = " ".join(f"{px(int(r['year'])):.1f},{py(int(r[field])):.1f}" for r in yearly)
        return (f'<polyline class="series-{field}" fill="none" stroke="{colour}" '
                f'stroke-width="2" points="{pts}"/>')  # fmt: skip

    parts = [
        f'<svg class="intel-chart" data-chart="yearly" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{_PAD}" x2="{width - _PAD}" y1="{height - _PAD}" y2="{height - _PAD}" '
        'stroke="#888"/>',
        line("attacks", "#1f5fa8"),
        line("deaths", "#b35806"),
        f'<text x="{_PAD}" y="14" font-size="11">max {top}</text>',
        f'<text x="{_PAD}" y="{height - 10}" font-size="11">{y0}</text>',
        f'<text x="{width - _PAD - 28}" y="{height - 10}" font-size="11">{years[-1]}</text>',
        f'<text x="{width - 200}" y="14" font-size="11" fill="#1f5fa8">— attacks</text>',
        f'<text x="{width - 120}" y="14" font-size="11" fill="#b35806">— deaths</text>',
    ]
    for b in breaks:
        if y0 < b <= y1:
            x = px(b - 0.5)
            parts.append(f'<line class="break" x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD}" '
                         f'y2="{height - _PAD}" stroke="#c0392b" stroke-dasharray="4 3"/>'
                         f'<text x="{x + 2:.1f}" y="{_PAD + 10}" font-size="10" fill="#c0392b">'
                         f"break {int(b)}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def lethality_chart(groups: Sequence[dict[str, Any]], split_year: int, *,
                    width: int = 720, row: int = 26) -> str:  # fmt: skip
    """Per group: mean deaths per attack before (grey) and after (blue) the split, CI bars."""
    rows = [g for g in groups if g.get("lethality_before") is not None
            or g.get("lethality_after") is not None]  # fmt: skip
    if not rows:
        return ""
    highs = [c[1] for g in rows for c in (g.get("lethality_before_ci"), g.get("lethality_after_ci"))
             if c and c[1] is not None]  # fmt: skip
    top = max([1.0, *highs])
    left, right = 170, 30
    height = row * len(rows) + 40

    def px(v: float) -> float:
        return float(left + v / top * (width - left - right))

    title = f"Deaths per attack before and from {split_year}, 95% intervals"
    parts = [
        f'<svg class="intel-chart" data-chart="lethality" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="{left}" y="12" font-size="11" fill="#777">before {split_year}</text>',
        f'<text x="{left + 110}" y="12" font-size="11" fill="#1f5fa8">from {split_year}</text>',
        f'<text x="{width - right - 60}" y="12" font-size="11">max {top:.3g}</text>',
    ]
    for i, g in enumerate(rows):
        y = 28 + i * row
        parts.append(f'<text x="4" y="{y + 4}" font-size="11">{escape(str(g["key"]))}</text>')
        for offset, field, colour in ((-5, "before", "#777"), (5, "after", "#1f5fa8")):
            mean, ci = g.get(f"lethality_{field}"), g.get(f"lethality_{field}_ci")
            if mean is None:
                continue
            if ci and ci[0] is not None and ci[1] is not None:
                parts.append(f'<line class="ci" x1="{px(ci[0]):.1f}" x2="{px(ci[1]):.1f}" '
                             f'y1="{y + offset}" y2="{y + offset}" stroke="{colour}" '
                             'stroke-width="3"/>')  # fmt: skip
            parts.append(f'<circle cx="{px(mean):.1f}" cy="{y + offset}" r="4" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)
