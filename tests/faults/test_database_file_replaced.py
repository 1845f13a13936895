"""A running writer whose SQLite file is deleted or replaced (a backup restored with ``mv``) loses nothing.

The finding: pooled connections keep the file they opened. After the path was deleted, a running
process went on committing answers into the unlinked file, reporting success, and they vanished with
it; after a backup was moved into place, its answers went to the old file, not the restored one. Now a
connection whose path is no longer its file is dropped at checkout (``bot/store/sqlite_file.py``).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bot.feedback import Answers, ConversationRef, get_feedback_service


def _answer(key: str) -> None:
    ref = ConversationRef(key=key, sender_id=f"s-{key}", customer_ref=f"C-{key}", touchpoint="delivery", channel="web")
    get_feedback_service().record(ref, Answers(score=2, text=f"my parcel {key} came late"))


def _stored(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT c.key FROM feedback_responses r JOIN conversations c "
                                  "ON c.id = r.conversation_id ORDER BY c.key").fetchall()
    return [key for (key,) in rows]


def _delete_wal(path: Path) -> None:
    for name in (f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)


def _restore(backup: Path, path: Path) -> None:
    """How an operator restores a SQLite backup: move it into place; the old -wal and -shm belong to the old file."""
    shutil.move(backup, path)
    _delete_wal(path)


def _backup(path: Path, to: Path) -> None:
    """A consistent copy of the live database (WAL included), as an operator's backup tool makes."""
    with sqlite3.connect(path) as source, sqlite3.connect(to) as target:
        source.backup(target)


def _database_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def test_answers_given_while_the_file_is_gone_wait_in_the_spool_and_reach_it_when_restored(
    tmp_database: str, tmp_path: Path
) -> None:
    path = _database_file(tmp_database)
    _answer("a")
    _backup(path, tmp_path / "backup.db")
    path.unlink()
    _delete_wal(path)

    _answer("b")  # accepted: it must not go into the deleted file
    assert not path.exists(), "no new, empty database may be created where the real one went missing"
    assert (tmp_path / "var" / "spool" / "feedback.jsonl").read_text(encoding="utf-8").count('"key": "b"') == 1

    _restore(tmp_path / "backup.db", path)
    _answer("c")  # replays the spool first
    assert _stored(path) == ["a", "b", "c"]


def test_after_a_backup_is_moved_into_place_answers_go_to_the_restored_file(
    tmp_database: str, tmp_path: Path
) -> None:
    path = _database_file(tmp_database)
    _answer("a")
    _backup(path, tmp_path / "backup.db")
    _answer("b")  # in the live file, which the restore then throws away: the operator's choice
    _restore(tmp_path / "backup.db", path)

    _answer("c")
    assert _stored(path) == ["a", "c"]
