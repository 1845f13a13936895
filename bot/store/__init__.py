"""Persistence: SQLAlchemy models, the engine, migrations and a small repository API."""
