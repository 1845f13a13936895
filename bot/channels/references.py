"""The shape of the references a conversation carries: customer, order, ticket, channel.

They come from other tools (webhooks), from the company's page (a signed context) and end up in
chat payloads, database columns, alerts and the dashboard. Anything else (markup, spaces, control
characters) is refused where it enters, so no later reader has to guess.
"""

from __future__ import annotations

import re

# Customer, order and ticket references: a Stripe "cus_N1x", a Shopify "#1001", an "NW-10482".
REFERENCE = re.compile(r"[A-Za-z0-9#][A-Za-z0-9._:@#/+-]{0,127}")
# Channel names: "web", "email", "sms", "whatsapp".
CHANNEL = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,63}")
REFERENCE_RULE = "1-128 letters, digits and . _ : @ # / + -, starting with a letter, digit or #"
CHANNEL_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter"
# Which rule each context field follows.
FIELD_PATTERNS = {
    "customer_ref": (REFERENCE, REFERENCE_RULE),
    "order_id": (REFERENCE, REFERENCE_RULE),
    "ticket_id": (REFERENCE, REFERENCE_RULE),
    "channel": (CHANNEL, CHANNEL_RULE),
}


class BadReference(ValueError):
    """A reference that does not have the shape we pass on; the message says which and why."""


def problem(field: str, value: object) -> str | None:
    """Why ``value`` cannot be the ``field`` of a conversation, or None when it can (or is empty)."""
    if value is None or value == "":
        return None
    pattern, rule = FIELD_PATTERNS[field]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        return f"{field} must be {rule}"
    return None


def checked(field: str, value: object) -> str | None:
    """``value`` when it is a valid ``field`` (None when empty); raises ``BadReference`` otherwise."""
    found = problem(field, value)
    if found:
        raise BadReference(found)
    return value or None  # type: ignore[return-value]
