"""What the spool fault tests share: a database that can be taken away and brought back, writer
processes, and the check that every accepted answer is in the database exactly once and complete.

Imported by the ``test_spool_*`` modules (fixtures included), so it holds no tests of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.settings import PROJECT_ROOT, get_settings
from bot.store.db import engine_for
from bot.store.models import Conversation, FeedbackResponse
from bot.store.spool import Spool
from tests.faults.spool_writer import answers_of, complaint
from tests.support import migrated
from tests.support.database import count, db_session
from tests.support.servers import PostgresServer

WRITER_TIMEOUT = 240  # seconds for every writer process together


class Database:
    """The configured database, which a test can take away (an outage) and bring back."""

    url: str

    def down(self) -> None:
        raise NotImplementedError

    def up(self) -> None:
        raise NotImplementedError


class SqliteDatabase(Database):
    """Away = its folder renamed (an unmounted volume); the servers must not create a new one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = migrated(f"sqlite:///{folder / 'siloscope.db'}")

    def down(self) -> None:
        self.folder.rename(self.folder.with_name(self.folder.name + ".away"))

    def up(self) -> None:
        self.folder.with_name(self.folder.name + ".away").rename(self.folder)


class PostgresDatabase(Database):
    """Away = the PostgreSQL server stopped (connections refused), then started on the same port."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self.url = migrated(server.create_database("outage"))

    def down(self) -> None:
        self.server.stop("immediate")

    def up(self) -> None:
        self.server.start()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield SqliteDatabase(tmp_path / "db")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    db = PostgresDatabase(server)
    yield db
    if not server.running():
        server.start()
    engine_for.cache_clear()
    server.drop_database(db.url)


@dataclass
class Writers:
    """Writer processes sharing one spool (``var``), as several action servers on one host do."""

    database: Database
    var: Path
    folder: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database.url, "SILOSCOPE_VAR": str(self.var),
                "PYTHONPATH": str(PROJECT_ROOT)}  # fmt: skip

    def start(self, count: int, customers: int, pause: float = 0.05) -> None:
        for number in range(len(self.processes), len(self.processes) + count):
            log = (self.folder / f"writer-{number}.log").open("wb")
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "tests.faults.spool_writer", "--writer", f"w{number}",
                 "--customers", str(customers), "--accepted", str(self.folder / f"accepted-{number}.jsonl"),
                 "--pause", str(pause)],
                cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            ))  # fmt: skip

    def running(self) -> int:
        return sum(process.poll() is None for process in self.processes)

    def wait(self) -> None:
        deadline = time.monotonic() + WRITER_TIMEOUT
        for process in self.processes:
            try:
                process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                raise AssertionError(f"a writer did not finish within {WRITER_TIMEOUT}s: {self.logs()}") from None
        failed = [p.args for p in self.processes if p.returncode != 0]
        assert not failed, f"writers failed: {self.logs()}"

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.folder.glob("writer-*.log")))

    def accepted(self) -> list[dict]:
        rows: list[dict] = []
        for path in sorted(self.folder.glob("accepted-*.jsonl")):
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return rows

    @property
    def spool(self) -> Spool:
        return Spool(self.var / "spool" / "feedback.jsonl")


@pytest.fixture
def writers(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Writers]:
    var = tmp_path / "var"
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("SILOSCOPE_VAR", str(var))
    get_settings.cache_clear()
    group = Writers(database, var, tmp_path)
    yield group
    for process in group.processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    get_settings.cache_clear()


def wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting until {what}"
        time.sleep(0.05)


@dataclass(frozen=True)
class Tally:
    sent: int
    accepted: int
    stored: int
    lost: int
    duplicated: int


def check_stored(url: str, accepted: list[dict]) -> Tally:
    """Every accepted operation's value is in the database; one conversation and response per customer."""
    kept = [row for row in accepted if row["kept"]]
    expected: dict[str, dict] = {}
    for row in kept:
        ops = answers_of(row["key"], row["number"])
        op, answers = ops[row["step"]]
        fields = expected.setdefault(row["key"], {})
        if op == "finish":
            fields["status"] = "complete"
        else:
            fields.update({name: value for name, value in vars(answers).items() if value is not None})
    with db_session(url) as session:
        conversations = Counter(session.execute(select(Conversation.key)).scalars())
        responses = Counter(
            session.execute(select(Conversation.key).join(FeedbackResponse, FeedbackResponse.conversation_id
                                                          == Conversation.id)).scalars()
        )  # fmt: skip
        stored_rows = {
            key: response
            for key, response in session.execute(
                select(Conversation.key, FeedbackResponse).join(
                    FeedbackResponse, FeedbackResponse.conversation_id == Conversation.id
                )
            )
        }
    lost = 0
    for key, fields in expected.items():
        response = stored_rows.get(key)
        for name, value in fields.items():
            if response is None or getattr(response, name) != value:
                lost += 1
    duplicated = sum(n - 1 for n in conversations.values() if n > 1) + sum(n - 1 for n in responses.values() if n > 1)
    stored = sum(1 for row in kept if row["key"] in stored_rows)
    return Tally(sent=len(accepted), accepted=len(kept), stored=stored, lost=lost, duplicated=duplicated)


def count_responses(url: str) -> int:
    return count(url, FeedbackResponse)


__all__ = ["Database", "Tally", "Writers", "check_stored", "complaint", "count_responses", "database", "wait_until",
           "writers"]
