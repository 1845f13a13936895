"""The tools' webhook routes, over HTTP to ``siloscope web``: who is surveyed, and what the tools are told.

- Zendesk: the ticket's ``external_id`` links the *ticket* to a record elsewhere (an order, a CRM
  case) and can name anybody; surveying it sends one customer's survey, and files their answers,
  under somebody else. The customer is the ticket's requester.
- A refusal about the customer (opted out, surveyed recently, nobody to survey) answered 403/422/429
  makes Stripe retry for three days and Shopify eight times, then disable the webhook. Those are
  2xx ``ignored``; bad signatures and malformed bodies stay 4xx; neither stores anything.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from bot.channels.signing import shopify_signature, stripe_signature
from bot.store.models import Customer, OutboxMessage, TouchpointEvent
from tests.bot.channels.test_webhooks_http import event, shopify_order, signed, zendesk_headers, zendesk_solved
from tests.security.integrations import CHANNEL_FIXTURES, SECRETS
from tests.support import WebService

peers, channel_env, sessions, web = CHANNEL_FIXTURES


def _count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def _refs(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return sorted(session.scalars(select(Customer.ref)))


def _zendesk(web: WebService, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    body = json.dumps(data).encode()
    return web.post("/webhooks/zendesk", body, zendesk_headers(body))


def _stripe(web: WebService, data: dict[str, Any] | bytes, secret: str = SECRETS["STRIPE_WEBHOOK_SECRET"]):  # type: ignore[no-untyped-def]
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return web.post("/webhooks/stripe", body, {"Stripe-Signature": stripe_signature(secret, body)})


def _invoice(event_id: str, customer: str | None, kind: str = "invoice.paid") -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": kind, "created": 1795455000,
            "data": {"object": {"id": f"in_{event_id}", "object": "invoice", "customer": customer,
                                "number": f"F-{event_id}"}}}


def _shopify(web: WebService, data: dict[str, Any], event_id: str):  # type: ignore[no-untyped-def]
    body = json.dumps(data).encode()
    return web.post("/webhooks/shopify", body, {
        "X-Shopify-Topic": "orders/fulfilled", "X-Shopify-Event-Id": event_id,
        "X-Shopify-Hmac-Sha256": shopify_signature(SECRETS["SHOPIFY_WEBHOOK_SECRET"], body)})


def _ignored(answer, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "ignored" and answer.json()["reason"] == reason, answer.text
    assert answer.json()["message"]


def test_zendesk_surveys_the_requester_never_the_tickets_external_id(web: WebService, peers, sessions) -> None:
    with sessions.begin() as session:  # a real customer whose ref a ticket's external_id happens to carry
        session.add(Customer(ref="C-777", opted_out=False))
    ticket = zendesk_solved()
    ticket["detail"].update(external_id="C-777", requester_id="8447388090494")
    answer = _zendesk(web, ticket)
    assert answer.status_code == 202, answer.text
    conversation = answer.json()["conversation"]  # an issued callback id that names the requester
    assert conversation.startswith("cb.") and conversation.endswith(".8447388090494"), conversation
    trigger = peers["rasa"].wait_for(1)[0]
    assert trigger.json["entities"]["customer_ref"] == "8447388090494"
    assert "C-777" not in json.dumps(trigger.json) and "C-777" not in trigger.path
    with sessions() as session:
        surveyed = session.scalar(select(Customer).where(Customer.ref == "C-777"))
        assert surveyed.last_surveyed_at is None  # C-777 was not touched
    assert _refs(sessions) == ["8447388090494", "C-777"]


def test_stripe_is_told_2xx_for_what_it_must_not_retry_and_4xx_for_bad_requests(web: WebService, sessions) -> None:
    with sessions.begin() as session:
        session.add(Customer(ref="cus_OUT", opted_out=True))
    _ignored(_stripe(web, _invoice("evt_out", "cus_OUT")), "customer_opted_out")
    _ignored(_stripe(web, _invoice("evt_none", None)), "no_customer")
    assert _stripe(web, _invoice("evt_a1", "cus_A")).status_code == 202
    _ignored(_stripe(web, _invoice("evt_a2", "cus_A", kind="invoice.sent")), "customer_recently_surveyed")
    # Still 4xx: a forged or garbled request is the sender's mistake, and says so.
    forged = _stripe(web, _invoice("evt_forged", "cus_B"), secret="whsec_not-it")
    assert (forged.status_code, forged.json()["reason"]) == (401, "bad_signature")
    garbled = _stripe(web, b'{"id": "evt_x", "type": ')
    assert (garbled.status_code, garbled.json()["reason"]) == (400, "malformed_json")
    with sessions() as session:
        assert list(session.scalars(select(TouchpointEvent.event_id))) == ["stripe:evt_a1"]
    assert _count(sessions, OutboxMessage) == 1
    assert _refs(sessions) == ["cus_A", "cus_OUT"]


def test_shopify_and_zendesk_are_told_2xx_for_what_they_must_not_retry(web: WebService, sessions) -> None:
    guest = {**shopify_order(), "customer": None}
    _ignored(_shopify(web, guest, "guest-1"), "no_customer")
    assert _shopify(web, shopify_order(), "first").status_code == 202
    again = {**shopify_order(), "id": 820982911946154509, "name": "#1002"}
    _ignored(_shopify(web, again, "second"), "customer_recently_surveyed")

    with sessions.begin() as session:
        session.add(Customer(ref="999", opted_out=True))
    opted_out = zendesk_solved(ticket="6001")
    opted_out["detail"]["requester_id"] = "999"
    _ignored(_zendesk(web, opted_out), "customer_opted_out")
    nobody = {**zendesk_solved(ticket="6002"), "id": "no-requester"}
    nobody["detail"] = {k: v for k, v in nobody["detail"].items() if k != "requester_id"}
    _ignored(_zendesk(web, nobody), "no_customer")
    with sessions() as session:
        assert list(session.scalars(select(TouchpointEvent.event_id))) == ["shopify:first"]
    assert _count(sessions, OutboxMessage) == 1


def test_the_native_route_keeps_its_documented_refusals(web: WebService, sessions) -> None:
    """/webhooks/touchpoint is ours: its senders read 403/429 (README), so it keeps them."""
    with sessions.begin() as session:
        session.add(Customer(ref="C-OUT", opted_out=True))
    refused = web.post("/webhooks/touchpoint", *signed(event(customer_ref="C-OUT")))
    assert (refused.status_code, refused.json()["reason"]) == (403, "customer_opted_out")
    assert web.post("/webhooks/touchpoint", *signed(event(event_id="n1"))).status_code == 202
    again = web.post("/webhooks/touchpoint", *signed(event(event_id="n2")))
    assert (again.status_code, again.json()["reason"]) == (429, "customer_recently_surveyed")
