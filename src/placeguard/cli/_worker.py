"""The background-task worker that ``placeguard serve`` starts beside the web server.

Background work (engineering study runs …) goes through django-tasks with its database
backend: the server stores a task row, and ``manage.py db_worker`` — run here as a child
process — picks it up. The worker stops when the server stops. In test mode (immediate
backend, tasks run inside the request) no worker is started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["beside_server", "worker_command"]

#: Seconds the worker gets to finish its current task after the server stops.
STOP_GRACE_S = 10.0


def worker_command() -> list[str]:
    """The worker's argv: Django's ``db_worker`` with PlaceGuard's settings, no reloader."""
    return [sys.executable, "-m", "django", "db_worker", "--no-reload"]


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def beside_server(*, enabled: bool = True) -> Iterator[subprocess.Popen[bytes] | None]:
    """Run the database task worker for the duration of the ``with`` block."""
    if not enabled or os.environ.get("PLACEGUARD_ENV") == "test":
        yield None
        return
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "placeguard.web.config.settings")
    proc = subprocess.Popen(worker_command(), env=env)  # noqa: S603 - fixed argv, no shell
    # A SIGTERM to the server (systemd, docker stop) must also stop the worker: turn it into
    # SystemExit so the ``finally`` below runs (signals can only be set in the main thread).
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        yield proc
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
