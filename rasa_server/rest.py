"""Rasa's REST door (``POST /webhooks/rest/webhook``) with Siloscope's checks in front of it.

Same URL and answer as Rasa's own channel; in front: a size limit, 400 for a body of the wrong
shape (never a 500), no conversation without a sender, no sender that names a conversation issued
for another door, and the text and metadata as ``bot.channels.chat_door`` admits them.

A message Rasa could not handle (its tracker store is away, e.g. PostgreSQL stopped) is answered
503 ``not_taken`` with "please send it again", never ``200 []`` (REST) or ``success`` (callback):
the conversation did not move on, so the client or gateway sends it again and nothing is lost.
"""

from __future__ import annotations

import copy
import inspect
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.utils.endpoints
import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.chat_door import Admitted, DoorRefusal, admit
from bot.channels.conversation_ids import is_reserved
from rasa_server import door
from rasa_server.door import NOT_TAKEN

structlogger = structlog.get_logger()



def refused(refusal: DoorRefusal) -> HTTPResponse:
    return response.json(refusal.as_json(), status=refusal.status)


class GuardedRestInput(RestInput):
    """REST input whose senders are the caller's own conversations, never one issued to another door."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def check_conversation(self, sender: str) -> None:
        if is_reserved(sender):
            raise DoorRefusal(403, "conversation_of_another_channel",
                              "this conversation id belongs to another channel and cannot be used here")

    def admitted(self, request: Request) -> tuple[str, Admitted]:
        message = door.read_body(request)
        self.check_conversation(message.sender)
        return message.sender, admit(message.text, message.context_token, door.limits(), door.secret(),
                                     rules=door.redaction())

    def output_channel(self) -> CollectingOutputChannel:
        return CollectingOutputChannel()

    def answer(self, collector: CollectingOutputChannel) -> HTTPResponse:
        """What the caller gets back: the bot's messages."""
        return response.json(collector.messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, message = self.admitted(request)
            except DoorRefusal as refusal:
                structlogger.info("siloscope.door.refused", channel=self.name(), reason=refusal.reason)
                return refused(refusal)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, message.text, sender, self.name(), message.metadata),
                    content_type="text/event-stream",
                )
            collector = self.output_channel()
            try:
                await on_new_message(UserMessage(message.text, collector, sender, input_channel=self.name(),
                                                 metadata=message.metadata))
            except CancelledError:
                structlogger.error("rest.message.received.timeout", text=copy.deepcopy(message.text))
            except Exception:
                structlogger.exception("rest.message.received.failure", text=copy.deepcopy(message.text))
                return refused(NOT_TAKEN)
            return self.answer(collector)

        return webhook
