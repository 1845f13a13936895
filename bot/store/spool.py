"""A local append-only file that holds feedback while the database cannot be reached.

Accepted feedback is never lost: when a write fails because the database is down, the
operation is written here, and replayed in order by the next write that succeeds.

Several processes (action servers, workers) share one spool, so every change to it happens
under an exclusive ``flock`` on a lock file beside it that is never replaced: an append is one
``write`` of one whole line plus ``fsync``; a replay holds the lock from reading to removing
what it applied, so nothing appended meanwhile is overwritten, and a later turn of the same
conversation (which may reach another process) waits behind the spooled ones instead of
overtaking them. A record that can never be applied (bad data, an unreadable line) goes to a
dead-letter file with the reason and never blocks the records after it. A background replay
(``bot.store.replayer``) does not wait for the lock: whoever holds it is replaying or appending
already, so one replayer at a time is enough.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Record = dict[str, Any]


class SpoolWriteError(OSError):
    """The spool (or its dead-letter file) could not be written: the operation is not kept."""


class Transient(Exception):
    """Raised by a replay's ``apply`` when a record may succeed later (the database is away)."""


class SpoolBusy(Exception):
    """Another writer or replayer holds the spool's lock (only raised when not waiting for it)."""


class Spool:
    """``path`` holds pending operations (JSON lines); ``<name>.dead.jsonl`` the ones given up."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.dead_path = path.with_name(path.stem + ".dead.jsonl")

    # -- locking and raw file operations ---------------------------------------------------
    @contextmanager
    def _locked(self, wait: bool = True) -> Iterator[None]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SpoolBusy(str(self.lock_path)) from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @staticmethod
    def _append_line(path: Path, line: str) -> None:
        """One whole line at the end of ``path``, on disk before returning; nothing half-written."""
        data = (line + "\n").encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)  # customers' words: a file an older version left 0644 is narrowed
            start = os.fstat(fd).st_size
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(errno.ENOSPC, "short write (disk full?)", str(path))
                os.fsync(fd)
            except OSError as exc:
                os.ftruncate(fd, start)  # a torn line would spoil the next record too
                raise SpoolWriteError(exc.errno, f"cannot write {path}: {exc.strerror}") from exc
        finally:
            os.close(fd)
        if start == 0:
            _fsync_dir(path.parent)

    # -- the public operations -------------------------------------------------------------
    def append(self, record: Record) -> None:
        """Keep one operation; raises :class:`SpoolWriteError` (disk full, read-only) when it cannot."""
        line = json.dumps(record, ensure_ascii=False)
        try:
            with self._locked():
                self._append_line(self.path, line)
        except SpoolWriteError:
            raise
        except OSError as exc:  # the folder or lock file cannot even be created
            raise SpoolWriteError(exc.errno, f"cannot write {self.path}: {exc.strerror}") from exc

    def pending(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def dead_letters(self) -> list[Record]:
        """Every record given up, with its reason (for an operator, and for tests)."""
        if not self.dead_path.exists():
            return []
        return [json.loads(line) for line in self.dead_path.read_text(encoding="utf-8").splitlines() if line]

    def dead_letter(self, record: Record | str, reason: str) -> None:
        """Set a record aside for an operator; raises :class:`SpoolWriteError` when it cannot be kept."""
        with self._locked():
            self._set_aside(record, reason)

    def replay(self, apply: Callable[[Record], None], wait: bool = True) -> int:
        """Apply the spooled records in order; returns how many were applied or set aside.

        ``apply`` raises :class:`Transient` when the database is away: replay stops there and
        keeps that record and the rest, and re-raises. Any other exception means the record can
        never be applied: it goes to the dead-letter file and replay goes on. With ``wait=False``
        a lock held by another process or thread raises :class:`SpoolBusy` instead of waiting.
        """
        if not self.pending():
            return 0
        started = time.monotonic()
        with self._locked(wait):
            try:
                lines = self.path.read_bytes().decode("utf-8", errors="replace").splitlines()
            except FileNotFoundError:
                return 0
            done = 0
            try:
                for line in lines:
                    self._replay_line(line, apply)
                    done += 1
            finally:
                if done:
                    self._keep(lines[done:])
                    log.info("replayed %d spooled feedback operations in %.2fs", done, time.monotonic() - started)
        return done

    def discard(self, drop: Callable[[Record], bool]) -> int:
        """Remove the records ``drop`` picks from the spool and its dead letters (a customer's erasure).

        Dead letters are matched on the record they hold; an unreadable line is kept. Returns how many went.
        """
        removed = 0
        with self._locked():
            for path, pick in ((self.path, drop), (self.dead_path, lambda entry: drop(entry.get("record") or {}))):
                try:
                    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
                except FileNotFoundError:
                    continue
                kept = [line for line in lines if not _picked(line, pick)]
                if len(kept) != len(lines):
                    removed += len(lines) - len(kept)
                    Spool(path)._keep(kept)
        return removed

    # -- replay's pieces -------------------------------------------------------------------
    def _replay_line(self, line: str, apply: Callable[[Record], None]) -> None:
        if not line.strip():
            return
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            self._set_aside(line, f"unreadable spool line: {exc}")
            return
        try:
            apply(record)
        except Transient:
            raise
        except Exception as exc:
            self._set_aside(record, f"{type(exc).__name__}: {' '.join(str(exc).split())[:500]}")

    def _set_aside(self, record: Record | str, reason: str) -> None:
        """Dead-letter while the lock is held (``dead_letter`` would take it again)."""
        entry = {
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "reason": reason,
            **({"record": record} if isinstance(record, dict) else {"line": record}),
        }
        self._append_line(self.dead_path, json.dumps(entry, ensure_ascii=False))
        log.error("feedback operation set aside in %s: %s", self.dead_path, reason)

    def _keep(self, rest: list[str]) -> None:
        """Leave only ``rest`` in the spool (the lock is held, so no append is in between)."""
        if not rest:
            with self.path.open("r+b") as handle:  # emptying needs no free space
                handle.truncate(0)
                os.fsync(handle.fileno())
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
                handle.write("".join(f"{line}\n" for line in rest).encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            tmp.replace(self.path)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            # The spool is unchanged: the records applied will be applied again (idempotent).
            tmp.unlink(missing_ok=True)
            log.error("could not shorten the spool %s (%s); applied records stay and will be re-applied",
                      self.path, exc.strerror)


def _picked(line: str, pick: Callable[[Record], bool]) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and pick(record)


def _fsync_dir(path: Path) -> None:
    """Make a new or renamed file's directory entry durable too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
