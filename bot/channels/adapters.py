"""Native payloads of common tools, translated into Siloscope touchpoint events.

Each adapter checks the tool's own signature, picks out its "the touchpoint is done" event
and maps it to a touchpoint through ``webhooks.sources.<tool>.events`` in siloscope.yml
(the silo then comes from silos.yml). Events a tool sends that we do not survey on are
answered 200 "ignored", so the tool does not retry them or disable the webhook.

- Zendesk: event-subscription webhooks (``type: zen:event-type:ticket.status_changed``), key
  ``ticket.<new status>`` (``ticket.solved``). Customer: the requester's ``external_id`` when the
  company set one, else the Zendesk requester id.
- Shopify: ``X-Shopify-Topic`` (``orders/fulfilled``) with the order as body. Customer: the order's
  customer id; event id: ``X-Shopify-Event-Id`` (stable across retries), else the webhook id.
- Stripe: event ``type`` (``invoice.sent``, ``invoice.paid``) with the invoice in ``data.object``.
  Customer: the invoice's ``customer`` id.
Freshdesk is not here: its automation webhooks cannot sign requests, so it should post the
native event to ``/webhooks/touchpoint`` through a signing relay instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels import signing
from bot.channels.config import SourceConfig
from bot.channels.events import EventRejected, TouchpointEventIn, parse_time, resolve_silo
from bot.taxonomy import Taxonomy


@dataclass(frozen=True)
class Ignored:
    """A well-formed event of a kind we do not survey on."""

    reason: str


Headers = Mapping[str, str]


def _need(value: Any, what: str) -> Any:
    if value is None or value == "" or isinstance(value, (dict, list)):
        raise EventRejected(422, "invalid_event", f"{what} is missing")
    return value


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise EventRejected(422, "invalid_event", f"{what} must be a JSON object")
    return data


def _event(
    source: SourceConfig, key: str, taxonomy: Taxonomy, **fields: Any
) -> TouchpointEventIn | Ignored:
    touchpoint = source.events.get(key)
    if touchpoint is None:
        return Ignored(f"{source.name} event {key!r} is not mapped to a touchpoint in siloscope.yml")
    return TouchpointEventIn(
        source=source.name, touchpoint=touchpoint, silo=resolve_silo(taxonomy, touchpoint, None),
        channel=source.channel, **fields,
    )


def zendesk(data: Any, headers: Headers, source: SourceConfig, taxonomy: Taxonomy) -> TouchpointEventIn | Ignored:
    data = _object(data, "Zendesk event")
    if data.get("type") != "zen:event-type:ticket.status_changed":
        return Ignored(f"Zendesk event type {data.get('type')!r} is not a ticket status change")
    detail = _object(data.get("detail"), "detail")
    status = str(_need((data.get("event") or {}).get("current") or detail.get("status"), "event.current")).lower()
    return _event(
        source, f"ticket.{status}", taxonomy,
        event_id=f"zendesk:{_need(data.get('id'), 'id')}",
        occurred_at=parse_time(_need(data.get("time"), "time"), "time"),
        customer_ref=str(detail.get("external_id") or _need(detail.get("requester_id"), "detail.requester_id")),
        ticket_id=str(_need(detail.get("id"), "detail.id")),
    )


def shopify(data: Any, headers: Headers, source: SourceConfig, taxonomy: Taxonomy) -> TouchpointEventIn | Ignored:
    data = _object(data, "Shopify order")
    topic = _need(headers.get("X-Shopify-Topic"), "X-Shopify-Topic header")
    if topic not in source.events:
        return Ignored(f"Shopify topic {topic!r} is not mapped to a touchpoint in siloscope.yml")
    customer = _object(data.get("customer"), "the order's customer (guest orders cannot be surveyed)")
    order_id = _need(data.get("id"), "id")
    delivery = headers.get("X-Shopify-Event-Id") or headers.get("X-Shopify-Webhook-Id") or f"{topic}:{order_id}"
    return _event(
        source, topic, taxonomy,
        event_id=f"shopify:{delivery}",
        occurred_at=parse_time(headers.get("X-Shopify-Triggered-At") or _need(data.get("updated_at"), "updated_at"),
                               "updated_at"),
        customer_ref=str(_need(customer.get("id"), "customer.id")),
        order_id=str(data.get("name") or order_id),
    )


def stripe(data: Any, headers: Headers, source: SourceConfig, taxonomy: Taxonomy) -> TouchpointEventIn | Ignored:
    data = _object(data, "Stripe event")
    kind = str(_need(data.get("type"), "type"))
    if kind not in source.events:
        return Ignored(f"Stripe event type {kind!r} is not mapped to a touchpoint in siloscope.yml")
    invoice = _object((data.get("data") or {}).get("object"), "data.object")
    return _event(
        source, kind, taxonomy,
        event_id=f"stripe:{_need(data.get('id'), 'id')}",
        occurred_at=parse_time(_need(data.get("created"), "created"), "created"),
        customer_ref=str(_need(invoice.get("customer"), "data.object.customer")),
        order_id=str(invoice["number"]) if invoice.get("number") else None,
    )


def verify(name: str, secret: str, body: bytes, headers: Headers, tolerance: int) -> None:
    """Check a native request's signature the way its tool signs; raises SignatureError."""
    if name == "zendesk":
        signing.verify_zendesk(secret, body, headers.get("X-Zendesk-Webhook-Signature"),
                               headers.get("X-Zendesk-Webhook-Signature-Timestamp"), tolerance)
    elif name == "shopify":
        signing.verify_shopify(secret, body, headers.get("X-Shopify-Hmac-Sha256"))
    elif name == "stripe":
        signing.verify_stripe(secret, body, headers.get("Stripe-Signature"), tolerance)
    else:  # pragma: no cover - ADAPTERS and this function list the same names
        raise KeyError(name)


Translate = Callable[[Any, Headers, SourceConfig, Taxonomy], "TouchpointEventIn | Ignored"]
ADAPTERS: dict[str, Translate] = {"zendesk": zendesk, "shopify": shopify, "stripe": stripe}
