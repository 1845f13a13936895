"""Files that hold customers' words or secrets are owner-only: 0600, in a 0700 ``var/``.

Run with the usual umask 022, under which every file used to come out world-readable (0644),
and with files an older version left 0644, which are narrowed when next used.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from bot.feedback import Answers, ConversationRef, FeedbackService
from bot.store.db import engine_for
from bot.store.spool import Spool
from bot.taxonomy import load_taxonomy
from bot.tokens import get_or_create_token
from tests.security.data_support import cli_env, siloscope
from tests.support import WebService


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_cli_makes_var_and_the_default_database_owner_only(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    del env["DATABASE_URL"]  # the default: var/siloscope.db
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    done = siloscope(env, "migrate")
    assert done.returncode == 0, done.stderr
    assert mode(var) == 0o700
    assert mode(var / "siloscope.db") == 0o600


def test_an_old_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    env = cli_env(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{database}"
    assert siloscope(env, "migrate").returncode == 0
    assert mode(database) == 0o600


def test_sqlite_wal_and_shm_files_are_owner_only(tmp_path: Path, tmp_database: str) -> None:
    engine = engine_for(tmp_database)
    with engine.connect() as connection:  # while a connection is open, the -wal and -shm files exist
        connection.execute(text("INSERT INTO customers (ref, opted_out, created_at) VALUES ('C-1', 0, '2026-01-01')"))
        connection.commit()
        database = Path(tmp_database.removeprefix("sqlite:///"))
        side_files = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in side_files)
        assert [mode(p) for p in [database, *side_files]] == [0o600, 0o600, 0o600]


def test_the_spool_is_owner_only_in_an_owner_only_folder(tmp_path: Path) -> None:
    spool_dir = tmp_path / "var" / "spool"
    unreachable = "postgresql://siloscope@127.0.0.1:9/siloscope?connect_timeout=2"  # nothing listens on port 9
    service = FeedbackService(unreachable, load_taxonomy(), Spool(spool_dir / "feedback.jsonl"))
    service.record(ConversationRef(key="k", sender_id="s", customer_ref="C-1"), Answers(text="Nobody called back."))
    assert (spool_dir / "feedback.jsonl").exists()
    assert (mode(spool_dir), mode(spool_dir / "feedback.jsonl")) == (0o700, 0o600)
    (spool_dir / "feedback.jsonl").chmod(0o644)  # as an older version left it
    service.record(ConversationRef(key="k", sender_id="s", customer_ref="C-1"), Answers(score=2))
    assert mode(spool_dir / "feedback.jsonl") == 0o600


def test_tokens_are_owner_only_from_the_first_byte(tmp_database: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SILOSCOPE_TEST_TOKEN", raising=False)
    token = get_or_create_token("SILOSCOPE_TEST_TOKEN", "test_token")
    path = tmp_path / "var" / "test_token"
    assert path.read_text().strip() == token and mode(path) == 0o600
    path.chmod(0o644)
    assert get_or_create_token("SILOSCOPE_TEST_TOKEN", "test_token") == token
    assert mode(path) == 0o600


def test_the_web_service_keeps_its_token_database_and_callback_inbox_owner_only(tmp_path: Path) -> None:
    var = tmp_path / "var"
    migrated = cli_env(tmp_path)
    del migrated["DATABASE_URL"]
    assert siloscope(migrated, "migrate").returncode == 0  # var/siloscope.db, as `make setup` makes it
    env = {"SILOSCOPE_VAR": str(var), "SILOSCOPE_RASA_URL": "http://127.0.0.1:9", "SILOSCOPE_SOCKET_URL": ""}
    web = WebService(env, tmp_path / "web.log", drop=["DATABASE_URL", "SILOSCOPE_DASHBOARD_TOKEN"])
    try:
        reply = requests.post(web.url("/channels/callback"), json={"recipient_id": "C-1", "text": "How did we do?"},
                              timeout=10)
        assert reply.json() == {"status": "delivered"}
        requests.get(web.url("/dashboard"), headers={"Authorization": "Bearer guess"}, timeout=30)  # makes the token
    finally:
        web.stop()
    assert mode(var) == 0o700
    files = {p.name: mode(p) for p in var.iterdir() if p.is_file()}
    assert {"customer_messages.jsonl", "dashboard_token", "siloscope.db"} <= set(files), files
    assert set(files.values()) == {0o600}, files
