"""``placeguard demo logins`` is what ``make run`` prints first: it must work in a fresh
process where Django has not been set up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_logins_runs_without_django_set_up(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(PLACEGUARD_ENV="development", PLACEGUARD_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "placeguard.cli.main", "demo", "logins"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "police.north" in done.stdout
    assert "two-factor" in done.stdout
