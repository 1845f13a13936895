"""The sticky front (``bot.front``) through its HTTP door, in front of two stand-in Rasa workers.

Each stand-in answers with its own name and what it received, so the tests see where a request
went and whether it arrived unchanged.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from bot.channels.chat_door import ChatLimits
from bot.front import Front
from bot.sticky import worker_for, worker_of_sid, worker_sid
from tests.support import free_port

LIMITS = ChatLimits(max_message_bytes=100, max_body_bytes=200, max_sender_chars=64)


def stand_in(index: int, seen: list) -> web.Application:
    async def echo(request: web.Request) -> web.StreamResponse:
        if request.headers.get("upgrade", "").lower() == "websocket":
            socket = web.WebSocketResponse()
            await socket.prepare(request)
            async for message in socket:
                await socket.send_str(f"w{index}:{message.data}")
            return socket
        body = await request.read()
        seen.append((index, request.method, request.path_qs, dict(request.headers), body))
        return web.json_response({"worker": index, "body": body.decode()}, headers={"X-Worker": str(index)})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


def with_front(test: Callable[[str, list], Awaitable[None]]) -> None:
    async def main() -> None:
        seen: list = []
        runners, urls = [], []
        for index in range(2):
            runner = web.AppRunner(stand_in(index, seen))
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
            urls.append(f"http://127.0.0.1:{port}")
        front = web.AppRunner(Front(urls, LIMITS).app())
        await front.setup()
        port = free_port()
        await web.TCPSite(front, "127.0.0.1", port).start()
        try:
            await test(f"http://127.0.0.1:{port}", seen)
        finally:
            for runner in [front, *runners]:
                await runner.cleanup()

    asyncio.run(main())


def senders_on_each_worker() -> tuple[str, str]:
    names = [f"customer-{n}" for n in range(50)]
    return (next(s for s in names if worker_for(s, 2) == 0), next(s for s in names if worker_for(s, 2) == 1))


def test_a_conversation_always_reaches_the_same_worker_body_and_headers_unchanged() -> None:
    first, second = senders_on_each_worker()

    async def test(url: str, seen: list) -> None:
        async with aiohttp.ClientSession() as http:
            for sender, worker in [(first, 0), (second, 1), (first, 0), (second, 1)]:
                body = json.dumps({"sender": sender, "message": "2"}).encode()
                async with http.post(f"{url}/webhooks/rest/webhook?x=1", data=body,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer t"}) as r:
                    assert r.status == 200 and r.headers["X-Worker"] == str(worker)
                    assert (await r.json())["body"] == body.decode()
            # Rasa's HTTP API for a conversation goes where its chat messages go.
            async with http.post(f"{url}/conversations/{second}/trigger_intent?token=abc", json={"name": "x"}) as r:
                assert (await r.json())["worker"] == 1
        _, method, path, headers, _ = seen[0]
        assert (method, path) == ("POST", "/webhooks/rest/webhook?x=1")
        assert headers["Authorization"] == "Bearer t" and headers["Host"].startswith("127.0.0.1:")
        assert seen[-1][2] == "/conversations/" + second + "/trigger_intent?token=abc"

    with_front(test)


def test_an_oversized_chat_body_is_refused_by_the_front_and_reaches_no_worker() -> None:
    async def test(url: str, seen: list) -> None:
        async with aiohttp.ClientSession() as http:
            big = json.dumps({"sender": "s", "message": "x" * 500})
            async with http.post(f"{url}/webhooks/rest/webhook", data=big) as r:
                assert r.status == 413
                assert (await r.json())["reason"] == "body_too_large"

            async def chunks():  # no Content-Length: the front counts what it reads
                for _ in range(10):
                    yield b"x" * 50

            async with http.post(f"{url}/webhooks/callback/webhook", data=chunks()) as r:
                assert r.status == 413
        assert seen == []

    with_front(test)


def test_socketio_polls_follow_the_worker_that_issued_the_sid_and_websockets_are_relayed() -> None:
    async def test(url: str, seen: list) -> None:
        async with aiohttp.ClientSession() as http:
            for worker in (1, 0, 1):
                sid = worker_sid(worker, "AbC-123_x")
                async with http.get(f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}") as r:
                    assert (await r.json())["worker"] == worker
            socket = await http.ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket&sid={worker_sid(1, 'q')}")
            await socket.send_str("2probe")
            assert (await socket.receive()).data == "w1:2probe"
            await socket.close()

    with_front(test)


def test_sids_name_their_worker_and_foreign_sids_none() -> None:
    assert worker_of_sid(worker_sid(3, "xyz"), 4) == 3
    assert worker_of_sid(worker_sid(3, "xyz"), 2) is None
    assert worker_of_sid("plainsid", 2) is None
    assert {worker_for(f"c-{n}", 2) for n in range(20)} == {0, 1}
    assert worker_for("same", 7) == worker_for("same", 7)


def test_a_request_naming_another_host_still_goes_to_a_worker_never_elsewhere() -> None:
    async def test(url: str, seen: list) -> None:
        host, port = url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET http://example.invalid:9/secret HTTP/1.1\r\nHost: example.invalid:9\r\n"
                     b"Connection: close\r\n\r\n")
        await writer.drain()
        answer = await reader.read()
        writer.close()
        assert answer.startswith(b"HTTP/1.1 200")
        assert [(method, path) for _, method, path, _, _ in seen] == [("GET", "/secret")]

    with_front(test)


def test_a_worker_that_is_away_gets_its_conversations_a_503_to_send_again() -> None:
    async def main() -> None:
        front = web.AppRunner(Front([f"http://127.0.0.1:{free_port()}"], LIMITS).app())  # nobody listens there
        await front.setup()
        port = free_port()
        await web.TCPSite(front, "127.0.0.1", port).start()
        try:
            async with aiohttp.ClientSession() as http:
                async with http.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                     json={"sender": "s", "message": "2"}) as r:
                    assert r.status == 503 and r.headers["Retry-After"] == "5"
                    assert "send it again" in (await r.json())["error"]
        finally:
            await front.cleanup()

    asyncio.run(main())
