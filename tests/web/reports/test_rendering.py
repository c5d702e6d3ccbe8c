"""HTML and PDF: every section is there, hostile text stays text, the PDF is a real A4 file."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from placeguard.engines.risk.assessment import SiteProfile
from placeguard.engines.risk.catalogue import parse_pack
from placeguard.engines.risk.scales import Scales
from placeguard.web.reports import (
    DEFAULT_MARKING,
    SiteReport,
    build_site_report,
    render_html,
    render_pdf,
)
from placeguard.web.reports.charts import matrix_svg, scenario_chart_svg
from placeguard.web.reports.report import MatrixCell
from tests.engines.risk.conftest import tiny_docs

CELL = re.compile(
    r'<g class="cell" data-likelihood="(\d)" data-consequence="(\d)" data-count="(\d+)">'
)


@pytest.fixture(scope="module")
def full_html(full_report: SiteReport) -> str:
    return render_html(full_report)


@pytest.fixture(scope="module")
def full_pdf(full_report: SiteReport) -> bytes:
    return render_pdf(full_report)


def test_html_is_one_standalone_document(full_html: str) -> None:
    assert full_html.startswith("<!doctype html>")
    assert full_html.rstrip().endswith("</html>")
    assert "<style>" in full_html and "@page" in full_html
    assert not re.search(r"<(script|link|iframe|img|object)\b", full_html, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*\s(src|href)\s*=", full_html, re.IGNORECASE)
    assert "url(" not in full_html


def test_html_lists_every_scenario_in_the_table_and_chart(
    full_html: str, full_report: SiteReport
) -> None:
    for s in full_report.scenarios:
        assert full_html.count(html.escape(s.name)) >= 3, s.name  # table, chart, residual
        assert f'data-scenario="{s.scenario}"' in full_html


def test_matrix_svg_has_25_cells_counting_14_scenarios(full_html: str) -> None:
    cells = CELL.findall(full_html)
    assert len(cells) == 25
    assert len(set(cells)) == 25
    assert sum(int(n) for _, _, n in cells) == 14


def test_html_shows_the_drivers_in_plain_language(full_html: str, full_report: SiteReport) -> None:
    sentences = [d.sentence(s.name) for s in full_report.scenarios for d in s.drivers]
    assert sentences
    for sentence in sentences:
        assert html.escape(sentence) in full_html
    for key in full_report.key_answers:
        assert html.escape(key.text) in full_html


def test_html_has_the_plan_gaps_overlays_method_and_footer(
    full_html: str, full_report: SiteReport
) -> None:
    plan = full_report.plan
    assert plan is not None
    for m in plan.measures:
        assert html.escape(m.name) in full_html
    assert f"{plan.capex:,.0f} EUR" in full_html
    assert 'class="chart chart--pareto"' in full_html
    assert 'class="chosen"' in full_html
    for gap in full_report.gaps:
        assert html.escape(gap.text) in full_html
    for overlay in full_report.overlays:
        assert html.escape(overlay.name) in full_html
    assert "not met" in full_html and "not applicable" in full_html
    assert "R = T × V × C" in full_html
    assert "2026.11" in full_html  # pack version
    assert "Generated 2026-11-29 18:00 UTC" in full_html
    assert html.escape(DEFAULT_MARKING) in full_html
    assert "marking--amber" in full_html


def test_hostile_text_is_escaped_everywhere(full_html: str) -> None:
    assert "<script" not in full_html.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in full_html
    assert "<img" not in full_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in full_html


def test_svg_text_is_escaped(full_report: SiteReport) -> None:
    evil = '</text><script>alert(1)</script><text a="'
    scenarios = [replace(s, name=evil) for s in full_report.scenarios[:3]]
    chart = scenario_chart_svg(scenarios)
    cells = [MatrixCell(c.likelihood, c.consequence, (evil,)) for c in full_report.matrix]
    matrix = matrix_svg(cells, Scales())
    for svg in (chart, matrix):
        assert "<script" not in svg
        assert "&lt;/text&gt;&lt;script&gt;" in svg
        assert svg.count("<text") == svg.count("</text>")


def test_no_budget_says_so(plain_report: SiteReport) -> None:
    page = render_html(plain_report)
    assert "No budget was given" in page
    assert "chart--pareto" not in page


def test_custom_marking_is_printed_and_escaped(full_report: SiteReport) -> None:
    page = render_html(replace(full_report, marking="TLP:RED <only> named recipients"))
    assert "TLP:RED &lt;only&gt; named recipients" in page
    assert "marking--red" in page
    assert html.escape(DEFAULT_MARKING) not in page


def test_right_to_left_languages_set_the_direction(plain_report: SiteReport) -> None:
    with translation.override("ar"):
        page = render_html(plain_report)
    assert '<html lang="ar" dir="rtl">' in page


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes followed by its decompressed streams (object streams hide pages)."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def _pdf_pages(pdf: bytes) -> int:
    """Roughly count the page objects."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", _pdf_objects(pdf)))


def test_pdf_is_a_multi_page_a4_document(full_pdf: bytes) -> None:
    assert full_pdf.startswith(b"%PDF-")
    assert full_pdf.rstrip().endswith(b"%%EOF")
    assert _pdf_pages(full_pdf) >= 2
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595\.\d+ 841\.\d+", _pdf_objects(full_pdf))


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs poppler-utils")
def test_pdfinfo_agrees(full_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(full_pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)  # noqa: S603, S607
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]
    assert pages == _pdf_pages(full_pdf) >= 2
    assert "595.276 x 841.89 pts (A4)" in info.stdout


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_first_page_renders_to_a_small_png(full_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(full_pdf)
    cmd = ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile",
           str(path), str(tmp_path / "page")]  # fmt: skip
    subprocess.run(cmd, check=True)  # noqa: S603
    png = (tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) < 300_000


def test_documentation_screenshot_is_small() -> None:
    shot = Path(__file__).resolve().parents[3] / "docs" / "img" / "site-report.png"
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size < 300_000


@pytest.mark.parametrize("answers", [{"Q1": 2, "Q2": 2, "Q3": 2}, {}])
def test_any_pack_renders_whatever_the_answers(answers: dict[str, int | str]) -> None:
    """A two-scenario pack without overlays, with all answers best (nothing drives) or none."""
    tiny = parse_pack(tiny_docs())
    profile = SiteProfile(site_type="venue", capacity=1000)
    report = build_site_report(
        tiny,
        site_name="Tiny",
        site_type="venue",
        profile=profile,
        answers=answers,
        threat_level=3,
        capex_budget=0,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        pareto_points=3,
    )
    page = render_html(report)
    assert sum(int(n) for _, _, n in CELL.findall(page)) == 2
    assert "The content pack has no compliance overlays." in page
    if answers:
        assert "Every applicable question is answered." in page
        assert "No answer below its best option" in page
        assert "No measure is chosen" in page  # every measure is fully in place
    else:
        assert "3 applicable questions are answered" in page
    assert render_pdf(report).startswith(b"%PDF-")
