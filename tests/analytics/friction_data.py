"""A small store whose every metric was computed by hand (see the table in test_report_metrics.py).

Shared by the report tests and the dashboard tests, so both doors are checked on the same answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.store.db import engine_for
from bot.store.models import Attribution, Conversation, FeedbackResponse, Handoff

SCRIPT_QUOTE = "Parcel was late <script>alert('x')</script> & nobody called"

# (created_at UTC, primary_silo, touchpoint, channel, score, effort, contacts, sentiment label, score, text)
RESPONSES = [
    # current window (2026-03-14 .. 2026-03-20, UTC)
    ("2026-03-15 10:00:00", "delivery", "delivery", "web", 1, 2, 3, "negative", -0.8, SCRIPT_QUOTE),
    ("2026-03-16 09:00:00", "delivery", "delivery", "email", 2, 5, 1, "negative", -0.4, "Courier left it outside"),
    ("2026-03-17 12:00:00", "delivery", "delivery", "web", 4, 6, 1, "positive", 0.5, "Driver was friendly"),
    ("2026-03-20 23:59:59", "delivery", "delivery", "web", 5, None, None, None, None, None),
    ("2026-03-18 08:00:00", "finance", "invoice", "email", 3, 4, 2, "neutral", 0.0, "Invoice was unclear"),
    ("2026-03-19 14:00:00", "finance", "invoice", "web", 5, 7, 1, "positive", 0.6, "Refund came fast"),
    ("2026-03-14 00:00:00", None, "support", "web", 4, None, None, None, None, None),
    # previous window (2026-03-07 .. 2026-03-13)
    ("2026-03-08 10:00:00", "delivery", "delivery", "web", 5, 7, 1, "positive", 0.7, "Great delivery"),
    ("2026-03-13 23:30:00", "delivery", "delivery", "web", 4, 6, 1, "positive", 0.3, "On time"),
    # outside both windows
    ("2026-03-06 23:59:59", "delivery", "delivery", "web", 1, 1, 5, "negative", -0.9, "Old complaint"),
    ("2026-03-21 00:00:00", "delivery", "delivery", "web", 1, 1, 5, "negative", -0.9, "Too new"),
]
# response index -> [(rank, silo, label)]
ATTRIBUTIONS = {
    0: [(1, "delivery", "negative"), (2, "finance", "negative")],
    1: [(1, "delivery", "negative")],
    2: [(1, "delivery", "positive")],
    4: [(1, "finance", "neutral")],
    5: [(1, "finance", "positive")],
}
HANDOFFS = {0: ("delivery", "finance", -0.6), 1: ("delivery", "finance", -0.2), 4: ("finance", "customer_service", 0.0)}
# What the analysis quoted as the reason for an attribution or a hand-off (shown on a response's page).
EVIDENCE = {0: "Parcel was late", 1: "left it outside"}
HANDOFF_EVIDENCE = {0: "late <b>parcel</b> … nobody called"}



def write_friction_store(url: str) -> list[int]:
    """Writes RESPONSES into the (migrated) database at ``url`` and returns their ids, in order."""
    engine = engine_for(url)
    ids = []
    with Session(engine, future=True) as session, session.begin():
        for index, (created, silo, tp, channel, score, effort, contacts, label, sentiment, text) in enumerate(
                RESPONSES):
            when = datetime.fromisoformat(created)
            conversation = Conversation(key=f"fixture-{index}", sender_id="fixture", touchpoint=tp, channel=channel,
                                        status="completed", started_at=when)
            response = FeedbackResponse(
                conversation=conversation, touchpoint=tp, touchpoint_silo=tp, channel=channel, score=score,
                effort=effort, contact_count=contacts, sentiment_label=label, sentiment_score=sentiment, text=text,
                primary_silo=silo, status="complete", created_at=when,
            )
            for rank, attributed, mood in ATTRIBUTIONS.get(index, []):
                response.attributions.append(Attribution(rank=rank, silo=attributed, confidence=0.8,
                                                         sentiment_label=mood, created_at=when,
                                                         evidence=EVIDENCE.get(index) if rank == 1 else None))
            if index in HANDOFFS:
                source, target, mood_score = HANDOFFS[index]
                response.handoffs.append(Handoff(from_silo=source, to_silo=target, sentiment_score=mood_score,
                                                 created_at=when, evidence=HANDOFF_EVIDENCE.get(index)))
            session.add(response)
            session.flush()
            ids.append(response.id)
    return ids
