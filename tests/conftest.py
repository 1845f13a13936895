"""Fixtures shared by every test room.

``--postgres`` runs every test that takes ``tmp_database`` on a fresh database of a real
PostgreSQL server (``make test-postgres``); without it they run on SQLite. The running product
(``stack``) and the browser come from the plugin ``tests.support.stack``, once for the session.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import get_settings
from tests.support.database import migrated
from tests.support.servers import PostgresServer, RedisServer, postgres_missing, redis_missing

pytest_plugins = ["tests.support.stack"]


# What makes a test slow (seconds, not milliseconds): the rooms that start real servers or whole processes, and
# the fixtures that do. ``make check`` runs ``-m "not slow"``; ``make test`` runs everything.
SLOW_ROOMS = ("e2e", "faults", "postgres", "rasa_server")
SLOW_FIXTURES = frozenset({"stack", "fault_stack", "browser", "web", "postgres_server", "redis_server", "writers"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow tests ``slow``: those marked ``e2e``, those in a slow room, those taking a slow fixture."""
    tests_dir = Path(__file__).parent
    for item in items:
        room = item.path.relative_to(tests_dir).parts[0] if item.path.is_relative_to(tests_dir) else ""
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("e2e") or room in SLOW_ROOMS or fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--postgres", action="store_true", help="run the store's tests on a real PostgreSQL server")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster of Debian's package on a free loopback port (its folder outside pytest's, which
    the ``postgres`` user may not enter)."""
    if reason := postgres_missing():
        pytest.fail(reason)
    base = Path(tempfile.mkdtemp(prefix="siloscope-pg-"))
    server = PostgresServer(base)
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if reason := redis_missing():
        pytest.fail(reason)
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def shared_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of trained attribution models for the whole run (they are keyed by what they learnt from)."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture
def tmp_database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 shared_model_cache: Path) -> Iterator[str]:
    """A fresh database (and var/ folder) for one test, set as DATABASE_URL.

    Created as ``siloscope migrate`` creates it: servers never create a database themselves. The var/
    folder's model cache is shared by the run, so each test does not train the same model again.
    """
    server = request.getfixturevalue("postgres_server") if request.config.getoption("--postgres") else None
    url = migrated(server.create_database() if server else f"sqlite:///{tmp_path / 'siloscope.db'}")
    monkeypatch.setenv("DATABASE_URL", url)
    (tmp_path / "var").mkdir(mode=0o700, exist_ok=True)
    (tmp_path / "var" / "cache").symlink_to(shared_model_cache, target_is_directory=True)
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    if server:
        server.drop_database(url)
