"""The sticky front: one public Rasa port (5005) for several Rasa worker processes.

``siloscope run`` starts it when more than one Rasa worker runs (``bot.launcher``). It does no
checking of its own beyond the chat doors' size limit: every request goes, with its body and
headers as they came, to exactly one of the workers it was started with (never to an address a
request names, so it is no open proxy), and the worker's doors (``rasa_server``: shapes,
senders, signed contexts, the API token) answer it. Which worker (``bot.sticky``):

- ``POST /webhooks/<channel>/webhook`` (REST, callback): by the body's ``sender``. The body is
  read up to ``chat.max_body_bytes`` only; a larger one gets the door's own 413 refusal here, so
  an oversized message never reaches, or waits for, any worker.
- ``/conversations/<id>/...`` (Rasa's HTTP API, e.g. the survey trigger): by ``<id>``, the same
  worker as that conversation's chat messages.
- socket.io: a connection's polls and its websocket upgrade by the worker number in its
  engine.io session id; a new connection goes to the next worker in turn.
- anything else (``/status``, ``/model/parse``): the next worker in turn.

Run as ``python -m bot.front --port 5005 --worker http://127.0.0.1:P1 --worker ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import re
from collections.abc import Sequence

import aiohttp
from aiohttp import web

from bot.channels.chat_door import ChatLimits, too_large
from bot.settings import get_settings
from bot.sticky import worker_for, worker_of_sid

log = logging.getLogger(__name__)

CHAT_WEBHOOK = re.compile(r"/webhooks/[^/]+/webhook/?")
CONVERSATION = re.compile(r"/conversations/([^/]+)(?:/.*)?")
SOCKET_PATH = "/socket.io"
# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade"})
WEBSOCKET_OWN = frozenset({"sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
                           "sec-websocket-protocol"})
# A turn may wait for the action server's retries (rasa_server.durability, 45 s by default).
UPSTREAM_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=300)


class Front:
    """Routes each request to one worker; ``app()`` is the aiohttp application."""

    def __init__(self, workers: Sequence[str], limits: ChatLimits, socket_path: str = SOCKET_PATH,
                 websocket_max_bytes: int | None = None) -> None:
        if not workers:
            raise ValueError("the front needs at least one worker")
        self.workers = [w.rstrip("/") for w in workers]
        self.limits = limits
        self.socket_path = socket_path.rstrip("/") or SOCKET_PATH
        # The socket.io door's own transport cap (rasa_server.socketio: 4 × the body limit).
        self.websocket_max_bytes = websocket_max_bytes or limits.max_body_bytes * 4
        self._turn = itertools.cycle(range(len(self.workers)))
        self._session: aiohttp.ClientSession | None = None
        self._away: set[str] = set()  # workers not answering: logged once until they answer again

    def app(self) -> web.Application:
        application = web.Application(client_max_size=self.limits.max_body_bytes)
        application.router.add_route("*", "/{tail:.*}", self.handle)
        application.on_startup.append(self._open)
        application.on_cleanup.append(self._close)
        return application

    async def _open(self, _app: web.Application) -> None:
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
        self._session = aiohttp.ClientSession(connector=connector, timeout=UPSTREAM_TIMEOUT, auto_decompress=False,
                                              cookie_jar=aiohttp.DummyCookieJar())

    async def _close(self, _app: web.Application) -> None:
        if self._session:
            await self._session.close()

    def next_worker(self) -> int:
        return next(self._turn)

    def route(self, request: web.Request, body: bytes | None) -> int:
        """The worker for this request (``body``: the chat webhook's body, read already)."""
        n = len(self.workers)
        if body is not None:
            return worker_for(_sender(body), n)
        conversation = CONVERSATION.fullmatch(request.path)
        if conversation:
            return worker_for(conversation.group(1), n)
        if _is_socket(request.path, self.socket_path):
            owner = worker_of_sid(request.query.get("sid", ""), n)
            return owner if owner is not None else self.next_worker()
        return self.next_worker()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body: bytes | None = None
        if request.method == "POST" and CHAT_WEBHOOK.fullmatch(request.path):
            body = await self._bounded_body(request)
            if body is None:
                size = request.content_length or self.limits.max_body_bytes + 1
                refusal = too_large(self.limits, size, "body")
                return web.json_response(refusal.as_json(), status=refusal.status)
        worker = self.workers[self.route(request, body)]
        try:
            if request.headers.get("upgrade", "").lower() == "websocket":
                answer = await self._relay_websocket(request, worker)
            else:
                answer = await self._forward(request, worker, body)
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            if worker not in self._away:
                self._away.add(worker)
                log.warning("worker %s is not answering (%s %s: %s)", worker, request.method, request.path, exc)
            return web.json_response({"error": "the Rasa worker for this conversation is not answering; "
                                               "send it again in a moment"}, status=503,
                                     headers={"Retry-After": "5"})
        if worker in self._away:
            self._away.discard(worker)
            log.info("worker %s answers again", worker)
        return answer

    async def _bounded_body(self, request: web.Request) -> bytes | None:
        """The whole body, or None when it is larger than the chat doors accept (read no further)."""
        limit = self.limits.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _forward(self, request: web.Request, worker: str, body: bytes | None) -> web.StreamResponse:
        assert self._session is not None
        headers = _forwarded_headers(request.headers)
        data = body if body is not None else (request.content if request.body_exists else None)
        async with self._session.request(request.method, worker + request.rel_url.raw_path_qs, headers=headers,
                                         data=data, allow_redirects=False) as upstream:
            answer = web.StreamResponse(status=upstream.status, reason=upstream.reason,
                                        headers=_forwarded_headers(upstream.headers))
            await answer.prepare(request)
            async for chunk in upstream.content.iter_any():
                await answer.write(chunk)
            await answer.write_eof()
            return answer

    async def _relay_websocket(self, request: web.Request, worker: str) -> web.StreamResponse:
        """Open the worker's websocket first (its refusal is the client's), then pass frames both ways."""
        assert self._session is not None
        headers = {k: v for k, v in _forwarded_headers(request.headers).items() if k.lower() not in WEBSOCKET_OWN}
        protocols = [p.strip() for p in request.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
        try:
            upstream = await self._session.ws_connect(worker + request.rel_url.raw_path_qs, headers=headers,
                                                      protocols=protocols, autoping=False,
                                                      max_msg_size=self.websocket_max_bytes)
        except aiohttp.WSServerHandshakeError as refused:
            return web.Response(status=refused.status, text=refused.message)
        client = web.WebSocketResponse(protocols=protocols, autoping=False, max_msg_size=self.websocket_max_bytes)
        await client.prepare(request)
        tasks = [asyncio.ensure_future(_pipe(client, upstream)), asyncio.ensure_future(_pipe(upstream, client))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await upstream.close()
            await client.close()
        return client


async def _pipe(source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
                target: web.WebSocketResponse | aiohttp.ClientWebSocketResponse) -> None:
    async for message in source:
        if message.type == aiohttp.WSMsgType.TEXT:
            await target.send_str(message.data)
        elif message.type == aiohttp.WSMsgType.BINARY:
            await target.send_bytes(message.data)
        elif message.type == aiohttp.WSMsgType.PING:
            await target.ping(message.data)
        elif message.type == aiohttp.WSMsgType.PONG:
            await target.pong(message.data)
        else:  # close or error: the other side closes too
            return


def _forwarded_headers(headers: object) -> dict[str, str]:
    """Every end-to-end header as it came (Host, Origin, Authorization included)."""
    return {key: value for key, value in headers.items() if key.lower() not in HOP_BY_HOP}  # type: ignore[attr-defined]


def _is_socket(path: str, socket_path: str) -> bool:
    return path == socket_path or path.startswith(socket_path + "/")


def _sender(body: bytes) -> str:
    """The body's ``sender``; a body without one goes to any worker, whose door refuses it."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    sender = data.get("sender") if isinstance(data, dict) else None
    return sender if isinstance(sender, str) else ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--worker", action="append", required=True, help="a Rasa worker's base URL (repeat)")
    parser.add_argument("--socket-path", default=SOCKET_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s front %(levelname)s %(message)s")
    front = Front(args.worker, get_settings().chat, args.socket_path)
    log.info("sticky front on %s:%s for %d Rasa workers", args.host, args.port, len(args.worker))
    web.run_app(front.app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
