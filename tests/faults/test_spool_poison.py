"""A record that can never be applied goes to the dead-letter file and never blocks the others.

The finding: on PostgreSQL a complaint with a NUL byte, spooled during an outage, failed on
every replay and blocked every later write for every customer. The poisoned records here are
put in the spool as an older release (before NUL was normalised at the door), another
version's writer (a field this one does not know) and a crash mid-line would have left them.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.feedback import get_feedback_service
from bot.store.models import Conversation, FeedbackResponse
from tests.faults.spool_harness import PostgresDatabase, Writers, check_stored, wait_until
from tests.support.database import db_session

NUL_COMPLAINT = "late again\x00 start to finish a mess"


def poison(key: str, **ref: object) -> dict:
    return {"op": "record", "ref": {"key": key, "sender_id": key, "customer_ref": None, "touchpoint": "delivery",
                                    "channel": "web", "order_id": None, "ticket_id": None, **ref},
            "data": {"text": NUL_COMPLAINT}}  # fmt: skip


def test_poisoned_records_are_set_aside_and_every_later_write_proceeds(writers: Writers) -> None:
    postgres = isinstance(writers.database, PostgresDatabase)
    writers.database.down()
    spool = writers.spool
    spool.append(poison("nul-byte"))  # PostgreSQL refuses NUL in text; SQLite stores it
    spool.append(poison("other-version", loyalty_tier="gold"))  # a field this release does not know
    spool.path.open("a", encoding="utf-8").write('{"op": "record", "ref": {"key": "torn\n')  # a crash mid-line
    writers.start(2, 4)
    wait_until(lambda: len({r["key"].split("-")[0] for r in writers.accepted()}) == 2, 120,
               "both writers had an answer accepted during the outage")
    writers.database.up()
    writers.wait()
    get_feedback_service().replay_spool()

    tally = check_stored(writers.database.url, writers.accepted())
    assert tally.accepted == tally.sent == 2 * 4 * 4
    assert (tally.lost, tally.duplicated) == (0, 0), "a poisoned record must not block or lose later writes"
    assert not spool.pending()
    dead = spool.dead_letters()
    reasons = {(entry.get("record") or {}).get("ref", {}).get("key", "unreadable"): entry["reason"] for entry in dead}
    # The NUL record is cleaned on replay (bot.privacy.text), so even PostgreSQL stores it.
    assert set(reasons) == {"other-version", "unreadable"}, dead
    assert "loyalty_tier" in reasons["other-version"]
    assert reasons["unreadable"].startswith("unreadable spool line")
    with db_session(writers.database.url) as session:
        stored = session.scalar(select(FeedbackResponse.text).join(Conversation).where(Conversation.key == "nul-byte"))
    assert stored == NUL_COMPLAINT.replace("\x00", ""), (postgres, stored)
    for entry in dead:
        json.dumps(entry)  # every entry is whole JSON an operator's tool can read
