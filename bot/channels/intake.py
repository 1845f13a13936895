"""Accepting a touchpoint event: one transaction that stores it and queues the survey trigger.

The order of checks is the order of the answers a sender sees: a replayed event id is a
harmless ``duplicate`` (200, nothing new stored), an opted-out customer is refused (403), a
customer surveyed within ``webhooks.survey_window_hours`` is refused (429), and so is one the
chat already surveyed about the same order and touchpoint (``bot.survey_window``, the rule both
doors share). An accepted event, the customer's ``last_surveyed_at`` and the ``trigger`` outbox
message commit together, so the survey cannot be lost even when Rasa is down: the outbox keeps trying.

Each survey gets a conversation id of its own (``bot.channels.conversation_ids``, kind ``cb``):
unguessable, and taken only by Rasa's callback channel, so nobody else can answer or read it by
sending messages as the customer's reference. References of the wrong shape are refused (422)
before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import conversation_ids
from bot.channels.events import EventRejected, TouchpointEventIn
from bot.channels.outbox import enqueue
from bot.channels.rasa_trigger import TriggerRequest
from bot.channels.references import problem
from bot.settings.sections import WebhookConfig
from bot.store.models import Customer, OutboxMessage, TouchpointEvent, utcnow
from bot.survey_window import last_survey
from bot.tokens import widget_secret

TRIGGER_DESTINATION = "rasa"


@dataclass(frozen=True)
class IntakeResult:
    status: str  # accepted | duplicate
    event_id: str
    sender: str | None = None
    outbox_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "event_id": self.event_id}
        if self.sender:
            data["conversation"] = self.sender
        return data


def trigger_for(event: TouchpointEventIn, config: WebhookConfig) -> TriggerRequest:
    """The Rasa trigger that starts this event's survey (slots per the conversation contract)."""
    entities = {
        "touchpoint": event.touchpoint,
        "customer_ref": event.customer_ref,
        "channel": event.channel,
        "order_id": event.order_id,
        "ticket_id": event.ticket_id,
    }
    return TriggerRequest(
        sender=conversation_ids.issue(widget_secret(), conversation_ids.CALLBACK, event.customer_ref),
        output_channel=config.rasa.output_channel(event.channel),
        entities={k: v for k, v in entities.items() if v},
    )


def check_references(event: TouchpointEventIn) -> None:
    """Refuse (422) an event whose customer, channel, order or ticket would carry markup or worse."""
    for name in ("customer_ref", "channel", "order_id", "ticket_id"):
        found = problem(name, getattr(event, name))
        if found:
            raise EventRejected(422, "invalid_event", f"{found}; nothing was stored")


def _recently_surveyed(event: TouchpointEventIn, about: str, at: datetime, config: WebhookConfig) -> EventRejected:
    """429: one survey per window (per customer from webhooks, per order and touchpoint from any door)."""
    return EventRejected(
        429, "customer_recently_surveyed",
        f"customer {event.customer_ref!r} was surveyed{about} at {at.isoformat()}Z; "
        f"no second survey within {config.survey_window_hours:g} hours; nothing was stored",
    )


def _accept_once(session: Session, event: TouchpointEventIn, config: WebhookConfig) -> IntakeResult:
    if session.scalar(select(TouchpointEvent.id).where(TouchpointEvent.event_id == event.event_id)) is not None:
        return IntakeResult("duplicate", event.event_id)
    customer = session.scalar(select(Customer).where(Customer.ref == event.customer_ref).with_for_update())
    if customer is None:
        customer = Customer(ref=event.customer_ref, opted_out=False)
        session.add(customer)
        session.flush()
    if customer.opted_out:
        raise EventRejected(403, "customer_opted_out",
                            f"customer {event.customer_ref!r} has opted out of surveys; nothing was stored")
    now = utcnow()
    window = timedelta(hours=config.survey_window_hours)
    if customer.last_surveyed_at is not None and now - customer.last_surveyed_at < window:
        raise _recently_surveyed(event, "", customer.last_surveyed_at, config)
    # The rule both doors share: the widget may already have asked about this order and touchpoint.
    earlier = last_survey(session, customer.id, event.order_id, event.touchpoint, config.survey_window_hours, now)
    if earlier is not None:
        raise _recently_surveyed(event, " about this order and touchpoint", earlier, config)
    session.add(TouchpointEvent(
        event_id=event.event_id, source=event.source, touchpoint=event.touchpoint, silo=event.silo,
        customer_id=customer.id, channel=event.channel, order_id=event.order_id, ticket_id=event.ticket_id,
        # The event as we understood it, not the tool's raw payload: a shop order carries names,
        # addresses and e-mails that a pseudonymous store has no business keeping.
        occurred_at=event.occurred_at, received_at=now, payload=event.to_json(),
    ))
    customer.last_surveyed_at = now
    trigger = trigger_for(event, config)
    enqueue(session, dedupe_key=f"trigger:{event.event_id}", destination=TRIGGER_DESTINATION, kind="trigger",
            payload=trigger.to_json())
    session.flush()
    outbox_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"trigger:{event.event_id}"))
    return IntakeResult("accepted", event.event_id, trigger.sender, outbox_id)


def accept_event(factory: sessionmaker, event: TouchpointEventIn, config: WebhookConfig) -> IntakeResult:
    """Store an event and queue its survey, all or nothing; raises ``EventRejected`` for a refusal."""
    check_references(event)
    for attempt in range(2):
        try:
            with factory.begin() as session:
                return _accept_once(session, event, config)
        except IntegrityError:
            # A concurrent request stored the same event or customer first; the second pass sees it.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
