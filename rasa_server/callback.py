"""Rasa's callback door: the conversations of surveys that touchpoint webhooks start.

The web service issues each such survey its own conversation id (``bot.channels.conversation_ids``,
kind ``cb``); this channel takes only those ids (and REST takes none of them), so a survey
reaches, and is answered by, the customer's messaging gateway only. Every bot message posted to
the gateway names the customer (``customer_ref``) beside the opaque ``recipient_id``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.callback import CallbackOutput
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel
from rasa.utils.endpoints import EndpointConfig
from sanic import response
from sanic.response import HTTPResponse

from bot.channels.chat_door import DoorRefusal
from bot.channels.conversation_ids import CALLBACK, verify
from rasa_server import door
from rasa_server.rest import GuardedRestInput


class CustomerCallbackOutput(CallbackOutput):
    """Posts each bot message to the gateway, with the customer the conversation was issued for."""

    async def _persist_message(self, message: dict[str, Any]) -> None:
        issued = verify(door.secret(), message.get("recipient_id"), CALLBACK)
        if issued is not None and issued.customer_ref:
            message = {**message, "customer_ref": issued.customer_ref}
        await super()._persist_message(message)


class GuardedCallbackInput(GuardedRestInput):
    """Customers' answers from the messaging gateway, for survey conversations we issued only."""

    @classmethod
    def name(cls) -> str:
        return "callback"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(EndpointConfig.from_dict(credentials))

    def __init__(self, endpoint: EndpointConfig) -> None:
        self.callback_endpoint = endpoint

    def check_conversation(self, sender: str) -> None:
        if verify(door.secret(), sender, CALLBACK) is None:
            raise DoorRefusal(403, "unknown_conversation",
                              "sender must be the conversation id of a survey Siloscope started")

    def output_channel(self) -> CollectingOutputChannel:
        return self.get_output_channel()

    def answer(self, collector: CollectingOutputChannel) -> HTTPResponse:
        """Like Rasa's callback channel: the messages go to the gateway, the caller gets "success"."""
        return response.text("success")

    def get_output_channel(self) -> CollectingOutputChannel:
        return CustomerCallbackOutput(self.callback_endpoint)
