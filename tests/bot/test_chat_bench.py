"""``bot.chat_bench``: customers with no pause and at a human pace, against a local REST door that records
when each message came."""

from __future__ import annotations

import asyncio
import itertools
import random
import time

from aiohttp import web

from bot import chat_bench

FAST = chat_bench.Pace(ramp_s=0.3, read_s=(0.05, 0.1), chars_per_s=200.0)


async def _drive(pace: chat_bench.Pace | None, clients: int) -> tuple[chat_bench.Level, dict[str, list[float]]]:
    arrivals: dict[str, list[float]] = {}

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        arrivals.setdefault(body["sender"], []).append(time.monotonic())
        return web.json_response([{"text": "ok"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        level = await chat_bench.drive(f"http://127.0.0.1:{port}", chat_bench.moodbot_script, clients, clients,
                                       60.0, pace=pace)
    finally:
        await runner.cleanup()
    return level, arrivals


def test_with_no_pause_each_message_follows_the_last_reply_at_once() -> None:
    level, arrivals = asyncio.run(_drive(None, 3))
    assert level.conversations == 3 and level.failed_turns == 0 and len(level.latencies) == 21
    for times in arrivals.values():
        assert max(b - a for a, b in itertools.pairwise(times)) < 0.05


def test_at_a_human_pace_customers_open_over_the_ramp_then_read_and_type() -> None:
    level, arrivals = asyncio.run(_drive(FAST, 4))
    assert level.conversations == 4 and level.failed_turns == 0 and len(level.latencies) == 28
    script = chat_bench.moodbot_script(0)
    for times in arrivals.values():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        for gap, turn in zip(gaps, script.turns[1:], strict=True):
            assert gap >= FAST.read_s[0] + len(turn.text) / FAST.chars_per_s  # the reply, then reading and typing
    openings = sorted(times[0] for times in arrivals.values())
    assert openings[-1] - openings[0] <= FAST.ramp_s + 0.1
    assert max(level.latencies) < 0.5  # the pause is the customer's, not counted in the turn's latency


def test_a_pause_grows_with_what_the_customer_types() -> None:
    rng = random.Random(1)
    short = [chat_bench.HUMAN_PACE.before(chat_bench.Turn("2"), rng) for _ in range(50)]
    long = [chat_bench.HUMAN_PACE.before(chat_bench.Turn("x" * 60), rng) for _ in range(50)]
    assert min(long) > max(short) and min(short) >= chat_bench.HUMAN_PACE.read_s[0]
