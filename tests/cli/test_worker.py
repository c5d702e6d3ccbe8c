"""``placeguard serve`` starts the background-task worker beside the server and stops it."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from placeguard.cli import _worker


def test_the_worker_command_is_django_db_worker() -> None:
    cmd = _worker.worker_command()
    assert cmd[0] == sys.executable and cmd[1:] == ["-m", "django", "db_worker", "--no-reload"]


def test_the_worker_runs_while_the_server_runs_and_stops_after(monkeypatch: Any) -> None:
    monkeypatch.setenv("PLACEGUARD_ENV", "development")
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    monkeypatch.setattr(_worker, "worker_command", lambda: sleeper)
    with _worker.beside_server() as proc:
        assert proc is not None and proc.poll() is None  # running beside the server
    assert proc.returncode is not None  # stopped with it


def test_the_worker_is_stopped_when_the_server_fails(monkeypatch: Any) -> None:
    monkeypatch.setenv("PLACEGUARD_ENV", "development")
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    monkeypatch.setattr(_worker, "worker_command", lambda: sleeper)
    started = []

    def serve() -> None:
        with _worker.beside_server() as proc:
            started.append(proc)
            msg = "address already in use"
            raise OSError(msg)

    with pytest.raises(OSError, match="in use"):
        serve()
    assert started[0] is not None and started[0].returncode is not None


def test_no_worker_in_test_mode_or_when_disabled(monkeypatch: Any) -> None:
    monkeypatch.setenv("PLACEGUARD_ENV", "test")
    with _worker.beside_server() as proc:
        assert proc is None
    monkeypatch.setenv("PLACEGUARD_ENV", "development")
    with _worker.beside_server(enabled=False) as proc:
        assert proc is None


def test_sigterm_to_the_server_stops_the_worker(monkeypatch: Any) -> None:
    import os
    import signal

    monkeypatch.setenv("PLACEGUARD_ENV", "development")
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    monkeypatch.setattr(_worker, "worker_command", lambda: sleeper)
    before = signal.getsignal(signal.SIGTERM)
    started = []

    def serve() -> None:
        with _worker.beside_server() as proc:
            started.append(proc)
            os.kill(os.getpid(), signal.SIGTERM)  # what `docker stop` sends the server

    with pytest.raises(SystemExit) as caught:
        serve()
    assert caught.value.code == 128 + signal.SIGTERM
    assert started[0] is not None and started[0].returncode is not None
    assert signal.getsignal(signal.SIGTERM) == before
