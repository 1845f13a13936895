"""Rasa's socket.io door for the website widget, with sessions only the server hands out.

Rasa's own channel lets the browser name its session (``session_request`` with any
``session_id``) and even name another one on every message, so asking for ``C-500`` reads and
answers C-500's conversation. Here a session id is one this server issued
(``bot.channels.conversation_ids``, kind ``ws``; a reload may resume it because it verifies), a
socket speaks only in the session it was confirmed, and each message is admitted by
``bot.channels.chat_door`` (size, ``/intent`` text, the signed page context in ``customData``).
A message Rasa could not handle (its tracker store away) gets "please send it again", as at the
REST door, instead of silence: the conversation did not move on and nothing of the turn is kept.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.core.channels.channel
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.chat_door import CONTEXT_KEY, DoorRefusal, admit
from bot.channels.conversation_ids import SOCKET, issue, verify
from bot.sticky import this_worker, worker_sid
from rasa_server import door

log = logging.getLogger(__name__)
# Transport cap: frames above this close the socket; between the door's limit and this the visitor
# is told the message is too long.
TRANSPORT_FACTOR = 4
# What a visitor reads when the door refuses their message.
CUSTOMER_SENTENCES = {
    "message_too_large": "That message is too long for me. Could you shorten it a little?",
    "body_too_large": "That message is too long for me. Could you shorten it a little?",
    "context_required": "This feedback chat could not be started for this page. Please reload the page.",
    "context_expired": "This feedback chat has expired. Please reload the page to start again.",
}
DEFAULT_SENTENCE = "Sorry, I could not take that message. Please reload the page and try again."


class GuardedSocketIOInput(SocketIOInput):
    """socket.io input with server-issued sessions (always persistent: a reload keeps the chat)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        credentials = {"metadata_key": "customData", **(credentials or {})}
        return super().from_credentials(credentials)  # type: ignore[return-value]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        transport_cap = door.limits().max_body_bytes * TRANSPORT_FACTOR
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=transport_cap)
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        worker = this_worker()
        if worker is not None:  # one of several workers: the sticky front routes a connection by its sid
            new_sid = sio.eio.generate_id
            sio.eio.generate_id = lambda: worker_sid(worker, new_sid())
        sessions: dict[str, str] = {}  # socket id -> the conversation it was confirmed

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and rasa.core.channels.channel.decode_bearer_token(token, self.jwt_key,
                                                                                  self.jwt_algorithm))

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session = asked if verify(door.secret(), asked, SOCKET) else issue(door.secret(), SOCKET)
            previous = sessions.get(sid)
            if previous and previous != session:
                sio.leave_room(sid, previous, namespace=self.namespace)
            sessions[sid] = session
            sio.enter_room(sid, session, namespace=self.namespace)
            await sio.emit("session_confirm", session, room=sid, namespace=self.namespace)

        async def tell(sid: str, refusal: DoorRefusal) -> None:
            log.info("socket.io message refused: %s", refusal.reason)
            sentence = CUSTOMER_SENTENCES.get(refusal.reason, DEFAULT_SENTENCE)
            await sio.emit(self.bot_message_evt, {"text": sentence}, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session = sessions.get(sid)
            if session is None:
                log.warning("socket.io message before session_request: ignored")
                return
            if not isinstance(data, dict):
                await tell(sid, DoorRefusal(400, "invalid_message", "a message must be an object"))
                return
            if data.get("session_id") not in (None, session):
                log.warning("socket.io message for a session this socket was not confirmed: ignored")
                return
            try:
                size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
                if size > door.limits().max_body_bytes:
                    raise DoorRefusal(413, "body_too_large", "message too large")
                metadata = data.get(self.metadata_key) or {}
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
                token = metadata.get(CONTEXT_KEY) if isinstance(metadata, dict) else None
                admitted = admit(data.get("message", ""), token, door.limits(), door.secret(), rules=door.redaction())
            except DoorRefusal as refusal:
                await tell(sid, refusal)
                return
            except ValueError:
                await tell(sid, DoorRefusal(400, "invalid_metadata", "metadata is not JSON"))
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            try:
                await on_new_message(UserMessage(admitted.text, output, session, input_channel=self.name(),
                                                 metadata=admitted.metadata))
            except CancelledError:
                raise
            except Exception:  # the tracker store away (rasa_server.tracker_store_guard), or any failed turn
                log.exception("socket.io message not taken")
                await sio.emit(self.bot_message_evt, {"text": door.NOT_TAKEN.message}, room=sid,
                               namespace=self.namespace)

        return webhook
