"""The trend report as one self-contained HTML page (no Django, no scripts, inline SVG).

Everything drawn comes from the report document of
:func:`placeguard.engines.intel.stats.trend_report.build_report` — aggregates only. Every text
value is HTML-escaped. Per group: a yearly-attacks chart with the declared collection breaks
drawn as dashed lines and change points as dots (ringed when within a year of a break), the
rate ratios with and without break terms, and the lethality before/after the split year with
their intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["render_trend_report"]

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-top:1px solid #ccc;padding-top:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}.note{color:#555;font-size:.9rem}
.sig{font-weight:bold}svg{background:#fafafa;border:1px solid #ddd}
"""


def _f(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, int):
        return str(x)
    return f"{float(x):.{digits}g}"


def _ci(pair: Sequence[Any] | None) -> str:
    if not pair:
        return "–"
    return f"{_f(pair[0])}–{_f(pair[1])}"


def _chart(group: dict[str, Any], breaks: Sequence[int], width: int = 640,
           height: int = 180) -> str:  # fmt: skip
    yearly = group["yearly"]
    if not yearly:
        return ""
    years: list[int] = [int(r["year"]) for r in yearly]
    values: list[int] = [int(r["attacks"]) for r in yearly]
    y0, y1 = years[0], max(years[-1], years[0] + 1)
    top = max(*values, 1)
    pad = 30

    def px(year: float) -> float:
        return pad + (year - y0) / (y1 - y0) * (width - 2 * pad)

    def py(value: float) -> float:
        return height - pad - value / top * (height - 2 * pad)

    points = " ".join(f"{px(y):.1f},{py(v):.1f}" for y, v in zip(years, values, strict=True))
    parts = [
        f'<svg width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(str(group["key"]))}: attacks per year">',
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="{points}"/>',
        f'<text x="{pad}" y="14" font-size="11">max {top} attacks/yr</text>',
        f'<text x="{pad}" y="{height - 8}" font-size="11">{y0}</text>',
        f'<text x="{width - pad - 28}" y="{height - 8}" font-size="11">{years[-1]}</text>',
    ]
    for b in breaks:
        if y0 < b <= y1:
            x = px(b - 0.5)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{pad}" y2="{height - pad}" '
                         'stroke="#c0392b" stroke-dasharray="4 3"/>')  # fmt: skip
            parts.append(f'<text x="{x + 2:.1f}" y="{pad + 10}" font-size="10" '
                         f'fill="#c0392b">break {b}</text>')  # fmt: skip
    for cp in group.get("change_points", {}).get("change_points", []):
        x = px(cp["year"] - 0.5)
        y = py(cp["mean_after"])
        ring = ' stroke="#c0392b" stroke-width="2"' if cp["at_collection_break"] else ""
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#e67e22"{ring}/>')
    parts.append("</svg>")
    return "".join(parts)


def _group(group: dict[str, Any], report: dict[str, Any]) -> str:
    key = escape(str(group["key"]))
    leth = group.get("lethality") or {}
    before, after = leth.get("before", {}), leth.get("after", {})
    cps = group.get("change_points", {}).get("change_points", [])
    cp_text = ", ".join(
        f"{cp['year']}" + (f" (at collection break {cp['at_collection_break']})"
                           if cp["at_collection_break"] else "")
        for cp in cps
    ) or "none"  # fmt: skip
    split = report["split_year"]
    rows = "".join(
        f"<tr><td>{r['year']}</td><td>{r['attacks']}</td><td>{r['deaths']}</td>"
        f"<td>{r['attacks'] - r['deaths_known']}</td></tr>"
        for r in group["yearly"]
    )
    trend = group.get("trend") or {}
    share = trend.get("share_of_attacks") or {}
    mk = trend.get("mann_kendall_attacks") or {}
    return f"""
<h2>{key}</h2>
<p>{group["attacks"]} attacks, {group["deaths"]} deaths
({group["attacks_with_unknown_deaths"]} attacks with unknown deaths, left out of lethality).</p>
{_chart(group, report["breaks"])}
<table>
<tr><th class="l">estimate</th><th>value</th><th>95 % CI</th><th>p</th><th class="l">model</th></tr>
<tr><td class="l">annual rate ratio, attacks (with break terms)</td>
<td>{_f(group["rate_ratio"])}</td><td>{_ci(group["rate_ratio_ci"])}</td>
<td>{_f(group["rate_ratio_p"])} (q {_f(group.get("rate_ratio_q"))})</td>
<td class="l">{escape(str(group["rate_ratio_model"]))}</td></tr>
<tr><td class="l">annual rate ratio, attacks (no break terms)</td>
<td>{_f(group["rate_ratio_unadjusted"])}</td><td>{_ci(group["rate_ratio_unadjusted_ci"])}</td>
<td>{_f(group["rate_ratio_unadjusted_p"])}</td><td></td></tr>
<tr><td class="l">annual rate ratio, deaths (with / without break terms)</td>
<td>{_f(group["deaths_rate_ratio"])} / {_f(group["deaths_rate_ratio_unadjusted"])}</td>
<td>{_ci(group["deaths_rate_ratio_ci"])} / {_ci(group["deaths_rate_ratio_unadjusted_ci"])}</td>
<td></td><td></td></tr>
<tr><td class="l">annual odds ratio of the share of all attacks (with break terms)</td>
<td>{_f(share.get("odds_ratio"))}</td><td>{_ci(share.get("ci"))}</td>
<td>{_f(share.get("p_value"))}</td><td class="l">{escape(str(share.get("model", "")))}</td></tr>
<tr><td class="l">Mann–Kendall (Sen's slope, attacks/yr)</td><td>{_f(mk.get("sen_slope"))}</td>
<td></td><td>{_f(mk.get("p_value"))}</td><td></td></tr>
<tr><td class="l">deaths per attack before {split}</td><td>{_f(group["lethality_before"])}</td>
<td>{_ci(group["lethality_before_ci"])}</td><td></td>
<td class="l">median {_f(before.get("median"))}, lethal {_f(before.get("share_lethal"))},
≥ 10 deaths {_f(before.get("share_10_plus"))}</td></tr>
<tr><td class="l">deaths per attack from {split}</td><td>{_f(group["lethality_after"])}</td>
<td>{_ci(group["lethality_after_ci"])}</td><td></td>
<td class="l">median {_f(after.get("median"))}, lethal {_f(after.get("share_lethal"))},
≥ 10 deaths {_f(after.get("share_10_plus"))}</td></tr>
<tr><td class="l">lethality ratio (after / before)</td><td>{_f(group["lethality_ratio"])}</td>
<td>{_ci(group["lethality_ratio_ci"])}</td><td>{_f(leth.get("permutation_p"))}</td>
<td class="l">permutation test</td></tr>
</table>
<p class="note">Change points (first year of a new level): {escape(cp_text)}.</p>
<details><summary>Yearly figures</summary>
<table><tr><th>year</th><th>attacks</th><th>deaths</th><th>unknown deaths</th></tr>{rows}</table>
</details>"""


def render_trend_report(report: dict[str, Any]) -> str:
    """The report document as an HTML page."""
    groups = "".join(_group(g, report) for g in report["groups"])
    defs = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in report["definitions"].items()
    )
    breaks = ", ".join(str(b) for b in report["breaks"]) or "none"
    missing = ", ".join(str(y) for y in report["missing_years"]) or "none"
    title = f"Incident trends by {report['by']} — {report['source'] or 'incidents'}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_CSS}</style></head><body>
<h1>{escape(title)}</h1>
<p>Years {report["years"][0]}–{report["years"][1]}; declared collection breaks: {escape(breaks)};
years not covered by the dataset (left out, not zero): {escape(missing)}; split year
{report["split_year"]}; filters: {escape(report["filters"])}; {report["cells_tested"]} groups
tested (q: Benjamini–Hochberg across groups); bootstrap {report["resamples"]} resamples, seed
{report["seed"]}.</p>
<p class="note">{escape(report.get("attribution") or "")}</p>
{groups}
<h2>Definitions</h2><dl>{defs}</dl>
</body></html>"""
