"""Touchpoint events through the web service's door: real HTTP to ``siloscope web``, a fake Rasa behind it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select

from bot.channels import conversation_ids
from bot.channels.signing import shopify_signature, siloscope_signature, stripe_signature, zendesk_signature
from bot.store.models import Conversation, Customer, OutboxMessage, TouchpointEvent
from tests.support import WebService

from .conftest import SECRETS, FakePeer

SECRET = SECRETS["SILOSCOPE_WEBHOOK_SECRET"]


def event(**overrides: Any) -> dict[str, Any]:
    base = {
        "event_id": "evt-1",
        "touchpoint": "support",
        "occurred_at": "2026-11-23T17:00:00Z",
        "customer_ref": "C-100",
        "channel": "email",
        "ticket_id": "T-9",
    }
    return {**base, **overrides}


def signed(data: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(data).encode()
    return body, {"X-Siloscope-Signature": siloscope_signature(SECRET, body)}


def survey_conversation(path: str, customer: str) -> str:
    """The conversation of a trigger's path: one issued for the callback channel, naming the customer."""
    prefix, suffix = "/conversations/", "/trigger_intent"
    assert path.startswith(prefix) and path.endswith(suffix), path
    conversation = path[len(prefix):-len(suffix)]
    issued = conversation_ids.verify(SECRETS["SILOSCOPE_WIDGET_SECRET"], conversation, conversation_ids.CALLBACK)
    assert issued is not None and issued.customer_ref == customer, conversation
    return conversation


def count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_accepted_event_is_stored_and_starts_the_survey_through_rasa(web: WebService, peers, sessions) -> None:
    body, headers = signed(event(order_id="O-5"))
    answer = web.post("/webhooks/touchpoint", body, headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "accepted" and answer.json()["event_id"] == "evt-1"

    trigger = peers["rasa"].wait_for(1)[0]
    assert survey_conversation(trigger.path, "C-100") == answer.json()["conversation"]
    assert trigger.query == {"output_channel": ["callback"], "token": [SECRETS["RASA_TOKEN"]]}
    assert trigger.json == {
        "name": "touchpoint_completed",
        "entities": {"touchpoint": "support", "customer_ref": "C-100", "channel": "email",
                     "order_id": "O-5", "ticket_id": "T-9"},
    }
    with sessions() as session:
        stored = session.scalars(select(TouchpointEvent)).one()
        assert (stored.event_id, stored.source, stored.touchpoint, stored.silo) == (
            "evt-1", "siloscope", "support", "customer_service")
        assert stored.occurred_at == datetime(2026, 11, 23, 17, 0)
        customer = session.scalars(select(Customer)).one()
        assert customer.ref == "C-100" and customer.last_surveyed_at is not None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with sessions() as session:
            if session.scalars(select(OutboxMessage.status)).one() == "delivered":
                break
        time.sleep(0.1)
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.status)).one() == "delivered"


def test_replayed_event_is_a_duplicate_and_changes_nothing(web: WebService, peers, sessions) -> None:
    body, headers = signed(event())
    assert web.post("/webhooks/touchpoint", body, headers).status_code == 202
    replay = web.post("/webhooks/touchpoint", body, headers)
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    peers["rasa"].wait_for(1)
    time.sleep(0.6)  # a few worker passes: a second trigger would have arrived by now
    assert len(peers["rasa"].received) == 1
    assert count(sessions, TouchpointEvent) == 1
    assert count(sessions, OutboxMessage) == 1


def test_each_refusal_has_a_clear_reason_and_stores_nothing(web: WebService, peers, sessions) -> None:
    def refused(body: bytes, headers: dict[str, str], status: int, reason: str, words: str) -> None:
        answer = web.post("/webhooks/touchpoint", body, headers)
        assert answer.status_code == status, answer.text
        assert answer.json()["status"] == "refused"
        assert answer.json()["reason"] == reason
        assert words in answer.json()["message"]

    body = json.dumps(event()).encode()
    refused(body, {}, 401, "missing_signature", "X-Siloscope-Signature")
    refused(body, {"X-Siloscope-Signature": siloscope_signature("wrong-secret", body)}, 401, "bad_signature",
            "does not match")
    refused(body, {"X-Siloscope-Signature": hashlib.sha256(body).hexdigest()}, 401, "bad_signature", "sha256=")
    tampered = body.replace(b"C-100", b"C-666")
    refused(tampered, {"X-Siloscope-Signature": siloscope_signature(SECRET, body)}, 401, "bad_signature",
            "does not match")

    broken = b'{"event_id": "evt-1", "touchpoint": '
    refused(broken, {"X-Siloscope-Signature": siloscope_signature(SECRET, broken)}, 400, "malformed_json",
            "not valid JSON")
    huge, headers = signed(event(ticket_id="x" * 100, padding="y" * 70_000))
    refused(huge, headers, 413, "body_too_large", "65536")
    refused(*signed(event(touchpoint="teleportation")), 422, "unknown_touchpoint", "known: website")
    refused(*signed(event(silo="astrology")), 422, "unknown_silo", "astrology")
    refused(*signed({k: v for k, v in event().items() if k != "customer_ref"}), 422, "invalid_event",
            "'customer_ref' is a required property")
    refused(*signed(event(occurred_at="yesterday-ish")), 422, "invalid_event", "ISO 8601")
    refused(*signed(event(unexpected=1)), 422, "invalid_event", "unexpected")
    refused(*signed(["not", "an", "object"]), 422, "invalid_event", "is not of type 'object'")

    time.sleep(0.5)
    assert count(sessions, TouchpointEvent) == 0
    assert count(sessions, Customer) == 0
    assert count(sessions, OutboxMessage) == 0
    assert peers["rasa"].received == []


def test_opted_out_customer_is_never_contacted(web: WebService, peers, sessions) -> None:
    with sessions.begin() as session:
        session.add(Customer(ref="C-OUT", opted_out=True))
    answer = web.post("/webhooks/touchpoint", *signed(event(customer_ref="C-OUT")))
    assert answer.status_code == 403
    assert answer.json()["reason"] == "customer_opted_out"
    time.sleep(0.5)
    assert peers["rasa"].received == []
    assert count(sessions, TouchpointEvent) == 0
    assert count(sessions, OutboxMessage) == 0


def test_second_survey_within_the_window_is_refused(web: WebService, peers, sessions) -> None:
    assert web.post("/webhooks/touchpoint", *signed(event(event_id="a"))).status_code == 202
    again = web.post("/webhooks/touchpoint", *signed(event(event_id="b", touchpoint="invoice")))
    assert again.status_code == 429
    assert again.json()["reason"] == "customer_recently_surveyed"
    assert "72 hours" in again.json()["message"]
    other = web.post("/webhooks/touchpoint", *signed(event(event_id="c", customer_ref="C-200")))
    assert other.status_code == 202
    peers["rasa"].wait_for(2)
    with sessions() as session:
        assert sorted(session.scalars(select(TouchpointEvent.event_id))) == ["a", "c"]


def test_rasa_down_keeps_the_event_and_triggers_once_it_is_back(web: WebService, peers, sessions) -> None:
    rasa: FakePeer = peers["rasa"]
    rasa.stop()
    answer = web.post("/webhooks/touchpoint", *signed(event()))
    assert answer.status_code == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sessions() as session:
            message = session.scalars(select(OutboxMessage)).one()
            if message.attempts >= 1:
                break
        time.sleep(0.1)
    assert message.kind == "trigger" and message.status == "pending"
    assert "unreachable" in message.last_error
    assert count(sessions, TouchpointEvent) == 1

    rasa.start()
    rasa.wait_for(1)
    time.sleep(1.0)  # further worker passes must not send it again
    assert len(rasa.received) == 1
    with sessions() as session:
        assert session.scalars(select(OutboxMessage.status)).one() == "delivered"


def test_missing_secret_refuses_everything(channel_env, tmp_path, peers, sessions) -> None:
    env = {k: v for k, v in channel_env.items() if k != "SILOSCOPE_WEBHOOK_SECRET"}
    service = WebService(env, tmp_path / "web-nosecret.log", drop=SECRETS)
    try:
        answer = service.post("/webhooks/touchpoint", *signed(event()))
        assert answer.status_code == 503
        assert answer.json()["reason"] == "not_configured"
        assert "SILOSCOPE_WEBHOOK_SECRET" in answer.json()["message"]
    finally:
        service.stop()
    assert count(sessions, TouchpointEvent) == 0


# -- native tool payloads, each with its tool's signature --------------------------------------------

def zendesk_solved(ticket: str = "5158", status: str = "SOLVED") -> dict[str, Any]:
    return {
        "account_id": 22129848,
        "detail": {"id": ticket, "requester_id": "8447388090494", "external_id": "C-ZD-1", "status": status,
                   "subject": "Parcel never arrived", "via": {"channel": "web_service"}},
        "event": {"current": status, "previous": "OPEN"},
        "id": "cbe4028c-7239-495d-b020-f22348516046",
        "subject": f"zen:ticket:{ticket}",
        "time": "2026-11-23T17:47:08.839523785Z",
        "type": "zen:event-type:ticket.status_changed",
        "zendesk_event_version": "2022-11-06",
    }


def zendesk_headers(body: bytes, secret: str = SECRETS["ZENDESK_WEBHOOK_SECRET"], stamp: str | None = None) -> dict:
    stamp = stamp or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"X-Zendesk-Webhook-Signature": zendesk_signature(secret, body, stamp),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp}


def test_zendesk_ticket_solved(web: WebService, peers, sessions) -> None:
    body = json.dumps(zendesk_solved()).encode()
    answer = web.post("/webhooks/zendesk", body, zendesk_headers(body))
    assert answer.status_code == 202, answer.text
    trigger = peers["rasa"].wait_for(1)[0]
    survey_conversation(trigger.path, "8447388090494")  # the requester, not external_id
    assert trigger.json["entities"] == {"touchpoint": "support", "customer_ref": "8447388090494",
                                        "channel": "email", "ticket_id": "5158"}
    with sessions() as session:
        stored = session.scalars(select(TouchpointEvent)).one()
        assert (stored.event_id, stored.source, stored.silo) == (
            "zendesk:cbe4028c-7239-495d-b020-f22348516046", "zendesk", "customer_service")
        assert stored.payload["ticket_id"] == "5158"
        assert "Parcel never arrived" not in json.dumps(stored.payload)  # the tool's raw payload is not kept

    assert web.post("/webhooks/zendesk", body, zendesk_headers(body)).json()["status"] == "duplicate"
    reopened = json.dumps({**zendesk_solved(status="OPEN"), "id": "other"}).encode()
    ignored = web.post("/webhooks/zendesk", reopened, zendesk_headers(reopened))
    assert ignored.status_code == 200 and ignored.json()["status"] == "ignored"
    assert ignored.json()["reason"] == "event_not_mapped" and "ticket.open" in ignored.json()["message"]

    wrong = web.post("/webhooks/zendesk", body, zendesk_headers(body, secret="not-it"))
    assert (wrong.status_code, wrong.json()["reason"]) == (401, "bad_signature")
    stale = web.post("/webhooks/zendesk", body, zendesk_headers(body, stamp="2020-01-01T00:00:00Z"))
    assert stale.status_code == 401 and "tolerance" in stale.json()["message"]
    unsigned = web.post("/webhooks/zendesk", body, {})
    assert (unsigned.status_code, unsigned.json()["reason"]) == (401, "missing_signature")
    assert count(sessions, TouchpointEvent) == 1


def shopify_order() -> dict[str, Any]:
    return {"id": 820982911946154508, "name": "#1001", "email": "jon@example.com", "fulfillment_status": "fulfilled",
            "updated_at": "2026-11-23T12:00:00-05:00",
            "customer": {"id": 115310627314723954, "email": "jon@example.com"}}


def test_shopify_order_fulfilled(web: WebService, peers, sessions) -> None:
    body = json.dumps(shopify_order()).encode()
    headers = {"X-Shopify-Topic": "orders/fulfilled", "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
               "X-Shopify-Hmac-Sha256": shopify_signature(SECRETS["SHOPIFY_WEBHOOK_SECRET"], body)}
    answer = web.post("/webhooks/shopify", body, headers)
    assert answer.status_code == 202, answer.text
    trigger = peers["rasa"].wait_for(1)[0]
    assert trigger.json["entities"] == {"touchpoint": "delivery", "customer_ref": "115310627314723954",
                                        "channel": "email", "order_id": "#1001"}
    with sessions() as session:
        stored = session.scalars(select(TouchpointEvent)).one()
        assert stored.silo == "delivery" and stored.occurred_at == datetime(2026, 11, 23, 17, 0)
        assert "jon@example.com" not in json.dumps(stored.payload)

    forged = {**headers, "X-Shopify-Hmac-Sha256": base64.b64encode(b"x" * 32).decode()}
    assert web.post("/webhooks/shopify", body, forged).status_code == 401
    other_topic = {**headers, "X-Shopify-Topic": "orders/create"}
    assert web.post("/webhooks/shopify", body, other_topic).json()["status"] == "ignored"
    guest = json.dumps({**shopify_order(), "customer": None}).encode()
    guest_headers = {**headers, "X-Shopify-Event-Id": "guest",
                     "X-Shopify-Hmac-Sha256": shopify_signature(SECRETS["SHOPIFY_WEBHOOK_SECRET"], guest)}
    guest_answer = web.post("/webhooks/shopify", guest, guest_headers)  # nobody to survey: Shopify must not retry
    assert guest_answer.status_code == 200, guest_answer.text
    assert guest_answer.json()["reason"] == "no_customer" and "customer.id" in guest_answer.json()["message"]
    assert count(sessions, TouchpointEvent) == 1


def test_stripe_invoice_paid(web: WebService, peers, sessions) -> None:
    secret = SECRETS["STRIPE_WEBHOOK_SECRET"]
    data = {"id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "object": "event", "type": "invoice.paid", "created": 1795455000,
            "data": {"object": {"id": "in_1", "object": "invoice", "customer": "cus_NffrFeUfNV2Hib",
                                "number": "F-0042"}}}
    body = json.dumps(data).encode()
    answer = web.post("/webhooks/stripe", body, {"Stripe-Signature": stripe_signature(secret, body)})
    assert answer.status_code == 202, answer.text
    trigger = peers["rasa"].wait_for(1)[0]
    assert trigger.json["entities"]["touchpoint"] == "invoice"
    assert trigger.json["entities"]["customer_ref"] == "cus_NffrFeUfNV2Hib"

    old = stripe_signature(secret, body, timestamp=int(time.time()) - 3600)
    stale = web.post("/webhooks/stripe", body, {"Stripe-Signature": old})
    assert stale.status_code == 401 and "tolerance" in stale.json()["message"]
    # Stripe sends several v1 signatures while a secret is being rolled; one valid one is enough.
    stamp = int(time.time())
    good = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    rolled = web.post("/webhooks/stripe", body, {"Stripe-Signature": f"t={stamp},v1={'0' * 64},v1={good}"})
    assert rolled.json()["status"] == "duplicate"
    created = json.dumps({**data, "id": "evt_2", "type": "customer.created"}).encode()
    ignored = web.post("/webhooks/stripe", created, {"Stripe-Signature": stripe_signature(secret, created)})
    assert ignored.json()["status"] == "ignored"
    assert count(sessions, TouchpointEvent) == 1


def test_a_webhook_survey_after_the_widget_asked_about_the_same_order_is_refused(
    web: WebService, peers, sessions
) -> None:
    """One survey per customer, order and touchpoint whatever the door: the chat asked first (issue 15)."""
    with sessions.begin() as session:
        customer = Customer(ref="C-WIDGET", opted_out=False)
        session.add(customer)
        session.flush()
        session.add(Conversation(key="widget-chat", sender_id="sk-1", customer_id=customer.id, touchpoint="support",
                                 order_id="NW-9", channel="web"))
    again = web.post("/webhooks/touchpoint", *signed(event(customer_ref="C-WIDGET", order_id="NW-9")))
    assert again.status_code == 429
    assert again.json()["reason"] == "customer_recently_surveyed"
    assert count(sessions, TouchpointEvent) == 0
    other_order = web.post("/webhooks/touchpoint", *signed(event(event_id="e2", customer_ref="C-WIDGET",
                                                                order_id="NW-10")))
    assert other_order.status_code == 202
