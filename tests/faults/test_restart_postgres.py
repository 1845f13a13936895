"""The production layout under faults: feedback and Rasa's tracker store on PostgreSQL, locks on Redis.

Real servers from Debian's packages on 127.0.0.1 (``tests/support/servers.py``); run with
``--postgres`` (``make test-postgres``). kill -9 Rasa mid-survey: the customer goes on into the
same response. PostgreSQL stopped mid-survey, then started: the answer sent meanwhile is refused
with "send it again" at the callback door and in the website widget's socket.io session (Rasa 3.6
would have answered it as the first message of a new, empty conversation, or said nothing),
nothing is thanked for, and once the customer sends it again every answer is
stored exactly once in one complete response.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.faults.restarts import (
    FaultStack,
    assert_stored_once,
    running_fault_stack,
    survey_survives_a_rasa_kill,
    texts,
)
from tests.support import migrated
from tests.support.servers import PostgresServer, RedisServer
from tests.support.visitor import Visitor

pytestmark = pytest.mark.e2e
SEND_AGAIN = "send it again"


@pytest.fixture(scope="module")
def postgres_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FaultStack, PostgresServer]]:
    if not request.config.getoption("--postgres"):
        pytest.skip("the PostgreSQL/Redis stack runs with --postgres (make test-postgres)")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    redis: RedisServer = request.getfixturevalue("redis_server")
    feedback = migrated(server.create_database("stack"))
    tracker = server.create_database("tracker")  # Rasa creates its own table there
    try:
        with running_fault_stack(tmp_path_factory.mktemp("pg-fault-var"), DATABASE_URL=feedback,
                                 SILOSCOPE_TRACKER_STORE_URL=tracker,
                                 SILOSCOPE_LOCK_STORE_URL=redis.url) as stack:  # fmt: skip
            yield stack, server
    finally:
        if not server.running():
            server.start()
        server.drop_database(feedback)
        server.drop_database(tracker)


def test_rasa_killed_mid_survey_goes_on_from_the_postgresql_tracker_store(postgres_stack) -> None:
    stack, _ = postgres_stack
    endpoints = (stack.stack.config.run_dir / "endpoints.yml").read_text()
    assert "postgresql" in endpoints and "type: redis" in endpoints, endpoints
    recovery = survey_survives_a_rasa_kill(stack)
    print(f"\n[figures] kill -9 rasa (PostgreSQL tracker store, Redis lock store): answers sent 6, stored 6, "
          f"lost 0, duplicated 0; Rasa back after {recovery:.1f}s")


def test_postgresql_stopped_mid_survey_asks_to_send_again_and_keeps_every_answer_once(postgres_stack) -> None:
    stack, server = postgres_stack
    customer, sender, first = stack.survey("delivery", order_id="R-1234")
    assert first, "the survey did not start"
    assert "wrong" in texts(stack.say(sender, "1"))
    assert "differently" in texts(stack.say(sender, "The refund took five weeks."))
    before = len(stack.callback.to(sender))
    visitor = Visitor(stack.stack.config.rasa_url)  # a widget visitor, connected before the outage
    visitor.ask_session()

    server.stop("immediate")  # a crash: connections refused until it is started again
    down = time.monotonic()
    probe = "Refund within a week, as promised."
    refused = stack.answer_by_callback(sender, probe)
    assert refused.status_code == 503, f"{refused.status_code} {refused.text}: the gateway would count it taken"
    assert refused.json()["reason"] == "not_taken" and SEND_AGAIN in refused.json()["message"].lower()
    try:
        told = texts(visitor.send("The parcel never came."))
    finally:
        visitor.close()
    assert SEND_AGAIN in told.lower(), f"the widget visitor was told {told!r}, not to send it again"
    time.sleep(2)
    assert stack.callback.to(sender)[before:] == [], "the customer got an answer to a message that was not taken"

    server.start()
    back = time.monotonic()
    attempts = 1
    while (answer := stack.answer_by_callback(sender, probe)).status_code == 503:
        attempts += 1  # the first connections after the restart may still be the dead ones
        assert time.monotonic() - back < 60, f"still refused a minute after PostgreSQL came back: {answer.text}"
        time.sleep(1)
    answer.raise_for_status()
    taken_after = time.monotonic() - back
    deadline = time.monotonic() + 30
    while len(stack.callback.to(sender)) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "easy" in texts(stack.callback.to(sender)[before:]), "the survey did not go on at the same question"
    assert "first time" in texts(stack.say(sender, "2"))
    assert "how many" in texts(stack.say(sender, "no"))
    assert "thank" in texts(stack.say(sender, "3"))
    assert_stored_once(
        stack.database_url, customer, sender,
        {"score": 1, "effort": 2, "contact_count": 3, "text": "The refund took five weeks.", "probe_text": probe},
        touchpoint="delivery", order_id="R-1234",
    )
    print(f"\n[figures] PostgreSQL stopped mid-survey ({back - down:.1f}s): answers sent {6 + attempts}, "
          f"refused with send-again {attempts}, stored 6, lost 0, duplicated 0; taken {taken_after:.1f}s "
          f"after PostgreSQL was back")
