"""Who and what a chat is about: the one translation from a Rasa tracker to ``ConversationRef``.

Every action that stores something goes through :func:`conversation_ref` and :func:`store`,
so the conversation key and context are derived the same way everywhere.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker

from bot.channels.chat_door import VERIFIED_KEY
from bot.channels.references import problem
from bot.feedback import Answers, ConversationRef, FeedbackService, get_feedback_service
from bot.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

CONTEXT_SLOTS = ("customer_ref", "touchpoint", "channel", "order_id", "ticket_id")
# Said when the touchpoint is unknown: "Thinking about <this>: how satisfied are you ...?"
DEFAULT_TOUCHPOINT_LABEL = "your recent experience with us"
_KEY_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4c5b-9a59-6b1d0c6f2e11")


def derived_key(tracker: Tracker) -> str:
    """A stable key for a chat whose survey started without ``action_begin_feedback``.

    Same sender and same session give the same key, so a repeated turn stores one row.
    """
    started = "0"
    for event in tracker.events:
        if event.get("event") == "session_started" or (
            event.get("event") == "action" and event.get("name") == "action_session_start"
        ):
            started = str(event.get("timestamp"))
        elif event.get("event") == "restart":
            started = str(event.get("timestamp"))
    if started == "0" and tracker.events:
        started = str(tracker.events[0].get("timestamp"))
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{tracker.sender_id}|{started}"))


def conversation_key(tracker: Tracker) -> str:
    return tracker.get_slot("conversation_id") or derived_key(tracker)


def clean_context(context: dict[str, Any]) -> dict[str, str | None]:
    """The context with every value of the wrong shape dropped (logged): nothing unvalidated is stored.

    References and the channel must look like references (``bot.channels.references``), the
    touchpoint must be one of silos.yml.
    """
    cleaned: dict[str, str | None] = {}
    for name in CONTEXT_SLOTS:
        value = context.get(name)
        if value in (None, ""):
            cleaned[name] = None
        elif name == "touchpoint":
            cleaned[name] = value if isinstance(value, str) and value in touchpoint_labels() else None
        else:
            cleaned[name] = None if problem(name, value) else value
        if value not in (None, "") and cleaned[name] is None:
            log.warning("dropped a %s of the wrong shape from the chat's context", name)
    return cleaned


def conversation_ref(tracker: Tracker) -> ConversationRef:
    """The stored conversation this chat writes to, with the context the chat knows."""
    context = clean_context({name: tracker.get_slot(name) for name in CONTEXT_SLOTS})
    return ConversationRef(key=conversation_key(tracker), sender_id=tracker.sender_id, **context)


def trusted_context(tracker: Tracker, trigger_intent: str) -> dict[str, Any] | None:
    """The context of a survey trigger from a trusted source, or None for anything a customer could type.

    Trusted are a trigger through Rasa's HTTP API (a signed webhook; only the web service holds the
    Rasa token, and Rasa marks such messages ``is_external``) and the fields of a signed page
    context that Siloscope's input channels verified (``VERIFIED_KEY``). The channels drop any
    metadata a client sends, so neither marker can come from a customer.
    """
    message = tracker.latest_message or {}
    if (message.get("intent") or {}).get("name") != trigger_intent:
        return None
    metadata = message.get("metadata") or {}
    verified = metadata.get(VERIFIED_KEY)
    if isinstance(verified, dict):
        return dict(verified)
    if metadata.get("is_external") is True and str(message.get("text") or "").startswith("EXTERNAL: "):
        return latest_entities(tracker)
    return None


def from_page(tracker: Tracker) -> bool:
    """Whether the latest message carries a signed page context (the widget), not a webhook's trigger."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return isinstance(metadata.get(VERIFIED_KEY), dict)


def key_events(tracker: Tracker) -> dict[str, Any]:
    """Slots to set so later turns reuse a derived key (empty when it is already set)."""
    return {} if tracker.get_slot("conversation_id") else {"conversation_id": derived_key(tracker)}


def service() -> FeedbackService:
    return get_feedback_service()


def _safely(what: str, call: Callable[[], Any]) -> Any:
    """Run a storage read; a failure is logged, never ends the customer's chat."""
    try:
        return call()
    except Exception:
        log.exception("could not %s", what)
        return None


def _kept(what: str, call: Callable[[], None]) -> bool:
    """Run a storage write; False when the answer was not kept, so the chat must not thank for it.

    The feedback service spools writes while the database is down (that counts as kept); it
    raises when the answer is in neither place (disk full, an answer the database refuses).
    """
    try:
        call()
        return True
    except Exception:
        log.exception("could not %s", what)
        return False


def store(tracker: Tracker, answers: Answers) -> bool:
    """Record the answers of this turn on the chat's conversation (idempotent); False if not kept."""
    ref = conversation_ref(tracker)
    return _kept(f"store answers for {ref.key}", lambda: service().record(ref, answers))


def finish(tracker: Tracker) -> bool:
    ref = conversation_ref(tracker)
    return _kept(f"finish {ref.key}", lambda: service().finish(ref))


def restart(tracker: Tracker) -> None:
    ref = conversation_ref(tracker)
    _safely(f"forget the answers of {ref.key}", lambda: service().restart(ref))


def opt_out(tracker: Tracker) -> None:
    ref = conversation_ref(tracker)
    _safely(f"opt out {ref.key}", lambda: service().opt_out(ref))


def add_follow_up(tracker: Tracker, text: str) -> bool:
    """Add words said after the survey ended to this chat's response; False if not kept."""
    ref = conversation_ref(tracker)
    return _kept(f"add a follow-up to {ref.key}", lambda: service().add_follow_up(ref, text))


def request_human(tracker: Tracker) -> None:
    ref = conversation_ref(tracker)
    _safely(f"record a hand-off request for {ref.key}", lambda: service().request_human(ref))


def surveyed_recently(context: dict[str, str | None], current_key: str | None) -> bool:
    """Whether this customer already had a survey about this order and touchpoint (``bot.survey_window``)."""
    return bool(_safely("check earlier surveys", lambda: service().surveyed_recently(
        context["customer_ref"], context["order_id"], context["touchpoint"], current_key)))


def is_opted_out(customer_ref: str | None) -> bool:
    return bool(_safely("check the opt-out", lambda: service().is_opted_out(customer_ref)))


def touchpoint_labels() -> dict[str, str]:
    """Touchpoint names and the labels customers see, from silos.yml (re-read when it changes)."""
    return {name: touchpoint.label for name, touchpoint in load_taxonomy().touchpoints.items()}


def touchpoint_label(touchpoint: str | None) -> str:
    """The touchpoint as it reads inside a sentence ("your invoice or payment")."""
    label = touchpoint_labels().get(touchpoint or "")
    if not label:
        return DEFAULT_TOUCHPOINT_LABEL
    return label[0].lower() + label[1:]


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def latest_entities(tracker: Tracker) -> dict[str, str]:
    """Entity values of the latest message (the trigger's context arrives this way)."""
    found: dict[str, str] = {}
    for entity in (tracker.latest_message or {}).get("entities", []) or []:
        value = entity.get("value")
        if entity.get("entity") and value not in (None, ""):
            found[entity["entity"]] = str(value)
    return found
