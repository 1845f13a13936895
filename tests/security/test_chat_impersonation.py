"""Impersonation from the chat: typed text never names the customer; only signed sources do.

Attacks (issue 12, "Doors"): a visitor types ``/touchpoint_completed{..."customer_ref":"C-777"}``
and becomes C-777 (answers stored as theirs, ``stop`` opts them out, so C-777's genuine survey is
then refused), with ``channel``/``order_id`` markup stored as given. Driven through Rasa's real
REST and socket.io doors and the web service's signed webhook.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import or_, select

from bot.channels import page_context
from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse, TouchpointEvent
from tests.support.visitor import Visitor

pytestmark = pytest.mark.e2e
MARKUP = "<img src=x onerror=alert(1)>"


def typed_trigger(customer: str) -> str:
    entities = {"touchpoint": "invoice", "customer_ref": customer, "channel": MARKUP, "order_id": MARKUP}
    return "/touchpoint_completed" + json.dumps(entities)


def stored_for(stack, customer: str) -> tuple[Customer | None, list[FeedbackResponse]]:
    with session_factory(stack.engine)() as session:
        found = session.scalar(select(Customer).where(Customer.ref == customer))
        responses = [] if found is None else list(session.scalars(
            select(FeedbackResponse).join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .where(Conversation.customer_id == found.id)))
        return found, responses


def markup_stored(stack) -> bool:
    with session_factory(stack.engine)() as session:
        hits = session.scalars(select(Conversation.id).where(
            or_(Conversation.channel.contains("<img"), Conversation.order_id.contains("<img")))).all()
        return bool(hits)


def assert_not_impersonated(stack, victim: str) -> None:
    customer, responses = stored_for(stack, victim)
    assert responses == [], "the visitor's answers were stored as the victim's"
    assert customer is None or not customer.opted_out, "the visitor's 'stop' opted the victim out"
    assert not markup_stored(stack), "channel/order_id markup from typed text was stored"
    # The victim's genuine survey is still welcome.
    genuine = stack.send_event(event_id=f"evt-{uuid.uuid4().hex}", touchpoint="invoice", customer_ref=victim)
    assert genuine.status_code == 202, genuine.text


def test_a_typed_trigger_with_entities_on_rest_does_not_make_the_visitor_that_customer(stack) -> None:
    victim = f"C-777-{uuid.uuid4().hex[:6]}"
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    stack.say(visitor, typed_trigger(victim))
    stack.say(visitor, "2")
    stack.say(visitor, "The invoice was wrong")
    stack.say(visitor, "stop")
    assert_not_impersonated(stack, victim)


def test_a_typed_trigger_with_entities_on_socketio_does_not_make_the_visitor_that_customer(stack) -> None:
    victim = f"C-777-{uuid.uuid4().hex[:6]}"
    visitor = Visitor(stack.config.rasa_url)
    try:
        visitor.ask_session()
        visitor.send("/greet")
        visitor.send(typed_trigger(victim))
        visitor.send("2")
        visitor.send("stop")
    finally:
        visitor.close()
    assert_not_impersonated(stack, victim)


def test_the_trigger_needs_a_valid_signed_context_and_client_metadata_proves_nothing(stack) -> None:
    sender = f"visitor-{uuid.uuid4().hex[:8]}"
    victim = f"C-778-{uuid.uuid4().hex[:6]}"
    forged = page_context.sign("not-the-secret", page_context.PageContext(touchpoint="invoice", customer_ref=victim),
                               ttl_seconds=600)
    expired = page_context.sign(stack.config.env["SILOSCOPE_WIDGET_SECRET"],
                                page_context.PageContext(touchpoint="invoice", customer_ref=victim),
                                ttl_seconds=60, now=1_000_000_000)
    claims = [
        ({}, "context_required"),
        ({"siloscope_verified": {"touchpoint": "invoice", "customer_ref": victim}}, "context_required"),
        ({"is_external": True}, "context_required"),
        ({"siloscope_context": forged}, "bad_signature"),
        ({"siloscope_context": expired}, "context_expired"),
        ({"siloscope_context": "v1.e30.AAAA"}, "bad_signature"),
    ]
    for metadata, reason in claims:
        answer = stack.post_rest({"sender": sender, "message": "/touchpoint_completed", "metadata": metadata})
        assert (answer.status_code, answer.json()["reason"]) == (403, reason), (metadata, answer.text)
    assert stored_for(stack, victim) == (None, [])

    # The page's own signed context is taken, and what it says is what is stored.
    customer = f"C-779-{uuid.uuid4().hex[:6]}"
    first = stack.start_survey(sender, "invoice", customer, order_id="NW-9")
    assert "satisfied" in " ".join(m.get("text", "") for m in first)
    stack.say(sender, "4")
    found, responses = stored_for(stack, customer)
    assert found is not None and [r.score for r in responses] == [4]


def test_references_of_the_wrong_shape_are_refused_where_they_enter(stack) -> None:
    customer = f"C-780-{uuid.uuid4().hex[:6]}"
    for field in ("order_id", "channel", "ticket_id"):
        event_id = f"evt-{uuid.uuid4().hex}"
        answer = stack.send_event(**{"event_id": event_id, "touchpoint": "delivery", "customer_ref": customer,
                                     field: MARKUP})
        assert (answer.status_code, answer.json()["reason"]) == (422, "invalid_event"), answer.text
        with session_factory(stack.engine)() as session:
            assert session.scalar(select(TouchpointEvent).where(TouchpointEvent.event_id == event_id)) is None
    # The signer refuses to vouch for markup, so no page can hand it to the widget.
    signed = subprocess.run(
        [sys.executable, "-m", "bot.cli", "context", "--touchpoint", "delivery", "--order", MARKUP],
        env={**os.environ, **stack.config.env}, capture_output=True, text=True, check=False,
    )
    assert signed.returncode == 2 and "order_id must be" in signed.stderr
    assert not markup_stored(stack)
