"""Hand-built inline SVG bar charts for the indicator page (no plotting library, no script).

Every label goes through :func:`django.utils.html.escape`; the markup is marked safe only
when complete.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["bar_chart_svg"]

FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"
BRAND = "#0b4f8a"
INK = "#1a1f24"


def bar_chart_svg(title: str, counts: Mapping[str, int], *, width: int = 480) -> SafeString:
    """A horizontal bar chart of ``counts`` (label → count), largest scale at the widest bar."""
    rows = list(counts.items())
    label_w, bar_h, gap, top = 170, 18, 6, 26
    height = top + max(1, len(rows)) * (bar_h + gap) + 4
    peak = max((v for _, v in rows), default=0) or 1
    span = width - label_w - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold" fill="{INK}">{escape(title)}</text>',
    ]
    if not rows:
        parts.append(f'<text x="0" y="{top + 12}" fill="{INK}">—</text>')
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = round(span * value / peak, 1)
        short = label if len(label) <= 26 else label[:25] + "…"
        parts += [
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{INK}">'
            f"{escape(short)}</text>",
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{BRAND}"/>',
            f'<text x="{label_w + w + 4}" y="{y + 13}" fill="{INK}">{value}</text>',
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
