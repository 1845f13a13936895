"""``siloscope migrate``: create or upgrade the database schema (``make setup`` runs it)."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError

from bot.errors import UsageError
from bot.settings import get_settings
from bot.store.db import make_engine, migrate


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Create the database named by DATABASE_URL (default $SILOSCOPE_VAR/siloscope.db), or upgrade its "
        "schema to this version's. Safe to run again: an up-to-date database is left as it is."
    )
    parser.set_defaults(handler=run)


def run(_args: argparse.Namespace) -> int:
    url = get_settings().database_url
    engine = make_engine(url)
    try:
        migrate(engine)
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # drivers write several lines; a user wants one
        raise UsageError(f"cannot reach the database at {engine.url!r}: {reason}") from None
    print(f"database schema is up to date ({engine.url!r})")
    return 0
