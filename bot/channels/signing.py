"""Request signatures, each the way its tool really signs.

- Siloscope (native events, and our own outbound JSON webhook): ``X-Siloscope-Signature:
  sha256=<hex>``, HMAC-SHA256 of the raw body with ``SILOSCOPE_WEBHOOK_SECRET``.
- Shopify: ``X-Shopify-Hmac-Sha256``, base64 HMAC-SHA256 of the raw body with the app secret.
- Stripe: ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]``, hex HMAC-SHA256 of ``"<t>.<body>"``
  with the endpoint secret; ``t`` must be within the tolerance (replay protection).
- Zendesk: ``X-Zendesk-Webhook-Signature``, base64 HMAC-SHA256 of ``timestamp + body`` where the
  timestamp is ``X-Zendesk-Webhook-Signature-Timestamp``; also checked against the tolerance.

Every comparison is constant-time. A failed check raises ``SignatureError`` with a reason
the sender's admin can act on; it never says what the expected value was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import datetime


class SignatureError(ValueError):
    """The request is not signed by whom it claims; the message says what is wrong."""


class MissingSignature(SignatureError):
    """The request carries no signature at all (usually a sender not yet configured, not an attack)."""


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def siloscope_signature(secret: str, body: bytes) -> str:
    """The header value for a body we send or expect: ``sha256=<hex>``."""
    return "sha256=" + _mac(secret, body).hex()


def verify_siloscope(secret: str, body: bytes, header: str | None) -> None:
    if not header:
        raise MissingSignature("missing X-Siloscope-Signature header")
    if not header.startswith("sha256="):
        raise SignatureError("X-Siloscope-Signature must look like 'sha256=<hex digest>'")
    if not hmac.compare_digest(header.strip(), siloscope_signature(secret, body)):
        raise SignatureError("X-Siloscope-Signature does not match the body")


def shopify_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(_mac(secret, body)).decode("ascii")


def verify_shopify(secret: str, body: bytes, header: str | None) -> None:
    if not header:
        raise MissingSignature("missing X-Shopify-Hmac-Sha256 header")
    if not hmac.compare_digest(header.strip(), shopify_signature(secret, body)):
        raise SignatureError("X-Shopify-Hmac-Sha256 does not match the body")


def stripe_signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = _mac(secret, f"{stamp}.".encode() + body).hex()
    return f"t={stamp},v1={digest}"


def verify_stripe(secret: str, body: bytes, header: str | None, tolerance: int, now: float | None = None) -> None:
    if not header:
        raise MissingSignature("missing Stripe-Signature header")
    stamp: str | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            stamp = value
        elif key == "v1":
            candidates.append(value)
    if not stamp or not stamp.isdigit() or not candidates:
        raise SignatureError("Stripe-Signature must carry t=<timestamp> and at least one v1=<signature>")
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance:
        raise SignatureError(f"Stripe-Signature timestamp is outside the {tolerance}s tolerance")
    expected = _mac(secret, stamp.encode() + b"." + body).hex()
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("Stripe-Signature does not match the body")


def zendesk_signature(secret: str, body: bytes, timestamp: str) -> str:
    return base64.b64encode(_mac(secret, timestamp.encode() + body)).decode("ascii")


def verify_zendesk(
    secret: str, body: bytes, header: str | None, timestamp: str | None, tolerance: int, now: float | None = None
) -> None:
    if not header or not timestamp:
        raise MissingSignature("missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp header")
    try:
        sent = datetime.fromisoformat(timestamp.strip().replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise SignatureError("X-Zendesk-Webhook-Signature-Timestamp is not an ISO 8601 time") from exc
    if abs((time.time() if now is None else now) - sent) > tolerance:
        raise SignatureError(f"X-Zendesk-Webhook-Signature-Timestamp is outside the {tolerance}s tolerance")
    if not hmac.compare_digest(header.strip(), zendesk_signature(secret, body, timestamp.strip())):
        raise SignatureError("X-Zendesk-Webhook-Signature does not match the body")
