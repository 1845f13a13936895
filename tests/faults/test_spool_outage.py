"""Several writer processes while the database is away, then back: nothing lost, nothing twice.

The finding this proves fixed: two action servers, database down, 20 customers; the spool was
rewritten from a stale snapshot without a lock and 8 of 112 operations were lost, 6 responses
stuck partial. Here three writers (as three action servers on one host) share the spool; the
database goes away before they start and comes back while they are still writing, so replays
and appends from different processes overlap.
"""

from __future__ import annotations

import time

from bot.feedback import get_feedback_service
from tests.faults.spool_harness import Writers, check_stored, wait_until

WRITERS = 3
CUSTOMERS = 8  # each: score, complaint, effort, finish -> 3 x 8 x 4 = 96 operations


def test_concurrent_writers_lose_nothing_across_an_outage(writers: Writers) -> None:
    writers.database.down()
    started = time.monotonic()
    writers.start(WRITERS, CUSTOMERS, pause=0.1)
    # The outage lasts until every writer has spooled something (they share one spool).
    wait_until(lambda: len({r["key"].split("-")[0] for r in writers.accepted()}) == WRITERS, 120,
               "every writer has had an answer accepted during the outage")
    assert writers.spool.pending(), "the answers accepted during the outage must be in the spool"
    writers.database.up()
    back = time.monotonic()
    assert writers.running(), "the database must come back while the writers are still writing"
    writers.wait()
    get_feedback_service().replay_spool()  # anything spooled in the last instant of the outage

    tally = check_stored(writers.database.url, writers.accepted())
    print(f"\nspool outage ({writers.database.__class__.__name__}): {WRITERS} writers, sent {tally.sent}, "
          f"accepted {tally.accepted}, stored {tally.stored}, lost {tally.lost}, duplicated {tally.duplicated}; "
          f"outage {back - started:.1f}s, all written {time.monotonic() - back:.1f}s after it ended")
    assert tally.sent == WRITERS * CUSTOMERS * 4
    assert tally.accepted == tally.sent, "a spool on a healthy disk keeps every answer"
    assert (tally.lost, tally.duplicated) == (0, 0)
    assert tally.stored == tally.accepted
    assert not writers.spool.pending()
    assert writers.spool.dead_letters() == []
