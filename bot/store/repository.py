"""The few questions and updates the rest of the product asks of the store.

Everything here works inside a Session the caller owns, so a caller can make several
changes atomically. Look-ups are by natural keys (customer ref, conversation key), which is
what makes storing the same turn twice produce one row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.store.models import (
    Attribution,
    Conversation,
    Customer,
    FeedbackResponse,
    Handoff,
    utcnow,
)


@dataclass(frozen=True)
class ConversationRef:
    """Who and what a feedback conversation is about, as the chat channel knows it."""

    key: str
    sender_id: str
    customer_ref: str | None = None
    touchpoint: str | None = None
    channel: str | None = None
    order_id: str | None = None
    ticket_id: str | None = None


def find_customer(session: Session, ref: str) -> Customer | None:
    return session.execute(select(Customer).where(Customer.ref == ref)).scalar_one_or_none()


def get_or_create_customer(session: Session, ref: str) -> Customer:
    customer = find_customer(session, ref)
    if customer is None:
        customer = Customer(ref=ref)
        session.add(customer)
        session.flush()
    return customer


def find_conversation(session: Session, key: str) -> Conversation | None:
    return session.execute(select(Conversation).where(Conversation.key == key)).scalar_one_or_none()


def get_or_create_conversation(session: Session, ref: ConversationRef) -> Conversation:
    """The conversation for ``ref.key``; context the channel learnt later fills the gaps."""
    conversation = find_conversation(session, ref.key)
    if conversation is None:
        conversation = Conversation(key=ref.key, sender_id=ref.sender_id)
        session.add(conversation)
    for field in ("touchpoint", "channel", "order_id", "ticket_id"):
        value = getattr(ref, field)
        if value and not getattr(conversation, field):
            setattr(conversation, field, value)
    if ref.customer_ref and conversation.customer_id is None:
        conversation.customer_id = get_or_create_customer(session, ref.customer_ref).id
    session.flush()
    return conversation


def get_or_create_response(
    session: Session, conversation: Conversation, touchpoint_silo: str | None
) -> FeedbackResponse:
    response = session.execute(
        select(FeedbackResponse).where(FeedbackResponse.conversation_id == conversation.id)
    ).scalar_one_or_none()
    if response is None:
        response = FeedbackResponse(conversation_id=conversation.id)
        session.add(response)
    response.customer_id = conversation.customer_id
    response.touchpoint = conversation.touchpoint
    response.touchpoint_silo = touchpoint_silo
    response.channel = conversation.channel
    session.flush()
    return response


def replace_attributions(
    session: Session, response: FeedbackResponse, attributions: list[Attribution], handoffs: list[Handoff]
) -> None:
    """Swap the analysis of a response for a fresh one (its text changed)."""
    for old in list(response.attributions):
        session.delete(old)
    for old in list(response.handoffs):
        session.delete(old)
    session.flush()
    response.attributions = attributions
    response.handoffs = handoffs


def _exported(since: datetime | None, response_ids: Collection[int] | None) -> Select[Any]:
    """The responses an export covers (the one filter ``export_records`` and ``count_exported`` share)."""
    r = FeedbackResponse.__table__.c
    query = select(r.id)
    if since is not None:
        query = query.where(r.updated_at >= since)
    if response_ids is not None:
        query = query.where(r.id.in_(list(response_ids)))
    return query


def count_exported(session: Session, since: datetime | None = None,
                   response_ids: Collection[int] | None = None) -> int:
    """How many records ``export_records`` will yield (for a progress bar)."""
    return int(session.execute(select(func.count()).select_from(_exported(since, response_ids).subquery())).scalar())


def export_records(
    session: Session, since: datetime | None = None, batch: int = 1000, response_ids: Collection[int] | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored response (or those named) with its context and silos, oldest first, streamed in batches.

    Plain rows, not ORM objects: building and tracking an object per response, attribution and
    hand-off took about three quarters of an export's time (200k responses: 44 s). Each batch of
    responses fetches its silos and hand-offs with one query each.
    """
    r, c, cu = FeedbackResponse.__table__.c, Conversation.__table__.c, Customer.__table__.c
    columns = {
        "created_at": r.created_at, "updated_at": r.updated_at, "status": r.status, "conversation": c.key,
        "customer_ref": cu.ref, "touchpoint": r.touchpoint, "channel": r.channel, "order_id": c.order_id,
        "ticket_id": c.ticket_id, "score": r.score, "effort": r.effort, "contact_count": r.contact_count,
        "text": r.text, "probe_text": r.probe_text, "language": r.language, "polarity": r.polarity,
        "subjectivity": r.subjectivity, "sentiment": r.sentiment_label, "sentiment_score": r.sentiment_score,
        "primary_silo": r.primary_silo, "confidence": r.primary_confidence, "silos": None, "handoffs": None,
        "human_requested": c.human_requested, "conversation_status": c.status, "nps": r.nps,
    }  # fmt: skip
    keys = ["response_id", *(key for key, column in columns.items() if column is not None)]
    query = (
        _exported(since, response_ids)
        .add_columns(*(column for column in columns.values() if column is not None))
        .join_from(FeedbackResponse.__table__, Conversation.__table__, r.conversation_id == c.id)
        .outerjoin(Customer.__table__, r.customer_id == cu.id)
        .order_by(r.created_at, r.id)
        .execution_options(yield_per=batch)
    )
    shape: dict[str, Any] = dict.fromkeys(["response_id", *columns])  # the record's key order, as it always was
    for rows in session.execute(query).partitions():
        silos, handoffs = _silos_and_handoffs(session, [row[0] for row in rows])
        for row in rows:
            record = shape.copy()
            record.update(zip(keys, row, strict=True))
            record["created_at"] = record["created_at"].isoformat(timespec="seconds")
            record["updated_at"] = record["updated_at"].isoformat(timespec="seconds")
            record["silos"] = silos.get(row[0], [])
            record["handoffs"] = handoffs.get(row[0], [])
            yield record


def _silos_and_handoffs(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """The silos (by rank) and hand-offs (in stored order) of these responses, by response id."""
    a, h = Attribution.__table__.c, Handoff.__table__.c
    silos: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(select(a.response_id, a.silo, a.confidence, a.sentiment_label, a.evidence)
                               .where(a.response_id.in_(ids)).order_by(a.response_id, a.rank)):
        silos.setdefault(row.response_id, []).append({"silo": row.silo, "confidence": round(row.confidence, 3),
                                                      "sentiment": row.sentiment_label, "evidence": row.evidence})
    handoffs: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(select(h.response_id, h.from_silo, h.to_silo, h.evidence)
                               .where(h.response_id.in_(ids)).order_by(h.response_id, h.id)):
        handoffs.setdefault(row.response_id, []).append({"from": row.from_silo, "to": row.to_silo,
                                                         "evidence": row.evidence})
    return silos, handoffs


def mark_opted_out(session: Session, customer: Customer) -> None:
    if not customer.opted_out:
        customer.opted_out = True
        customer.opted_out_at = utcnow()
