"""Native payloads of common tools, translated into Siloscope touchpoint events.

Each adapter checks the tool's own signature, picks out its "the touchpoint is done" event
and maps it to a touchpoint through ``webhooks.sources.<tool>.events`` in siloscope.yml
(the silo then comes from silos.yml). Events a tool sends that we do not survey on, and events
with nobody to survey, are answered 200 "ignored", so the tool neither retries them (Stripe
retries a 4xx for three days, Shopify eight times) nor disables the webhook.

- Zendesk: event-subscription webhooks (``type: zen:event-type:ticket.status_changed``), key
  ``ticket.<new status>`` (``ticket.solved``). Customer: the ticket's requester (``detail.requester_id``);
  the assignee and group ids (``detail.assignee_id``, ``group_id``) are kept for the journey.
  Never the ticket's ``external_id``: that links the *ticket* to a record in another system (an
  order, a CRM case) and can name anybody, so surveying it would send one customer's survey, and
  file their answers, under somebody else.
- Shopify: ``X-Shopify-Topic`` (``orders/fulfilled``) with the order as body. Customer: the order's
  customer id (a guest order has none); event id: ``X-Shopify-Event-Id`` (stable across retries),
  else the webhook id.
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
from bot.channels.events import EventRejected, TouchpointEventIn, parse_time, resolve_silo
from bot.settings.sections import SourceConfig
from bot.taxonomy import Taxonomy


@dataclass(frozen=True)
class Ignored:
    """A well-formed event we do not survey on: a machine-readable reason and a sentence for people."""

    reason: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"status": "ignored", "reason": self.reason, "message": self.message}


def _not_mapped(what: str) -> Ignored:
    return Ignored("event_not_mapped", f"{what} is not mapped to a touchpoint in siloscope.yml")




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
    source: SourceConfig, key: str, taxonomy: Taxonomy, customer: tuple[Any, str], **fields: Any
) -> TouchpointEventIn | Ignored:
    """The event, if ``key`` is mapped to a touchpoint and ``customer`` (value, field name) names somebody."""
    touchpoint = source.events.get(key)
    if touchpoint is None:
        return _not_mapped(f"{source.name} event {key!r}")
    value, field = customer
    if value is None or value == "":
        return Ignored("no_customer", f"{source.name} event {key!r} has no customer to survey ({field} is empty); "
                                      "nothing was stored")
    return TouchpointEventIn(
        source=source.name, touchpoint=touchpoint, silo=resolve_silo(taxonomy, touchpoint, None),
        channel=source.channel, customer_ref=str(_need(value, field)), **fields,
    )


def _ids(value: Any) -> tuple[str, ...]:
    """An agent's or group's id as the journey keeps it; nothing when the tool left it empty."""
    return (str(value),) if isinstance(value, (str, int)) and str(value) else ()


def zendesk(data: Any, headers: Headers, source: SourceConfig, taxonomy: Taxonomy) -> TouchpointEventIn | Ignored:
    data = _object(data, "Zendesk event")
    if data.get("type") != "zen:event-type:ticket.status_changed":
        return Ignored("event_not_mapped", f"Zendesk event type {data.get('type')!r} is not a ticket status change")
    detail = _object(data.get("detail"), "detail")
    status = str(_need((data.get("event") or {}).get("current") or detail.get("status"), "event.current")).lower()
    return _event(
        source, f"ticket.{status}", taxonomy, (detail.get("requester_id"), "detail.requester_id"),
        event_id=f"zendesk:{_need(data.get('id'), 'id')}",
        occurred_at=parse_time(_need(data.get("time"), "time"), "time"),
        ticket_id=str(_need(detail.get("id"), "detail.id")),
        assignees=_ids(detail.get("assignee_id")), groups=_ids(detail.get("group_id")),
    )


def shopify(data: Any, headers: Headers, source: SourceConfig, taxonomy: Taxonomy) -> TouchpointEventIn | Ignored:
    data = _object(data, "Shopify order")
    topic = _need(headers.get("X-Shopify-Topic"), "X-Shopify-Topic header")
    if topic not in source.events:
        return _not_mapped(f"Shopify topic {topic!r}")
    customer = data.get("customer") or {}  # a guest order has none
    order_id = _need(data.get("id"), "id")
    delivery = headers.get("X-Shopify-Event-Id") or headers.get("X-Shopify-Webhook-Id") or f"{topic}:{order_id}"
    return _event(
        source, topic, taxonomy, (_object(customer, "customer").get("id"), "customer.id"),
        event_id=f"shopify:{delivery}",
        occurred_at=parse_time(headers.get("X-Shopify-Triggered-At") or _need(data.get("updated_at"), "updated_at"),
                               "updated_at"),
        order_id=str(data.get("name") or order_id),
    )


def stripe(data: Any, headers: Headers, source: SourceConfig, taxonomy: Taxonomy) -> TouchpointEventIn | Ignored:
    data = _object(data, "Stripe event")
    kind = str(_need(data.get("type"), "type"))
    if kind not in source.events:
        return _not_mapped(f"Stripe event type {kind!r}")
    invoice = _object((data.get("data") or {}).get("object"), "data.object")
    return _event(
        source, kind, taxonomy, (invoice.get("customer"), "data.object.customer"),
        event_id=f"stripe:{_need(data.get('id'), 'id')}",
        occurred_at=parse_time(_need(data.get("created"), "created"), "created"),
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
