"""CLI tests read Rich output: make it wide enough that no message wraps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from placeguard.cli import main


@pytest.fixture(autouse=True)
def _wide_console() -> Iterator[None]:
    widths = (main.console.width, main.err.width)
    main.console.width = main.err.width = 240
    yield
    main.console.width, main.err.width = widths
