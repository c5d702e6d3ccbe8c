#!/usr/bin/env python3
"""Copy the front-end libraries installed by ``npm ci`` into the Django static folder.

PlaceGuard serves every asset itself (no CDN: it must work offline and air-gapped), so the
npm packages named in ``package.json`` are copied into ``src/placeguard/web/static/vendor/``,
which is gitignored and rebuilt by ``make``::

    npm ci && python scripts/build_assets.py

Exit status 1 (with a message) when ``node_modules`` lacks a file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "placeguard" / "web" / "static" / "vendor"

#: (source under node_modules, destination under vendor/); a source ending in "/" is a folder.
ASSETS: tuple[tuple[str, str], ...] = (
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images/", "leaflet/images/"),
    ("leaflet/LICENSE", "leaflet/LICENSE"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org/LICENSE", "htmx/LICENSE"),
)


def build(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[Path]:
    """Copy every asset; return the files written. Raise FileNotFoundError if one is missing."""
    missing = [src for src, _dest in ASSETS if not (node_modules / src).exists()]
    if missing:
        msg = f"missing in {node_modules}: {', '.join(missing)} (run `npm ci` first)"
        raise FileNotFoundError(msg)
    if vendor.exists():
        shutil.rmtree(vendor)
    written: list[Path] = []
    for src, dest in ASSETS:
        source, target = node_modules / src, vendor / dest
        if source.is_dir():
            shutil.copytree(source, target)
            written.extend(p for p in sorted(target.rglob("*")) if p.is_file())
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--node-modules", type=Path, default=NODE_MODULES)
    parser.add_argument("--vendor", type=Path, default=VENDOR)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    try:
        written = build(args.node_modules, args.vendor)
    except FileNotFoundError as exc:
        print(f"build_assets: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"build_assets: copied {len(written)} files into {args.vendor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
