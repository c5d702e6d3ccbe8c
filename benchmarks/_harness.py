"""Shared set-up for benchmarks: a throwaway migrated SQLite database and a timer."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_with_fresh_db() -> None:
    """Point Django at a new temporary SQLite file and migrate it."""
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="placeguard-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("PLACEGUARD_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "placeguard.web.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, ours: float, baseline: float, *, baseline_name: str = "baseline") -> None:
    """Print one timing (seconds) and its ratio against the baseline."""
    ratio = baseline / ours
    print(f"{name}: {ours:.4f} s  |  {baseline_name}: {baseline:.4f} s  |  speed-up ×{ratio:.1f}")
