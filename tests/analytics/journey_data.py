"""A small store of customer journeys whose right answers are known by hand.

C-1 buys twice. Cycle 1 (order O-1): purchase (sales, 4), delivery (2, blames delivery then customer
service: a hand-off, 2 contacts), a support chat with no order that asks for a person (1, joins O-1:
the order before it), an invoice nobody answered. Cycle 2 (order O-2, two months later): purchase
(5), delivery (4). C-3 has no orders: support 3 and 2 two days apart (cycle 1), then support 4 two
months later (cycle 2, after the 30-day gap). C-2 opted out. Every time is 2026 UTC.
"""

from __future__ import annotations

from datetime import datetime
from itertools import count

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bot.store.db import engine_for
from bot.store.models import Attribution, Conversation, Customer, FeedbackResponse, Handoff, TouchpointEvent

OWNER = {"purchase": "sales", "delivery": "delivery", "support": "customer_service", "invoice": "finance"}


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour)


class Writer:
    """Rows as the product stores them: customers, touchpoint events, conversations with their response."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.ids: dict[str, int] = {}
        self.keys = count(1)

    def customer(self, ref: str, opted_out: bool = False) -> int:
        result = self.connection.execute(insert(Customer.__table__).values(ref=ref, opted_out=opted_out,
                                                                           created_at=at(1, 1)))
        return int(result.inserted_primary_key[0])

    def event(self, cid: int, touchpoint: str, when: datetime, order: str | None = None, **payload: object) -> None:
        self.connection.execute(insert(TouchpointEvent.__table__).values(
            event_id=f"ev-{next(self.keys)}-{cid}", source="test", touchpoint=touchpoint, silo=OWNER[touchpoint],
            customer_id=cid, channel="email", order_id=order, occurred_at=when, received_at=when,
            payload=payload or None))

    def answer(self, name: str, cid: int, touchpoint: str, when: datetime, score: int, silos: list[str], *,
               order: str | None = None, contacts: int = 1, human: bool = False, text: str = "ok") -> None:
        key = f"{next(self.keys)}-{cid}"
        conversation = self.connection.execute(insert(Conversation.__table__).values(
            key=f"conv-{key}", sender_id=f"s-{key}", customer_id=cid, touchpoint=touchpoint, channel="web",
            order_id=order, status="completed", human_requested=human, started_at=when, updated_at=when))
        response = self.connection.execute(insert(FeedbackResponse.__table__).values(
            conversation_id=conversation.inserted_primary_key[0], customer_id=cid, touchpoint=touchpoint,
            touchpoint_silo=OWNER[touchpoint], channel="web", score=score, effort=4, contact_count=contacts,
            text=text, primary_silo=silos[0] if silos else "unattributed", status="complete",
            sentiment_label="negative" if score <= 2 else "positive", sentiment_score=-0.5 if score <= 2 else 0.5,
            created_at=when, updated_at=when))
        rid = self.ids[name] = int(response.inserted_primary_key[0])
        for rank, silo in enumerate(silos, start=1):
            self.connection.execute(insert(Attribution.__table__).values(
                response_id=rid, rank=rank, silo=silo, confidence=0.8, created_at=when))
        if len(silos) > 1:
            self.connection.execute(insert(Handoff.__table__).values(
                response_id=rid, from_silo=silos[0], to_silo=silos[1], sentiment_score=-0.5, created_at=when))


def write_journeys(url: str) -> dict[str, int]:
    """Writes the journeys above; returns response ids by name (``c1_delivery``, ...)."""
    with engine_for(url).begin() as connection:
        w = Writer(connection)
        c1, c2, c3 = w.customer("C-1"), w.customer("C-2", opted_out=True), w.customer("C-3")
        w.event(c1, "purchase", at(1, 1), "O-1")
        w.answer("c1_purchase", c1, "purchase", at(1, 1, 11), 4, ["sales"], order="O-1")
        w.event(c1, "delivery", at(1, 3), "O-1", assignees=["ana", "ben"], groups=["couriers"])
        w.answer("c1_delivery", c1, "delivery", at(1, 3, 12), 2, ["delivery", "customer_service"], order="O-1",
                 contacts=2, text="Late parcel [email] and then support passed me around.")
        w.answer("c1_support", c1, "support", at(1, 4), 1, ["customer_service"], human=True, contacts=3)
        w.event(c1, "invoice", at(1, 5), "O-1")
        w.event(c1, "purchase", at(3, 1), "O-2")
        w.answer("c1_purchase2", c1, "purchase", at(3, 1, 11), 5, ["sales"], order="O-2")
        w.event(c1, "delivery", at(3, 3), "O-2")
        w.answer("c1_delivery2", c1, "delivery", at(3, 3, 12), 4, ["delivery"], order="O-2")
        w.answer("c2_support", c2, "support", at(1, 2), 1, ["customer_service"])
        w.answer("c3_support", c3, "support", at(1, 10), 3, ["customer_service"])
        w.answer("c3_support2", c3, "support", at(1, 12), 2, ["customer_service"])
        w.answer("c3_support3", c3, "support", at(3, 15), 4, ["customer_service"])
    return w.ids
