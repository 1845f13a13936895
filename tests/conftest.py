"""Fixtures shared by every test room."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import get_settings


@pytest.fixture
def tmp_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database (and var/ folder) for one test, set as DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'siloscope.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
