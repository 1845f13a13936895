"""What the three doors share: the limits, the secret, and reading a REST-style JSON body."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sanic.request import Request

from bot.channels.chat_door import CONTEXT_KEY, ChatLimits, DoorRefusal, too_large
from bot.settings import get_settings
from bot.settings.sections import RedactionRules
from bot.tokens import widget_secret

# A message Rasa could not handle (its tracker store away, e.g. PostgreSQL stopped): the conversation did
# not move on, so the customer (or their gateway) is asked to send it again; nothing of the turn is kept.
NOT_TAKEN = DoorRefusal(503, "not_taken", "Sorry, I couldn't take that message just now. "
                                          "Please send it again in a moment.")
SHAPE = 'the body must be a JSON object like {"sender": "...", "message": "..."}'
SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]*")


@lru_cache(maxsize=1)
def limits() -> ChatLimits:
    return get_settings().chat


@lru_cache(maxsize=1)
def redaction() -> RedactionRules:
    return get_settings().privacy.redact


@lru_cache(maxsize=1)
def secret() -> str:
    return widget_secret()


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: Any
    context_token: Any


def check_sender(sender: Any) -> str:
    """The sender id of a REST-style message; refused when missing, never a shared ``default``."""
    if sender is None or sender == "":
        raise DoorRefusal(400, "missing_sender", "sender is required: the id of the conversation (any text you choose)")
    if not isinstance(sender, str):
        raise DoorRefusal(400, "invalid_sender", "sender must be text")
    if len(sender) > limits().max_sender_chars or not SENDER.fullmatch(sender):
        raise DoorRefusal(400, "invalid_sender",
                          f"sender must be 1-{limits().max_sender_chars} letters, digits, '.', '_', ':', '@' or '-', "
                          "starting with a letter or digit")
    return sender


def read_body(request: Request) -> RestMessage:
    """``{"sender": ..., "message": ..., "metadata": {...}}``, or a 4xx ``DoorRefusal``, never a 500."""
    declared = request.headers.get("content-length")
    body = request.body or b""
    size = max(len(body), int(declared) if declared and declared.isdigit() else 0)
    if size > limits().max_body_bytes:
        raise too_large(limits(), size, "body")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DoorRefusal(400, "malformed_json", f"the body is not JSON; {SHAPE}") from exc
    if not isinstance(data, dict):
        raise DoorRefusal(400, "invalid_body", SHAPE)
    sender = check_sender(data.get("sender"))
    if "message" not in data or not isinstance(data["message"], str):
        raise DoorRefusal(400, "invalid_message", "message is required and must be text")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise DoorRefusal(400, "invalid_metadata", "metadata must be a JSON object")
    return RestMessage(sender, data["message"], (metadata or {}).get(CONTEXT_KEY))
