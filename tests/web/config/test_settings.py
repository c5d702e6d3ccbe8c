"""Settings refuse insecure production configurations; env helpers fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from placeguard.web.config.env import database_from_url, env_bool, env_int

GOOD_SECRET = "x" * 50


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings module in a fresh interpreter with exactly ``env``."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("PLACEGUARD_", "DATABASE_URL"))
    }
    clean.update(env)
    code = "import placeguard.web.config.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE)"
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )


def test_production_is_the_default_and_refuses_the_development_secret(tmp_path: object) -> None:
    result = load_settings(
        PLACEGUARD_ALLOWED_HOSTS="example.org", PLACEGUARD_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "PLACEGUARD_SECRET_KEY" in result.stderr


def test_production_refuses_debug(tmp_path: object) -> None:
    result = load_settings(PLACEGUARD_SECRET_KEY=GOOD_SECRET, PLACEGUARD_DEBUG="true",
                           PLACEGUARD_ALLOWED_HOSTS="example.org", PLACEGUARD_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_needs_allowed_hosts(tmp_path: object) -> None:
    result = load_settings(PLACEGUARD_SECRET_KEY=GOOD_SECRET, PLACEGUARD_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_secure_production_starts_with_secure_cookies(tmp_path: object) -> None:
    result = load_settings(PLACEGUARD_SECRET_KEY=GOOD_SECRET, PLACEGUARD_ALLOWED_HOSTS="example.org",
                           PLACEGUARD_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_secret_can_come_from_a_file(tmp_path: object) -> None:
    from pathlib import Path

    secret = Path(str(tmp_path)) / "secret"
    secret.write_text(GOOD_SECRET + "\n")
    result = load_settings(PLACEGUARD_SECRET_KEY_FILE=str(secret), PLACEGUARD_ALLOWED_HOSTS="example.org",
                           PLACEGUARD_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_unknown_environment_is_refused() -> None:
    assert load_settings(PLACEGUARD_ENV="staging").returncode != 0


def test_env_bool_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", default=False)
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", default=False) is True


def test_env_int_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "sqlite:///var/db.sqlite3",
            {"ENGINE": "django.db.backends.sqlite3", "NAME": "var/db.sqlite3"},
        ),
        (
            "sqlite:////abs/db.sqlite3",
            {"ENGINE": "django.db.backends.sqlite3", "NAME": "/abs/db.sqlite3"},
        ),
        (
            "postgres://u:p%40ss@db.example:5433/pg",
            {"NAME": "pg", "USER": "u", "PASSWORD": "p@ss", "HOST": "db.example", "PORT": "5433"},
        ),
        (
            "postgres://postgres@/pg?host=/tmp/sock",
            {"NAME": "pg", "USER": "postgres", "HOST": "/tmp/sock", "PORT": ""},
        ),
    ],
)
def test_database_urls(url: str, expected: dict[str, str]) -> None:
    parsed = database_from_url(url)
    assert {k: parsed[k] for k in expected} == expected


def test_unsupported_database_url() -> None:
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x")
