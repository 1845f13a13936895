"""``siloscope bench chat``: turn latency of the whole product as a ratio to ``rasa init``'s moodbot.

Starts the product as ``siloscope run`` does (action server, Rasa workers behind the sticky front,
web service) on free ports with a scratch database, and the moodbot as a bare ``rasa run``
(trained once by ``rasa init --no-prompt`` into ``var/bench/moodbot``; delete it to train again).
Both are driven over REST on 127.0.0.1 (``bot.chat_bench``): one customer at a time, eight at
once, then a hundred at once for Siloscope alone, first with no pause between messages (every
customer always waiting for a reply: the most the machine can take), then at a human pace (a
hundred customers in the chat at the same time, reading and typing). Targets (issue 14):
Siloscope's median turn at most 1.5 × the moodbot's, one at a time and eight at once; p95 at most
2 s with a hundred at once; no accepted answer lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import tempfile
from pathlib import Path

from bot.errors import UsageError

TARGET_RATIO = 1.5
TARGET_P95_S = 2.0
MANY = 100


def _levels(raw: str) -> list[int]:
    try:
        levels = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a comma-separated list of numbers") from None
    if not levels or not all(1 <= level <= 500 for level in levels):
        raise argparse.ArgumentTypeError("each level is a number of customers at once, from 1 to 500")
    return levels


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("chat")
    group.add_argument("--levels", type=_levels, default=[1, 8, MANY],
                       help="chat: customers at once, one run each (default 1,8,100)")
    group.add_argument("--reference-levels", type=_levels, default=[1, 8],
                       help="chat: levels also run against the moodbot, for the ratios (default 1,8)")
    group.add_argument("--paced-levels", type=_levels, default=[MANY],
                       help="chat: levels also run at a human pace, customers reading and typing (default 100)")
    group.add_argument("--conversations", type=int, default=24,
                       help="chat: surveys per level, at least one per customer (default 24)")
    group.add_argument("--max-seconds", type=float, default=180.0,
                       help="chat: no new conversation starts after this long in a level (default 180)")
    group.add_argument("--workers", default=None,
                       help="chat: Rasa workers (default: rasa.workers of siloscope.yml, auto = CPU cores)")
    group.add_argument("--reference-model", type=Path,
                       help="chat: a trained model to use as the reference instead of the moodbot")
    group.add_argument("--start-timeout", type=float, default=600.0,
                       help="chat: seconds the servers may take to load their models (default 600)")


def handle(args: argparse.Namespace) -> int:
    if args.conversations < 1 or args.max_seconds <= 0:
        raise UsageError("--conversations must be at least 1 and --max-seconds more than 0")
    if args.reference_model and not args.reference_model.is_file():
        raise UsageError(f"--reference-model {args.reference_model}: no such file")
    from bot.launcher import StackError, rasa_workers
    from bot.settings import PROJECT_ROOT, get_settings, parse

    chosen = parse.rasa({}, args.workers) if args.workers else get_settings().rasa  # --workers: the same check
    workers = rasa_workers(chosen.workers)
    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        raise UsageError("no trained model in models/: run `make setup` first")
    try:
        result = _measure(args, workers, PROJECT_ROOT)
    except (StackError, RuntimeError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps(result))
    else:
        _print(result)
    return 0


def _measure(args: argparse.Namespace, workers: int, root: Path) -> dict:
    from bot import chat_bench
    from bot.channels import page_context
    from bot.launcher import Stack, StackConfig, free_port, rasa_python
    from bot.sticky import worker_for
    from bot.store.db import make_engine, migrate

    python = rasa_python()
    reference_model = args.reference_model or chat_bench.moodbot_model(root / "var" / "bench" / "moodbot", python)
    with tempfile.TemporaryDirectory(prefix="siloscope-bench-chat-") as scratch:
        var = Path(scratch)
        database_url = f"sqlite:///{var / 'bench.db'}"
        engine = make_engine(database_url)
        migrate(engine)
        engine.dispose()
        widget_secret = secrets.token_urlsafe(32)
        config = StackConfig(
            rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), run_dir=var / "run",
            env={"DATABASE_URL": database_url, "SILOSCOPE_VAR": str(var), "SILOSCOPE_WIDGET_SECRET": widget_secret,
                 "SILOSCOPE_WEBHOOK_SECRET": secrets.token_urlsafe(32)},
            log_to_files=True, rasa_workers=workers,
        )

        def sign(_sender: str, customer: str) -> str:
            context = page_context.PageContext(touchpoint="delivery", customer_ref=customer, order_id="B-1")
            return page_context.sign(widget_secret, context, ttl_seconds=3600)

        reference = chat_bench.ReferenceBot(reference_model, var / "reference", free_port(), python)
        stack = Stack(config)
        try:
            stack.start(timeout=args.start_timeout)
            reference.wait_ready(args.start_timeout)
            return asyncio.run(_levels_run(args, config.rasa_url, reference.url, workers, sign, database_url,
                                           worker_for))
        except BaseException:
            for server in stack.servers:
                if server.log_path and server.process and server.process.poll() is not None:
                    print(f"{server.name} exited; its log: {server.log_path.read_text(errors='replace')[-2000:]}")
            raise
        finally:
            stack.stop()
            reference.stop()


async def _levels_run(args: argparse.Namespace, ours: str, reference: str, workers: int, sign, database_url: str,
                      worker_for) -> dict:  # type: ignore[no-untyped-def]
    from bot import chat_bench

    # Warm-up, not counted: the first turns of a fresh Rasa process load lazily, on every worker.
    def warm(number: int) -> chat_bench.Script:
        sender = ""
        while not sender or worker_for(sender, workers) != number % workers:
            sender = f"bench-warm-{secrets.token_hex(6)}"
        return chat_bench.survey_script(number, sign, sender)

    await chat_bench.drive(ours, warm, workers, 2 * workers, args.max_seconds)
    await chat_bench.drive(reference, chat_bench.moodbot_script, 1, 3, args.max_seconds)

    def survey(number: int) -> chat_bench.Script:
        return chat_bench.survey_script(number, sign)

    accepted = chat_bench.Accepted()
    levels: dict[str, dict] = {}
    for clients in args.levels:
        conversations = max(args.conversations, clients)
        entry: dict = {}
        if clients in args.reference_levels:
            moodbot = await chat_bench.drive(reference, chat_bench.moodbot_script, clients, conversations,
                                             args.max_seconds)
            entry["moodbot"] = moodbot.summary()
        siloscope = await chat_bench.drive(ours, survey, clients, conversations, args.max_seconds, accepted)
        entry["siloscope"] = siloscope.summary()
        if clients in args.paced_levels:
            paced = await chat_bench.drive(ours, survey, clients, clients, args.max_seconds, accepted,
                                           pace=chat_bench.HUMAN_PACE)
            entry["siloscope_human_pace"] = paced.summary()
        if "moodbot" in entry and entry["moodbot"]["p50_ms"]:
            entry["ratio_p50"] = round(entry["siloscope"]["p50_ms"] / entry["moodbot"]["p50_ms"], 2)
        levels[str(clients)] = entry
    answers = chat_bench.count_stored(database_url, accepted)
    ratios = [entry["ratio_p50"] for entry in levels.values() if "ratio_p50" in entry]
    return {
        "workers": workers,
        "cpu_cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "levels": levels,
        "answers": answers,
        "target_ratio_p50": TARGET_RATIO,
        "target_p95_ms_at_100": TARGET_P95_S * 1000,
        "meets_ratio": bool(ratios) and all(r <= TARGET_RATIO for r in ratios),
        "meets_p95_at_100": _p95_met(levels, "siloscope"),
        "meets_p95_at_100_human_pace": _p95_met(levels, "siloscope_human_pace"),
        "nothing_lost": answers["lost"] == 0 and answers["duplicated"] == 0 and answers["sent"] > 0,
    }


def _p95_met(levels: dict[str, dict], run: str) -> bool:
    """Whether ``run`` was measured at a hundred or more at once, each time with p95 within the target."""
    p95s = [entry[run]["p95_ms"] for clients, entry in levels.items() if int(clients) >= MANY and run in entry]
    return bool(p95s) and all(p95 <= TARGET_P95_S * 1000 for p95 in p95s)


def _print(result: dict) -> None:
    print(f"Rasa workers: {result['workers']} on {result['cpu_cores']} cores "
          f"(load average at the end: {result['load_average_1m']})")
    print(f"{'at once':>8} {'bot':>10} {'turns':>6} {'p50 ms':>8} {'p95 ms':>8} {'turns/s':>8} {'failed':>6}"
          "  ratio p50")
    for clients, entry in result["levels"].items():
        for bot in ("moodbot", "siloscope", "siloscope_human_pace"):
            if bot in entry:
                row = entry[bot]
                ratio = f"  {entry['ratio_p50']:.2f}" if bot == "siloscope" and "ratio_p50" in entry else ""
                name = "human pace" if bot == "siloscope_human_pace" else bot
                print(f"{clients:>8} {name:>10} {row['turns']:>6} {row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} "
                      f"{row['turns_per_s']:>8.1f} {row['failed_turns']:>6}{ratio}")
    answers = result["answers"]
    print(f"answers accepted {answers['sent']}, stored {answers['stored']}, lost {answers['lost']}, "
          f"duplicated {answers['duplicated']}")
    print(f"p50 ratio ≤ {result['target_ratio_p50']}: {'met' if result['meets_ratio'] else 'NOT met'}; "
          f"p95 ≤ {result['target_p95_ms_at_100']:.0f} ms at 100 at once: "
          f"{'met' if result['meets_p95_at_100'] else 'NOT met'} with no pause, "
          f"{'met' if result['meets_p95_at_100_human_pace'] else 'NOT met'} at a human pace; "
          f"nothing lost: {'yes' if result['nothing_lost'] else 'NO'}")
