"""Alembic environment: runs on the connection handed over by ``bot.store.db.migrate``."""

from __future__ import annotations

from alembic import context

from bot.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from bot.settings import get_settings
    from bot.store.db import make_engine

    connection = make_engine(get_settings().database_url).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
