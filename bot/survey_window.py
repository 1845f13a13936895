"""One survey per customer, order and touchpoint within ``webhooks.survey_window_hours``, whatever the door.

A customer who was asked about an order's delivery by e-mail (a webhook's survey) and then opens the
order page (the widget's signed page context), or who opens that page twice, is asked once: both
doors ask :func:`last_survey` before they start one. A survey counts from the moment a door started
it: a webhook's accepted event (``TouchpointEvent``) or a chat's stored conversation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import Conversation, TouchpointEvent, utcnow


def last_survey(
    session: Session,
    customer_id: int,
    order_id: str | None,
    touchpoint: str,
    window_hours: float,
    now: datetime | None = None,
    except_conversation: str | None = None,
) -> datetime | None:
    """When this customer was last surveyed about this order and touchpoint within the window, else None.

    ``except_conversation``: the chat's own conversation key, which is the survey going on, not a repeat.
    """
    since = (now or utcnow()) - timedelta(hours=window_hours)
    same_order = (lambda column: column.is_(None)) if order_id is None else (lambda column: column == order_id)
    event = session.scalar(
        select(func.max(TouchpointEvent.received_at)).where(
            TouchpointEvent.customer_id == customer_id,
            same_order(TouchpointEvent.order_id),
            TouchpointEvent.touchpoint == touchpoint,
            TouchpointEvent.received_at >= since,
        )
    )
    chats = select(func.max(Conversation.started_at)).where(
        Conversation.customer_id == customer_id,
        same_order(Conversation.order_id),
        Conversation.touchpoint == touchpoint,
        Conversation.started_at >= since,
    )
    if except_conversation:
        chats = chats.where(Conversation.key != except_conversation)
    chat = session.scalar(chats)
    found = [moment for moment in (event, chat) if moment is not None]
    return max(found) if found else None
