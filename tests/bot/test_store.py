"""The schema: created and upgraded by Alembic, and always in step with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.cli import main
from bot.store.db import make_engine, migrate
from bot.store.models import Base


def test_migrate_creates_every_table_and_is_safe_to_repeat(tmp_database: str, capsys) -> None:
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    tables = set(inspect(make_engine(tmp_database)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_the_migrations_match_the_models(tmp_database: str) -> None:
    """A model changed without a migration would fail here, not in production."""
    engine = make_engine(tmp_database)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrate_reports_an_unreachable_database_in_one_line(monkeypatch, capsys) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2")
    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert err.startswith("siloscope migrate: cannot reach the database") and "\n" not in err
