"""Starting a survey: Rasa's HTTP API ``trigger_intent`` for one customer.

Rasa must run with ``--enable-api`` (and ``--auth-token`` = ``RASA_TOKEN`` when set). The
bot's replies go to ``output_channel`` (e.g. ``callback``, which posts them to the URL in
credentials.yml); the conversation id is the one intake issued for this survey
(``bot.channels.conversation_ids``), so the customer's own replies through their gateway land in
the same conversation and nobody else can reach it. Entities sent here are trusted by the actions
(Rasa marks the message ``is_external``): only a holder of the Rasa token can send them.

Rasa answers 200 even when the action server was away and the survey never started (it logs the
error and drops the action's events). So a trigger counts as delivered only when the tracker in
Rasa's answer shows that ``action_begin_feedback`` ran for it: the ``survey_allowed`` slot set
after the trigger's user event (true, or false for a customer who opted out). Otherwise it is a
``DeliveryError`` and stays in the outbox for the next attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from bot.settings.sections import RasaConfig

# action_begin_feedback (actions/survey.py) sets it on every trigger it handles.
STARTED_SLOT = "survey_allowed"


class DeliveryError(Exception):
    """A peer did not take a message; the outbox will try again later."""


def trigger_handled(tracker: Any) -> bool:
    """Whether the action server handled the latest trigger: ``STARTED_SLOT`` set after its user event."""
    events = tracker.get("events") if isinstance(tracker, dict) else None
    if not isinstance(events, list):
        return False
    kinds = [event.get("event") if isinstance(event, dict) else None for event in events]
    if "user" not in kinds:
        return False
    after_trigger = events[len(kinds) - kinds[::-1].index("user"):]
    return any(event.get("event") == "slot" and event.get("name") == STARTED_SLOT for event in after_trigger)


@dataclass(frozen=True)
class TriggerRequest:
    sender: str
    output_channel: str
    entities: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"sender": self.sender, "output_channel": self.output_channel, "entities": self.entities}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TriggerRequest:
        return cls(sender=data["sender"], output_channel=data["output_channel"], entities=dict(data["entities"]))


class RasaTriggerClient:
    """Posts ``trigger_intent`` requests; any failure, a survey that did not start included, becomes a
    ``DeliveryError`` with the reason."""

    def __init__(self, config: RasaConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.http = session or requests.Session()

    def url(self, sender: str) -> str:
        return f"{self.config.url}/conversations/{quote(sender, safe='')}/trigger_intent"

    def trigger(self, request: TriggerRequest) -> dict[str, Any]:
        params = {"output_channel": request.output_channel, "token": self.config.token}
        body = {"name": self.config.intent, "entities": request.entities}
        try:
            answer = self.http.post(self.url(request.sender), params=params, json=body,
                                    timeout=self.config.timeout_seconds)
        except requests.RequestException as exc:
            raise DeliveryError(f"Rasa at {self.config.url} unreachable: {exc.__class__.__name__}") from exc
        if answer.status_code >= 300:
            raise DeliveryError(f"Rasa answered {answer.status_code}: {answer.text[:200]}")
        try:
            body = answer.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not trigger_handled(body.get("tracker")):
            raise DeliveryError(
                f"Rasa took the trigger for {request.sender} but the survey did not start "
                "(the action server did not handle it; Rasa's log says why)"
            )
        return body
