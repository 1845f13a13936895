"""What only a real PostgreSQL (and Redis) can show: the store on the servers a deployment uses.

The rest of the store's tests run here too with ``--postgres`` (``make test-postgres``).
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.launcher import rasa_python
from bot.settings import PROJECT_ROOT, get_settings
from bot.store.db import engine_for
from bot.store.models import FeedbackResponse
from tests.support import migrated
from tests.support.database import db_session
from tests.support.servers import PostgresServer, RedisServer

REF = ConversationRef(key="pg-1", sender_id="pg-1", customer_ref="C-1", touchpoint="delivery", channel="web")


@pytest.fixture
def postgres_database(postgres_server: PostgresServer, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = migrated(postgres_server.create_database("store"))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SILOSCOPE_VAR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    engine_for(url).dispose()
    postgres_server.drop_database(url)


def test_a_nul_byte_postgresql_refuses_is_cleaned_at_the_door_and_the_answer_is_stored(
    postgres_database: str,
) -> None:
    """PostgreSQL refuses NUL in text; the door removes it, so the answer is kept, never dead-lettered.

    (A record that still reaches the spool with one, e.g. from an older release, is set aside:
    tests/faults/test_spool_poison.py.)
    """
    service = get_feedback_service()
    service.record(REF, Answers(text="late again\x00 start to finish a mess"))
    service.record(REF, Answers(score=2))
    assert not service.spool.dead_letters() and not service.spool.pending()
    with db_session(postgres_database) as session:
        [(text, score)] = session.execute(select(FeedbackResponse.text, FeedbackResponse.score)).all()
    assert "\x00" not in text and text.startswith("late again") and text.endswith("start to finish a mess")
    assert score == 2


LOCK_HOLDER = """
import asyncio, sys, time
from rasa.core.lock_store import RedisLockStore
from rasa_server import lock_store

lock_store.install()  # as rasa_server.main does in every Rasa process

async def main():
    store = RedisLockStore(host="127.0.0.1", port=int(sys.argv[1]), db=0)
    async with store.lock("one-conversation", wait_time_in_seconds=0.05):
        print(f"in {time.monotonic():.3f}", flush=True)
        await asyncio.sleep(0.5)
        print(f"out {time.monotonic():.3f}", flush=True)

asyncio.run(main())
"""


def test_rasas_redis_lock_store_serves_one_conversation_at_a_time_across_processes(
    redis_server: RedisServer,
) -> None:
    """The lock store several Rasa processes share: two turns of one conversation never overlap."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    command = [rasa_python(), "-c", LOCK_HOLDER, str(redis_server.port)]  # Rasa runs in its own environment
    holders = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) for _ in range(3)]
    spans = []
    for holder in holders:
        out, _ = holder.communicate(timeout=120)
        assert holder.returncode == 0
        times = dict(line.split() for line in out.splitlines())
        spans.append((float(times["in"]), float(times["out"])))
    spans.sort()
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans)), spans
