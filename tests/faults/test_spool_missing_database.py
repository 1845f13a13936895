"""A configured database that has gone missing is refused loudly, never replaced by a new empty one.

The finding: a server started while the database directory was missing created a new empty
database and wrote there silently. Now only ``siloscope migrate`` creates a database; a writer
process (as the action server) keeps the answers in the spool with a critical log line naming
the path and the fix, and they reach the real database once it is back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.cli import main
from bot.settings import PROJECT_ROOT, get_settings
from bot.store.db import make_engine
from bot.store.spool import Spool
from tests.faults.spool_harness import check_stored, count_responses
from tests.support import migrated
from tests.support.servers import PostgresServer


def write(url: str, var: Path, folder: Path, name: str) -> tuple[subprocess.CompletedProcess, Path]:
    """One writer process, one customer (four operations)."""
    accepted = folder / f"accepted-{name}.jsonl"
    env = {**os.environ, "DATABASE_URL": url, "SILOSCOPE_VAR": str(var), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.spool_writer", "--writer", name, "--customers", "1",
         "--accepted", str(accepted), "--pause", "0"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done, accepted


def test_a_missing_database_folder_is_refused_and_its_answers_wait_in_the_spool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "volume"
    url = migrated(f"sqlite:///{folder / 'siloscope.db'}")
    folder.rename(tmp_path / "volume.unmounted")
    var = tmp_path / "var"

    done, accepted = write(url, var, tmp_path, "w0")
    assert not folder.exists(), "no new database (nor its folder) may be created where the real one went missing"
    assert "CRITICAL" in done.stderr and f"{folder} is missing" in done.stderr and "siloscope migrate" in done.stderr
    assert Spool(var / "spool" / "feedback.jsonl").pending()

    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    assert main(["report"]) == 2  # a reader is refused with the same message, in one line
    err = capsys.readouterr().err.strip()
    assert err.startswith("siloscope report: the database") and "does not exist" in err and "\n" not in err
    get_settings.cache_clear()

    (tmp_path / "volume.unmounted").rename(folder)  # the volume is back
    write(url, var, tmp_path, "w1")
    rows = [line for path in (accepted, tmp_path / "accepted-w1.jsonl") for line in path.read_text().splitlines()]
    tally = check_stored(url, [json.loads(line) for line in rows])
    assert (tally.accepted, tally.stored, tally.lost, tally.duplicated) == (8, 8, 0, 0)
    assert count_responses(url) == 2


def test_an_empty_postgresql_database_gets_no_schema_from_a_server(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database("empty")  # e.g. recreated by hand after a mistaken DROP
    try:
        done, _ = write(url, tmp_path / "var", tmp_path, "w0")
        assert "has no Siloscope schema" in done.stderr
        engine = make_engine(url)
        assert inspect(engine).get_table_names() == [], "only `siloscope migrate` creates the schema"
        engine.dispose()
    finally:
        postgres_server.drop_database(url)
