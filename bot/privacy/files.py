"""Owner-only files: the database, spool, tokens and inbox hold customers' words and secrets.

Modes are set at creation (``os.open`` with 0600, whatever the umask) and checked again on
files that already exist, since older versions left them 0644. A folder we own is made 0700.
SQLite creates its ``-wal``/``-journal``/``-shm`` files with the database file's own mode,
so a database file made 0600 here keeps them private too.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700


def _restrict(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)
    except PermissionError:  # a folder an operator shares on purpose, owned by someone else
        log.warning("cannot make %s private (mode %o): not its owner", path, mode)


def private_dir(path: Path) -> Path:
    """``path`` created if missing, readable by this user only."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _restrict(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty if missing (mode 0600 from the start), else narrowed to 0600."""
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if not path.exists():
        # An existing file is never opened: closing any descriptor of a SQLite file drops every POSIX lock
        # this process holds on it, a live connection's too (SQLAlchemy 2 keeps them pooled), and another
        # process then resets the WAL index under that connection: SIGBUS, a malformed database.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    _restrict(path, FILE_MODE)
    return path


def open_private(path: Path, mode: str = "a") -> IO[str]:
    """``open(path, mode, encoding="utf-8")`` for writing, the file owner-only even when new."""
    flags = {"a": os.O_WRONLY | os.O_CREAT | os.O_APPEND, "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC}[mode]
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    handle = os.fdopen(os.open(path, flags, FILE_MODE), mode, encoding="utf-8")
    try:
        os.fchmod(handle.fileno(), FILE_MODE)  # an existing file keeps its old mode through os.open
    except PermissionError:
        log.warning("cannot make %s private: not its owner", path)
    return handle


def write_private(path: Path, text: str) -> None:
    """Replace ``path``'s content atomically (temporary file, then rename), owner-only."""
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp, "w") as handle:
        handle.write(text)
    tmp.replace(path)
