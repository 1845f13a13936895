"""Conversation ids Siloscope hands out, so that nobody can pick someone else's.

A Rasa conversation is addressed by its id alone: whoever sends a message as ``C-500`` answers
C-500's survey and reads what the bot asks them. So the ids customers use are issued here, never
chosen by a client: a random part from ``secrets`` and an HMAC over it (with the widget secret),
which lets any Rasa process check that an id is one we issued without shared state. The kind
binds an id to the door it was issued for:

- ``cb``: a survey started by a touchpoint webhook, answered through the ``callback`` channel; the
  customer's reference rides along at the end so the messaging gateway knows whom to reach;
- ``ws``: a website chat session handed out on socket.io's ``session_request``.

Format: ``<kind>.<random>.<mac>[.<customer_ref>]``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

CALLBACK = "cb"
SOCKET = "ws"
KINDS = (CALLBACK, SOCKET)
_MAC_CHARS = 22


@dataclass(frozen=True)
class IssuedId:
    kind: str
    customer_ref: str | None


def _mac(secret: str, kind: str, nonce: str, suffix: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"conversation|{kind}|{nonce}|{suffix}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")[:_MAC_CHARS]


def issue(secret: str, kind: str, customer_ref: str | None = None) -> str:
    """A fresh, unguessable id of ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown conversation kind {kind!r}")
    if not secret:
        raise ValueError("no secret to sign conversation ids with")
    nonce = secrets.token_urlsafe(16)
    suffix = customer_ref or ""
    found = f"{kind}.{nonce}.{_mac(secret, kind, nonce, suffix)}"
    return f"{found}.{suffix}" if suffix else found


def verify(secret: str, conversation_id: object, kind: str) -> IssuedId | None:
    """What an id we issued for ``kind`` says, or None for any other id."""
    if not secret or not isinstance(conversation_id, str) or len(conversation_id) > 256:
        return None
    parts = conversation_id.split(".", 3)
    if len(parts) < 3 or parts[0] != kind:
        return None
    suffix = parts[3] if len(parts) == 4 else ""
    if not hmac.compare_digest(_mac(secret, kind, parts[1], suffix), parts[2]):
        return None
    return IssuedId(kind, suffix or None)


def is_reserved(conversation_id: str) -> bool:
    """Ids of the issued kinds belong to their own door; no client may name one anywhere else."""
    return conversation_id.split(".", 1)[0] in KINDS and "." in conversation_id
