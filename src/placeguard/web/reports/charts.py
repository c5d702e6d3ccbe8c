"""The report's charts as inline SVG, built by hand: no plotting library, no scripts.

Every text that reaches the SVG goes through :func:`django.utils.html.escape`; the returned
markup is marked safe only once it is complete. Labels are translated in the active language.
Fonts and sizes are SVG attributes (not document CSS) so that browsers and WeasyPrint draw
the same picture.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Iterable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from placeguard.engines.risk.assessment import ScenarioRisk
from placeguard.engines.risk.scales import Scales
from placeguard.web.reports.formatting import compact, power_of_ten, sci, threshold
from placeguard.web.reports.report import MatrixCell, PlanSection

__all__ = [
    "BAND_FILL",
    "BAND_INK",
    "BAND_TINT",
    "level_ranges",
    "matrix_svg",
    "pareto_svg",
    "scenario_chart_svg",
]

FONT = "Liberation Sans, Arial, DejaVu Sans, sans-serif"
INK = "#1a1f24"
MUTED = "#4a5560"
GRID = "#d5dbe1"
BRAND = "#0b4f8a"
#: Band colours (ColorBrewer RdYlGn steps, readable with dark text except "very high").
BAND_FILL = {"low": "#a6d96a", "moderate": "#fee08b", "high": "#fdae61", "very high": "#d73027"}
#: Paler band colours for empty matrix cells.
BAND_TINT = {"low": "#e6f4d7", "moderate": "#fff6d6", "high": "#fee6cc", "very high": "#f6c9c5"}
BAND_INK = {"low": INK, "moderate": INK, "high": INK, "very high": "#ffffff"}


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())


def _tag(name: str, content: str = "", **attrs: object) -> str:
    """An element; ``content`` must already be markup (escape text with :func:`_text`)."""
    if not content:
        return f"<{name}{_attrs(attrs)}/>"
    return f"<{name}{_attrs(attrs)}>{content}</{name}>"


def _text(x: float, y: float, text: str, **attrs: object) -> str:
    """A text element with escaped content."""
    return _tag("text", str(escape(text)), x=_n(x), y=_n(y), **attrs)


def _n(value: float) -> str:
    """A coordinate with at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(
    width: float, height: float, title: str, body: Iterable[str], css_class: str
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'font-family="{escape(FONT)}" font-size="10" fill="{INK}">'
        f"<title>{escape(title)}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text escaped above


def level_ranges(thresholds: Sequence[float]) -> list[str]:
    """Range labels of levels 1–5 from the four upper bounds: ``< 1``, ``1–5`` … ``≥ 100``."""
    t = [threshold(v) for v in thresholds]
    return [f"< {t[0]}", *(f"{a}–{b}" for a, b in itertools.pairwise(t)), f"≥ {t[-1]}"]


# ------------------------------------------------------------------------------ matrix
def matrix_svg(cells: Sequence[MatrixCell], scales: Scales) -> SafeString:
    """The 5×5 matrix: likelihood level (rows, 5 at the top) × consequence level (columns).

    Each cell shows how many scenarios fall in it and is shaded by its band; occupied cells
    are drawn in the full band colour, empty ones in a pale tint. Each cell group carries
    ``data-likelihood``, ``data-consequence`` and ``data-count`` and a tooltip listing the
    scenarios.
    """
    size, left, top = 46.0, 96.0, 8.0
    width, height = left + 5 * size + 20, top + 5 * size + 58
    like_ranges = level_ranges(scales.likelihood)
    cons_ranges = level_ranges(scales.consequence)
    body: list[str] = []
    for cell in cells:
        x = left + (cell.consequence - 1) * size
        y = top + (5 - cell.likelihood) * size
        fill = BAND_FILL[cell.band] if cell.count else BAND_TINT[cell.band]
        names = "; ".join(cell.scenarios) or _("no scenario")
        tip = _("Likelihood %(l)s, consequence %(c)s: %(names)s") % {
            "l": cell.likelihood,
            "c": cell.consequence,
            "names": names,
        }
        parts = [
            _tag("title", str(escape(tip))),
            _tag(
                "rect",
                x=_n(x),
                y=_n(y),
                width=_n(size),
                height=_n(size),
                fill=fill,
                stroke="#ffffff",
                stroke_width="2",
            ),
        ]
        if cell.count:
            parts.append(
                _text(
                    x + size / 2,
                    y + size / 2 + 6,
                    str(cell.count),
                    text_anchor="middle",
                    font_size="17",
                    font_weight="bold",
                    fill=BAND_INK[cell.band],
                )
            )
        body.append(
            _tag(
                "g",
                "".join(parts),
                class_="cell",
                data_likelihood=cell.likelihood,
                data_consequence=cell.consequence,
                data_count=cell.count,
            )
        )
    for level in range(1, 6):
        y = top + (5 - level) * size + size / 2
        body.append(
            _text(
                left - 8, y - 1, str(level), text_anchor="end", font_size="12", font_weight="bold"
            )
        )
        body.append(
            _text(
                left - 8,
                y + 12,
                like_ranges[level - 1],
                text_anchor="end",
                font_size="9.5",
                fill=MUTED,
            )
        )
        x = left + (level - 1) * size + size / 2
        base = top + 5 * size
        body.append(
            _text(
                x, base + 15, str(level), text_anchor="middle", font_size="12", font_weight="bold"
            )
        )
        body.append(
            _text(
                x,
                base + 28,
                cons_ranges[level - 1],
                text_anchor="middle",
                font_size="9.5",
                fill=MUTED,
            )
        )
    mid_x = left + 2.5 * size
    body.append(
        _text(
            mid_x,
            top + 5 * size + 48,
            _("Consequence: casualties if successful"),
            text_anchor="middle",
            font_size="11",
            font_weight="bold",
        )
    )
    mid_y = top + 2.5 * size
    body.append(
        _text(
            0,
            0,
            _("Likelihood: successful attacks / year"),
            text_anchor="middle",
            font_size="11",
            font_weight="bold",
            transform=f"translate(14 {_n(mid_y)}) rotate(-90)",
        )
    )
    title = _("Risk matrix: number of scenarios per likelihood and consequence level")
    return _svg(width, height, title, body, "chart chart--matrix")


# ------------------------------------------------------------------- scenario chart
def _log_axis(values: Iterable[float]) -> tuple[int, int]:
    """Decade exponents spanning the positive values (at most eight decades)."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    if not positive:
        return -6, -2
    high = math.ceil(math.log10(max(positive)) - 1e-9)
    low = math.floor(math.log10(min(positive)) + 1e-9)
    low = max(low, high - 8)
    return (low, high) if high > low else (high - 1, high)


def _wrap(text: str, width: int) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return lines


def scenario_chart_svg(scenarios: Sequence[ScenarioRisk]) -> SafeString:
    """Horizontal bars of each scenario's risk on a log scale, the interval as whiskers."""
    label_w, plot_l, plot_r = 196.0, 204.0, 664.0
    row, top = 25.0, 6.0
    width = plot_r + 14
    height = top + row * len(scenarios) + 38
    lo, hi = _log_axis(v for s in scenarios for v in (s.risk, s.risk_low, s.risk_high))

    def x_of(value: float) -> float:
        if value <= 0:
            return plot_l
        share = (math.log10(value) - lo) / (hi - lo)
        return plot_l + min(max(share, 0.0), 1.0) * (plot_r - plot_l)

    body: list[str] = []
    bottom = top + row * len(scenarios)
    for e in range(lo, hi + 1):
        x = x_of(10.0**e)
        body.append(_tag("line", x1=_n(x), x2=_n(x), y1=_n(top), y2=_n(bottom), stroke=GRID))
        body.append(_text(x, bottom + 13, power_of_ten(e), text_anchor="middle", fill=MUTED))
    for i, s in enumerate(scenarios):
        mid = top + row * i + row / 2
        lines = _wrap(s.name, 36)
        first = mid + 3.5 - 5.5 * (len(lines) - 1)
        for n, line in enumerate(lines):
            body.append(_text(label_w, first + 11 * n, line, text_anchor="end"))
        tip = _("%(name)s: %(risk)s expected casualties per year (%(low)s to %(high)s)") % {
            "name": s.name,
            "risk": sci(s.risk),
            "low": sci(s.risk_low),
            "high": sci(s.risk_high),
        }
        parts = [_tag("title", str(escape(tip)))]
        if s.risk > 0:
            parts.append(
                _tag(
                    "rect",
                    x=_n(plot_l),
                    y=_n(mid - 6),
                    width=_n(x_of(s.risk) - plot_l),
                    height="12",
                    fill=BAND_FILL[s.band],
                    stroke="#8a6d3b",
                    stroke_width="0.4",
                )
            )
        else:
            parts.append(_text(plot_l + 4, mid + 3.5, _("none"), fill=MUTED, font_style="italic"))
        if s.risk_high > 0:
            x1, x2 = x_of(s.risk_low), x_of(s.risk_high)
            parts.append(
                _tag(
                    "line",
                    x1=_n(x1),
                    x2=_n(x2),
                    y1=_n(mid),
                    y2=_n(mid),
                    stroke=INK,
                    stroke_width="1.1",
                )
            )
            for x in (x1, x2) if s.risk_low > 0 else (x2,):
                parts.append(
                    _tag(
                        "line",
                        x1=_n(x),
                        x2=_n(x),
                        y1=_n(mid - 4),
                        y2=_n(mid + 4),
                        stroke=INK,
                        stroke_width="1.1",
                    )
                )
        body.append(_tag("g", "".join(parts), class_="bar", data_scenario=s.scenario))
    body.append(
        _tag("line", x1=_n(plot_l), x2=_n(plot_r), y1=_n(bottom), y2=_n(bottom), stroke=MUTED)
    )
    body.append(
        _text(
            (plot_l + plot_r) / 2,
            bottom + 30,
            _("Expected casualties per year (log scale); whiskers: interval"),
            text_anchor="middle",
            font_size="9.5",
            font_weight="bold",
        )
    )
    title = _("Risk per scenario, with its interval")
    return _svg(width, height, title, body, "chart chart--scenarios")


# ---------------------------------------------------------------------- Pareto curve
def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def pareto_svg(plan: PlanSection, currency: str) -> SafeString | None:
    """Residual risk against capital cost for the optimal plans, this plan highlighted."""
    points = list(plan.pareto)
    if len(points) < 2:
        return None
    chosen = (plan.capex, plan.risk_after)
    left, right, top, bottom = 76.0, 664.0, 12.0, 196.0
    width, height = right + 14, bottom + 40
    budget = plan.capex_budget
    x_max = max(p.capex for p in points)
    if budget is not None and math.isfinite(budget):
        x_max = max(x_max, budget)
    x_step = _nice_step(x_max)
    x_max = math.ceil(x_max / x_step) * x_step or 1.0
    y_max = max([p.risk for p in points] + [plan.risk_before])
    y_step = _nice_step(y_max, 4)
    y_max = math.ceil(y_max / y_step) * y_step or 1.0

    def x_of(value: float) -> float:
        return left + value / x_max * (right - left)

    def y_of(value: float) -> float:
        return bottom - value / y_max * (bottom - top)

    body: list[str] = []
    for k in range(round(y_max / y_step) + 1):
        v = k * y_step
        y = y_of(v)
        body.append(_tag("line", x1=_n(left), x2=_n(right), y1=_n(y), y2=_n(y), stroke=GRID))
        body.append(_text(left - 6, y + 3.5, sci(v), text_anchor="end", fill=MUTED))
    for k in range(round(x_max / x_step) + 1):
        v = k * x_step
        x = x_of(v)
        body.append(
            _tag("line", x1=_n(x), x2=_n(x), y1=_n(bottom), y2=_n(bottom + 4), stroke=MUTED)
        )
        body.append(_text(x, bottom + 15, compact(v), text_anchor="middle", fill=MUTED))
    body.append(_tag("line", x1=_n(left), x2=_n(right), y1=_n(bottom), y2=_n(bottom), stroke=MUTED))
    if budget is not None and math.isfinite(budget):
        xb = x_of(budget)
        body.append(
            _tag(
                "line",
                x1=_n(xb),
                x2=_n(xb),
                y1=_n(top),
                y2=_n(bottom),
                stroke=BRAND,
                stroke_dasharray="4 3",
            )
        )
        body.append(_text(xb + 4, bottom - 6, _("budget"), fill=BRAND, font_size="9"))
    # The curve is sampled at a grid of budgets; this plan is one more exact point on it.
    line = sorted([(p.capex, p.risk) for p in points] + ([] if plan.error else [chosen]))
    path = "M" + " L".join(f"{_n(x_of(c))} {_n(y_of(r))}" for c, r in line)
    body.append(_tag("path", d=path, fill="none", stroke=MUTED, stroke_width="1.2"))
    for p in points:
        tip = _("%(capex)s %(currency)s: %(risk)s expected casualties per year") % {
            "capex": compact(p.capex),
            "currency": currency,
            "risk": sci(p.risk),
        }
        body.append(
            _tag(
                "circle",
                _tag("title", str(escape(tip))),
                cx=_n(x_of(p.capex)),
                cy=_n(y_of(p.risk)),
                r="3",
                fill="#ffffff",
                stroke=INK,
                class_="point",
            )
        )
    if not plan.error:
        cx, cy = x_of(plan.capex), y_of(plan.risk_after)
        body.append(_tag("circle", cx=_n(cx), cy=_n(cy), r="5.5", fill=BRAND, class_="chosen"))
        body.append(_text(cx + 8, cy - 7, _("this plan"), fill=BRAND, font_weight="bold"))
    body.append(
        _text(
            (left + right) / 2,
            bottom + 33,
            _("Capital cost (%(currency)s)") % {"currency": currency},
            text_anchor="middle",
            font_size="9.5",
            font_weight="bold",
        )
    )
    body.append(
        _text(
            0,
            0,
            _("Residual risk / year"),
            text_anchor="middle",
            font_size="9.5",
            font_weight="bold",
            transform=f"translate(12 {_n((top + bottom) / 2)}) rotate(-90)",
        )
    )
    title = _("Lowest residual risk for each capital budget")
    return _svg(width, height, title, body, "chart chart--pareto")
