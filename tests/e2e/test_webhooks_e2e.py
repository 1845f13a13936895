"""From a signed "ticket solved" event to the bot's first question on the customer's channel, on the real stack.

The stack's Rasa runs the ``callback`` channel pointed at a local sink (the customer's
messaging channel); the web service accepts the event, stores it and triggers the survey
through Rasa's HTTP API; the bot's first question must reach the sink for that customer.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone

import pytest
import requests
from sqlalchemy import select

from bot.channels.signing import siloscope_signature, zendesk_signature
from bot.store.db import session_factory
from bot.store.models import OutboxMessage, TouchpointEvent

pytestmark = pytest.mark.e2e


def asks_for_a_score(messages: list[dict]) -> bool:
    text = " ".join(m.get("text") or "" for m in messages)
    buttons = {str(b.get("payload", "")).strip() for m in messages for b in m.get("buttons") or []}
    return {"1", "5"} <= buttons or ("1" in text and "5" in text)


def wait_delivered(stack, event_id: str, timeout: float = 120) -> OutboxMessage:
    deadline = time.monotonic() + timeout
    while True:
        with session_factory(stack.engine)() as session:
            message = session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == f"trigger:{event_id}")
            ).one()
        if message.status == "delivered" or time.monotonic() > deadline:
            return message
        time.sleep(0.3)


def test_signed_ticket_solved_event_brings_the_first_question_to_the_customer(stack) -> None:
    customer = f"C-TKT-{uuid.uuid4().hex[:8]}"
    event_id = f"helpdesk-{uuid.uuid4().hex}"
    event = {
        "event_id": event_id, "touchpoint": "support", "occurred_at": datetime.now(timezone.utc).isoformat(),
        "customer_ref": customer, "channel": "email", "ticket_id": "T-4711",
    }
    body = json.dumps(event).encode()
    headers = {"Content-Type": "application/json",
               "X-Siloscope-Signature": siloscope_signature(stack.config.env["SILOSCOPE_WEBHOOK_SECRET"], body)}
    answer = requests.post(f"{stack.config.web_url}/webhooks/touchpoint", data=body, headers=headers, timeout=30)
    assert answer.status_code == 202, answer.text
    conversation = answer.json()["conversation"]
    assert customer not in conversation.split(".")[:3]  # its own unguessable id, not the customer's reference

    first = stack.callback.wait_for(conversation, timeout=90)
    assert {m["customer_ref"] for m in first} == {customer}  # the gateway is told whom to reach
    assert asks_for_a_score(first), f"first bot messages do not ask for a 1-5 score: {first}"
    trigger = wait_delivered(stack, event_id)
    assert (trigger.status, trigger.attempts) == ("delivered", 1), (trigger.status, trigger.last_error)
    with session_factory(stack.engine)() as session:
        stored = session.scalars(select(TouchpointEvent).where(TouchpointEvent.event_id == event_id)).one()
        assert (stored.touchpoint, stored.silo, stored.ticket_id) == ("support", "customer_service", "T-4711")

    # The sender retries the same event: no second survey reaches the customer.
    seen = len(stack.callback.to(customer))
    replay = requests.post(f"{stack.config.web_url}/webhooks/touchpoint", data=body, headers=headers, timeout=30)
    assert replay.json()["status"] == "duplicate"
    time.sleep(3)
    assert len(stack.callback.to(customer)) == seen

    # The customer answers through their gateway in the conversation the event started: a low score
    # gets the follow-up question, on the same channel.
    assert stack.answer_by_callback(conversation, "2").status_code == 200
    deadline = time.monotonic() + 60
    while len(stack.callback.to(conversation)) == seen and time.monotonic() < deadline:
        time.sleep(0.2)
    follow_up = stack.callback.to(conversation)[seen:]
    assert follow_up and "wrong" in follow_up[0]["text"].lower(), follow_up


def test_zendesk_ticket_solved_webhook_starts_the_survey(stack) -> None:
    secret = stack.config.env["ZENDESK_WEBHOOK_SECRET"]
    customer = str(uuid.uuid4().int)[:13]  # a Zendesk user id: the ticket's requester is the one surveyed
    payload = {
        "account_id": 1, "id": uuid.uuid4().hex, "type": "zen:event-type:ticket.status_changed",
        "time": datetime.now(timezone.utc).isoformat(), "subject": "zen:ticket:88",
        "detail": {"id": "88", "requester_id": customer, "external_id": "CRM-CASE-88", "status": "SOLVED"},
        "event": {"current": "SOLVED", "previous": "OPEN"},
    }
    body = json.dumps(payload).encode()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"Content-Type": "application/json", "X-Zendesk-Webhook-Signature-Timestamp": stamp,
               "X-Zendesk-Webhook-Signature": zendesk_signature(secret, body, stamp)}
    answer = requests.post(f"{stack.config.web_url}/webhooks/zendesk", data=body, headers=headers, timeout=30)
    assert answer.status_code == 202, answer.text
    assert asks_for_a_score(stack.callback.wait_for(customer, timeout=90))
