"""Starting a survey: Rasa's HTTP API ``trigger_intent`` for one customer.

Rasa must run with ``--enable-api`` (and ``--auth-token`` = ``RASA_TOKEN`` when set). The
bot's replies go to ``output_channel`` (e.g. ``callback``, which posts them to the URL in
credentials.yml); the conversation id is the one intake issued for this survey
(``bot.channels.conversation_ids``), so the customer's own replies through their gateway land in
the same conversation and nobody else can reach it. Entities sent here are trusted by the actions
(Rasa marks the message ``is_external``): only a holder of the Rasa token can send them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from bot.settings.sections import RasaConfig


class DeliveryError(Exception):
    """A peer did not take a message; the outbox will try again later."""


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
    """Posts ``trigger_intent`` requests; any failure becomes a ``DeliveryError`` with the reason."""

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
            return answer.json()
        except ValueError:
            return {}
