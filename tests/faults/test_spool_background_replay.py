"""Answers spooled during an outage reach the database when it is back, although nobody writes again.

The finding: the spool was replayed only by the next write. After an outage at night the answers
kept in ``var/spool`` stayed out of every report until the next customer answered. Here writer
processes (as action servers) spool every answer while the database is away and exit; then the
database comes back and only two real action servers run (``servers.action_server``, as the
launcher starts them, sharing the spool): nobody writes, yet everything is stored, once, within
the replay interval.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.settings import PROJECT_ROOT
from bot.store.replayer import INTERVAL_VARIABLE
from bot.tokens import ACTIONS_TOKEN_ENV
from tests.faults.spool_harness import Writers, check_stored, count_responses, wait_until
from tests.support import free_port, stop_process

INTERVAL = 2.0
BOUND = 60.0  # the interval, plus the replay of every record (sentiment, attribution) on a loaded machine
WRITERS, CUSTOMERS = 2, 3


@pytest.fixture
def action_servers(writers: Writers) -> Iterator[list[subprocess.Popen]]:
    """Two action servers on one host sharing the spool, as ``siloscope run`` with more workers."""
    env = {**writers.env, ACTIONS_TOKEN_ENV: "replay-test-token", INTERVAL_VARIABLE: str(INTERVAL)}
    started: list[subprocess.Popen] = []
    ports = [free_port(), free_port()]
    for number, port in enumerate(ports):
        log = (writers.folder / f"actions-{number}.log").open("wb")
        started.append(subprocess.Popen(
            [sys.executable, "-m", "servers.action_server", "--host", "127.0.0.1", "--port", str(port),
             "--actions", "actions"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        ))  # fmt: skip
    try:
        for process, port in zip(started, ports, strict=True):
            wait_until(lambda p=port: _healthy(p), 180, f"the action server on {port} answers")
            assert process.poll() is None
        yield started
    finally:
        for process in started:
            stop_process(process)


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok
    except requests.RequestException:
        return False


def test_spooled_answers_are_stored_after_an_outage_without_a_new_answer(
    writers: Writers, request: pytest.FixtureRequest
) -> None:
    writers.database.down()
    writers.start(WRITERS, CUSTOMERS, pause=0)
    writers.wait()  # every writer has finished: from here on nobody writes
    accepted = writers.accepted()
    assert accepted and all(row["kept"] for row in accepted), "the spool keeps every answer during the outage"
    assert writers.spool.pending()

    servers = request.getfixturevalue("action_servers")
    time.sleep(INTERVAL * 2)  # the servers' replayers find the database away and keep everything
    assert writers.spool.pending(), "nothing may leave the spool while the database is away"

    writers.database.up()
    back = time.monotonic()
    wait_until(lambda: not writers.spool.pending(), BOUND, "the background replay has emptied the spool")
    stored_after = time.monotonic() - back

    tally = check_stored(writers.database.url, accepted)
    assert (tally.accepted, tally.stored, tally.lost, tally.duplicated) == (WRITERS * CUSTOMERS * 4,) * 2 + (0, 0)
    assert count_responses(writers.database.url) == WRITERS * CUSTOMERS
    assert writers.spool.dead_letters() == []
    assert all(server.poll() is None for server in servers)
    print(f"\n[figures] background replay ({writers.database.__class__.__name__}): sent {tally.sent}, "
          f"accepted {tally.accepted}, stored {tally.stored}, lost {tally.lost}, duplicated {tally.duplicated}; "
          f"stored {stored_after:.1f}s after the database came back, with no new answer (interval {INTERVAL:.0f}s)")


def test_a_bad_replay_interval_is_refused_before_the_action_server_starts(tmp_path: Path) -> None:
    env = {**os.environ, ACTIONS_TOKEN_ENV: "t", INTERVAL_VARIABLE: "soon", "SILOSCOPE_VAR": str(tmp_path),
           "PYTHONPATH": str(PROJECT_ROOT)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "servers.action_server", "--port", str(free_port())],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"{INTERVAL_VARIABLE} must be a number of seconds" in done.stderr
