"""Intelligence fixtures: a small seeded synthetic GTD-layout file, datasets built through the
services, and a private data directory per test."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from placeguard.web.intel import services
from placeguard.web.intel.models import Dataset

ROWS = 3000


@pytest.fixture(autouse=True)
def _intel_settings(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Each test gets its own data directory, fewer resamples and an empty cache."""
    from django.core.cache import cache

    settings.DATA_DIR = tmp_path / "data"
    settings.PLACEGUARD_INTEL_RESAMPLES = 200
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def gtd_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded GTD-layout CSV (135 columns) of ROWS synthetic incidents."""
    from placeguard.engines.intel.synthetic import write_gtd

    path = tmp_path_factory.mktemp("intel") / "gtd-sample.csv"
    write_gtd(path, ROWS, seed=7)
    return path


def event_ids(path: Path) -> list[str]:
    """The ``eventid`` column of a GTD-layout file (what must never be exported)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["eventid"] for row in csv.DictReader(fh)]


def broken_copy(path: Path, target: Path) -> Path:
    """``path`` with an unparseable year on file lines 4 and 6 (two problems)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("iyear")
    rows[3][col] = "year?"
    rows[5][col] = "20x1"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def make_dataset(user: Any, path: Path, *, name: str = "Sample", source: str = "gtd") -> Dataset:
    """Import ``path`` as ``user`` (immediate task backend: finished on return)."""
    with path.open("rb") as fh:
        return services.create_dataset(actor=user, name=name, source=source,
                                       file_name=path.name, data=fh)  # fmt: skip
