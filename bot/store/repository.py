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

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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


def export_records(
    session: Session, since: datetime | None = None, batch: int = 1000, response_ids: Collection[int] | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored response (or those named) with its context and silos, oldest first, streamed in batches."""
    query = (
        select(FeedbackResponse, Conversation, Customer)
        .join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
        .outerjoin(Customer, FeedbackResponse.customer_id == Customer.id)
        .options(selectinload(FeedbackResponse.attributions), selectinload(FeedbackResponse.handoffs))
        .order_by(FeedbackResponse.created_at, FeedbackResponse.id)
        .execution_options(yield_per=batch)
    )
    if since is not None:
        query = query.where(FeedbackResponse.updated_at >= since)
    if response_ids is not None:
        query = query.where(FeedbackResponse.id.in_(list(response_ids)))
    for response, conversation, customer in session.execute(query):
        yield {
            "response_id": response.id,
            "created_at": response.created_at.isoformat(timespec="seconds"),
            "updated_at": response.updated_at.isoformat(timespec="seconds"),
            "status": response.status,
            "conversation": conversation.key,
            "customer_ref": customer.ref if customer else None,
            "touchpoint": response.touchpoint,
            "channel": response.channel,
            "order_id": conversation.order_id,
            "ticket_id": conversation.ticket_id,
            "score": response.score,
            "effort": response.effort,
            "contact_count": response.contact_count,
            "text": response.text,
            "probe_text": response.probe_text,
            "language": response.language,
            "polarity": response.polarity,
            "subjectivity": response.subjectivity,
            "sentiment": response.sentiment_label,
            "sentiment_score": response.sentiment_score,
            "primary_silo": response.primary_silo,
            "confidence": response.primary_confidence,
            "silos": [
                {
                    "silo": a.silo,
                    "confidence": round(a.confidence, 3),
                    "sentiment": a.sentiment_label,
                    "evidence": a.evidence,
                }
                for a in response.attributions
            ],
            "handoffs": [{"from": h.from_silo, "to": h.to_silo, "evidence": h.evidence} for h in response.handoffs],
            "human_requested": conversation.human_requested,
            "conversation_status": conversation.status,
        }


def mark_opted_out(session: Session, customer: Customer) -> None:
    if not customer.opted_out:
        customer.opted_out = True
        customer.opted_out_at = utcnow()
