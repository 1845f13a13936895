"""A pooled SQLite connection must not outlive its file.

An open SQLite connection keeps writing to the file it opened, by inode, whatever happens to the path:
after the file is deleted, or replaced by a restored backup (``mv backup.db siloscope.db``), every
pooled connection of a running process would go on committing into the old, unlinked file, and each
answer it accepted from then on would be lost when the process ends. So each connection remembers the
file (device and inode) it opened; when it is checked out of the pool and the path is no longer that
file, it is discarded and a new one is opened on the path as it is now: the restored file, or, when the
path is gone, none at all (``mode=rw`` never creates a file), so the write fails loudly and the answer
waits in the spool. One ``stat`` per checkout.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

FILE_KEY = "siloscope_sqlite_file"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a file-based SQLite database, else None."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    return Path(database).resolve()


def bind_to_existing_file(engine: Engine, path: Path) -> None:
    """Open only an existing ``path`` (never create one) and drop pooled connections to a file it no longer is."""
    existing_only = f"file:{urllib.parse.quote(str(path))}?mode=rw"

    @event.listens_for(engine, "do_connect")
    def _existing_file_only(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        # SQLite would otherwise create an empty file wherever the real one went missing.
        cargs[0] = existing_only
        cparams["uri"] = True

    @event.listens_for(engine, "connect")
    def _remember_file(_dbapi_connection: Any, record: Any) -> None:
        record.info[FILE_KEY] = _identity(path)

    @event.listens_for(engine, "checkout")
    def _still_that_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(FILE_KEY) != _identity(path):
            raise DisconnectionError(f"the database file {path} was deleted or replaced under this connection")
