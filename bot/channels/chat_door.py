"""What a customer's chat message may be when it enters Rasa, decided before Rasa reads it.

Rasa reads any text that starts with ``/`` as an intent with entities, so a visitor who types
``/touchpoint_completed{"customer_ref": "C-777"}`` would otherwise become C-777. At the door:

- a message longer than ``chat.max_message_bytes`` is refused before NLU sees it;
- a plain ``/intent`` (what answer buttons send) passes, except the survey trigger, which is
  accepted only with a valid signed page context (``bot.channels.page_context``) and then carries
  that context's verified fields as metadata;
- anything else after a slash (entities, confidences) is read as the words it is: the slashes go;
- whatever metadata the client sent is dropped; only what was verified here is handed on;
- the words are cleaned like every stored answer (``bot.privacy.text``: control characters out,
  card numbers and the configured personal data replaced by tags), because Rasa keeps what it
  reads in its tracker store, which our store's redaction never sees.

The Rasa input channels (``rasa_server/``) apply this; the actions read only the verified fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.channels import page_context
from bot.channels.events import EventRejected
from bot.privacy.redaction import ALL
from bot.privacy.text import clean_customer_text
from bot.settings.sections import ChatLimits, RedactionRules

# The metadata key a client puts the signed context under (REST ``metadata``, the widget's customData).
CONTEXT_KEY = "siloscope_context"
# The metadata key the channels hand verified fields on under; anything a client sent there is dropped.
VERIFIED_KEY = "siloscope_verified"
TRIGGER_INTENT = "touchpoint_completed"
COMMAND = re.compile(r"/([A-Za-z_][A-Za-z0-9_]*)")


class DoorRefusal(EventRejected):
    """A chat message refused at the door; answered like every other refused inbound request."""


@dataclass(frozen=True)
class Admitted:
    """The message as Rasa may read it, and the only metadata it carries."""

    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


def too_large(limits: ChatLimits, size: int, what: str = "message") -> DoorRefusal:
    limit = limits.max_message_bytes if what == "message" else limits.max_body_bytes
    return DoorRefusal(413, f"{what}_too_large",
                       f"the {what} is {size} bytes; at most {limit} bytes are accepted (chat.max_{what}_bytes)")


def words_only(text: str) -> str:
    """The text without the leading slashes that would make Rasa read it as an intent."""
    stripped = text.strip()
    while stripped.startswith("/"):
        stripped = stripped[1:].strip()
    return stripped


def admit(text: object, context_token: object, limits: ChatLimits, secret: str, now: float | None = None,
          rules: RedactionRules = ALL) -> Admitted:
    """Decide what Rasa gets for one customer message; ``DoorRefusal`` when it gets nothing."""
    if not isinstance(text, str):
        raise DoorRefusal(400, "invalid_message", "message must be text")
    size = len(text.encode("utf-8"))
    if size > limits.max_message_bytes:
        raise too_large(limits, size)
    stripped = text.strip()
    if not stripped.startswith("/"):
        return Admitted(clean_customer_text(text, rules))
    command = COMMAND.fullmatch(stripped)
    if command is None:
        return Admitted(clean_customer_text(words_only(stripped), rules))
    if command.group(1) != TRIGGER_INTENT:
        return Admitted(stripped)
    if context_token is None:
        raise DoorRefusal(403, "context_required",
                          f"/{TRIGGER_INTENT} starts a survey only with a signed page context "
                          f"(metadata.{CONTEXT_KEY}); see `siloscope context`")
    try:
        verified = page_context.verify(secret, context_token, now)
    except page_context.ContextRejected as rejected:
        raise DoorRefusal(403, rejected.reason, rejected.message) from rejected
    return Admitted(stripped, {VERIFIED_KEY: verified.fields()})
