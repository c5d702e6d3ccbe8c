"""Make the documentation picture of a site security report: page 1 of the example's PDF.

::

    .venv/bin/python scripts/report_screenshot.py [OUT_PNG]   # default docs/img/site-report.png

Builds the report of ``examples/mosque-answers.yaml`` with a plan, renders it with WeasyPrint
(the ``reports`` extra) and turns page 1 into a PNG with ``pdftoppm`` (Debian poppler-utils).
No database is needed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import yaml

from placeguard.content import load_risk_pack
from placeguard.engines.risk.inputs import parse_assessment_input
from placeguard.web.reports import build_site_report, render_pdf

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 300_000


def main(out: Path) -> None:
    """Write page 1 of the example report to ``out`` as a PNG."""
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    pack = load_risk_pack()
    raw = yaml.safe_load((ROOT / "examples" / "mosque-answers.yaml").read_text(encoding="utf-8"))
    data = parse_assessment_input(raw, pack)
    report = build_site_report(
        pack,
        site_name="Al-Noor Mosque",
        site_type=data.profile.site_type,
        profile=data.profile,
        answers=data.answers,
        threat_level=data.threat_level,
        capex_budget=20_000,
        opex_budget=60_000,
        generated_at=datetime(2026, 11, 29, 18, 0, tzinfo=UTC),
        site_details={"Address": "12 Harbour Road, Port Azul", "Operator": "Al-Noor Trust"},
    )
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(render_pdf(report))
        cmd = ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile",
               str(pdf), str(Path(tmp) / "page")]  # fmt: skip
        subprocess.run(cmd, check=True)  # noqa: S603 - fixed argv, no shell
        png = (Path(tmp) / "page.png").read_bytes()
    if len(png) >= MAX_BYTES:
        sys.exit(f"page 1 is {len(png):,} bytes; the documentation budget is {MAX_BYTES:,}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    print(f"Wrote {out} ({len(png):,} bytes).")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "site-report.png")
