"""Engines and schema migrations.

The schema is owned by Alembic (``bot/store/migrations``); ``migrate`` brings any database
up to date and is safe to call at every start. Only ``migrate`` (``siloscope migrate``, which
``make setup`` runs) ever *creates* a database: a server whose configured database has gone
missing (an unmounted volume, a deleted folder, an empty PostgreSQL database) refuses it with
:class:`DatabaseMissing` instead of writing into a new, empty one that nobody reads.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UsageError
from bot.privacy.files import private_file
from bot.store.sqlite_file import bind_to_existing_file, sqlite_file

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT = 5  # seconds; PostgreSQL URLs may set their own ``?connect_timeout=``


def make_engine(url: str) -> Engine:
    """A 2.0-style engine; SQLite gets foreign keys, WAL and a wait instead of 'database is locked'."""
    is_sqlite = url.startswith("sqlite")
    connect_args: dict[str, int] = {"timeout": 30} if is_sqlite else {}
    if url.startswith("postgresql") and "connect_timeout" not in url:
        # An unreachable host would otherwise hold a write (and the spool's lock) for minutes.
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    engine = create_engine(url, future=True, pool_pre_ping=not is_sqlite, connect_args=connect_args)
    path = sqlite_file(engine)
    if path is not None:
        bind_to_existing_file(engine, path)

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

    path = sqlite_file(engine)
    if path is not None:
        # The one place a database file is created, and 0600 before SQLite opens it: SQLite gives its
        # -wal/-shm/-journal files the database's own mode. A file an older version left 0644 is narrowed.
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            if path.with_name(path.name + suffix).exists():
                private_file(path.with_name(path.name + suffix))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class DatabaseMissing(UsageError):
    """The configured database, or its schema, does not exist; ``siloscope migrate`` creates it."""


def require_schema(engine: Engine) -> None:
    """Raise :class:`DatabaseMissing` unless the database exists with a Siloscope schema.

    An unreachable server raises ``OperationalError`` as before (an outage, not a missing one).
    """
    path = sqlite_file(engine)
    where = str(path) if path is not None else repr(engine.url)
    fix = "restore it, or create it with `siloscope migrate` (`make setup` runs it)"
    if path is not None and not path.exists():
        folder = "" if path.parent.is_dir() else f" (its folder {path.parent} is missing: unmounted or deleted?)"
        raise DatabaseMissing(f"the database {where} does not exist{folder}; {fix}")
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            raise DatabaseMissing(f"the database {where} has no Siloscope schema; {fix}")


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL per process, on an existing database upgraded to the newest schema."""
    engine = make_engine(url)
    require_schema(engine)
    migrate(engine)
    return engine


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False, class_=Session)
