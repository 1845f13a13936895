"""Engines and schema migrations.

The schema is owned by Alembic (``bot/store/migrations``); ``migrate`` brings any database
up to date and is safe to call at every start.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from bot.privacy.files import private_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """A 2.0-style engine; SQLite gets foreign keys, WAL and a wait instead of 'database is locked'."""
    is_sqlite = url.startswith("sqlite")
    engine = create_engine(
        url,
        future=True,
        pool_pre_ping=not is_sqlite,
        connect_args={"timeout": 30} if is_sqlite else {},
    )
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    from alembic import command
    from alembic.config import Config

    if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        # Created 0600 before SQLite opens it: its -wal/-shm/-journal files copy the database's mode.
        database = private_file(Path(engine.url.database))
        for suffix in ("-wal", "-shm", "-journal"):
            if database.with_name(database.name + suffix).exists():
                private_file(database.with_name(database.name + suffix))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One migrated engine per database URL per process."""
    engine = make_engine(url)
    migrate(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False, class_=Session)
