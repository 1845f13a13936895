"""The touchpoint context a company's page server signs for the website chat.

A visitor's browser is not a trusted source: anything it sends about who the customer is could
be typed by the visitor. So the page server, which knows who is logged in and which order the
page shows, signs that context with ``SILOSCOPE_WIDGET_SECRET`` (HMAC-SHA256, with an expiry),
the widget passes the token on unchanged, and Rasa's input channels verify it before anything
of it reaches a conversation.

Token: ``v1.<base64url(JSON)>.<base64url(HMAC-SHA256 of "v1." + the JSON part)>``; the JSON holds
``touchpoint``, optional ``customer_ref``, ``order_id``, ``ticket_id``, ``channel`` and ``exp``
(Unix seconds). Sign it in your own stack with the same recipe, or run ``siloscope context``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from dataclasses import asdict, dataclass
from typing import Any

from bot.channels.references import BadReference, checked
from bot.settings import Settings
from bot.settings.sections import MAX_CONTEXT_TTL_SECONDS
from bot.taxonomy import load_taxonomy
from bot.tokens import widget_secret

VERSION = "v1"
TOUCHPOINT = re.compile(r"[a-z][a-z0-9_]{0,63}")
# A context is for one visit: the page is signed when it is rendered, and a reload signs it again.
MAX_TTL_SECONDS = MAX_CONTEXT_TTL_SECONDS
MAX_TOKEN_CHARS = 2048


class ContextRejected(ValueError):
    """A context token we will not use; ``reason`` is machine-readable, the message is for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class PageContext:
    """What the page server vouches for: the touchpoint and who the customer is."""

    touchpoint: str
    customer_ref: str | None = None
    order_id: str | None = None
    ticket_id: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.touchpoint, str) or not TOUCHPOINT.fullmatch(self.touchpoint):
            raise BadReference("touchpoint must be a touchpoint name from silos.yml (lower-case letters, digits, _)")
        for name in ("customer_ref", "order_id", "ticket_id", "channel"):
            checked(name, getattr(self, name))

    def fields(self) -> dict[str, str]:
        """The context without empty fields."""
        return {name: value for name, value in asdict(self).items() if value}

    @classmethod
    def from_fields(cls, data: dict[str, Any]) -> PageContext:
        known = {name: data.get(name) or None for name in ("customer_ref", "order_id", "ticket_id", "channel")}
        return cls(touchpoint=data.get("touchpoint"), **known)  # type: ignore[arg-type]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, signed_part: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), signed_part.encode("ascii"), hashlib.sha256).digest())


def sign(secret: str, context: PageContext, ttl_seconds: int, now: float | None = None) -> str:
    """A token for ``context`` valid for ``ttl_seconds`` (at most a day)."""
    if not secret:
        raise ValueError("no widget secret: set SILOSCOPE_WIDGET_SECRET")
    if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"a context lives between 1 second and {MAX_TTL_SECONDS} seconds, not {ttl_seconds}")
    issued = int(time.time() if now is None else now)
    payload = {**context.fields(), "exp": issued + int(ttl_seconds)}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    signed_part = f"{VERSION}.{body}"
    return f"{signed_part}.{_mac(secret, signed_part)}"


def verify(secret: str, token: object, now: float | None = None) -> PageContext:
    """The context a valid, unexpired token carries; ``ContextRejected`` says why otherwise."""
    if not secret:
        raise ContextRejected("not_configured", "signed contexts are not configured on this server")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise ContextRejected("invalid_context", "the context must be a signed token (siloscope context)")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        raise ContextRejected("invalid_context", "the context is not a Siloscope v1 token")
    if not hmac.compare_digest(_mac(secret, f"{parts[0]}.{parts[1]}"), parts[2]):
        raise ContextRejected("bad_signature", "the context's signature does not match")
    try:
        data = json.loads(_unb64(parts[1]).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ContextRejected("invalid_context", "the context's payload is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int):
        raise ContextRejected("invalid_context", "the context has no expiry")
    if data["exp"] <= int(time.time() if now is None else now):
        raise ContextRejected("context_expired", "the context has expired: the page must sign a new one")
    try:
        return PageContext.from_fields(data)
    except BadReference as exc:
        raise ContextRejected("invalid_context", str(exc)) from exc


def sign_for(settings: Settings, context: PageContext, ttl_seconds: int | None = None) -> str:
    """Sign ``context`` as the company's page server would, after checking its touchpoint is in silos.yml."""
    touchpoints = load_taxonomy(settings.silos_file).touchpoints
    if context.touchpoint not in touchpoints:
        raise BadReference(f"unknown touchpoint {context.touchpoint!r}; known: {', '.join(touchpoints)}")
    return sign(widget_secret(), context, ttl_seconds or settings.widget.context_ttl_seconds)
