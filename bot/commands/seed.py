"""``siloscope seed``: fill the store with realistic synthetic feedback (see ``bot.synthetic``)."""

from __future__ import annotations

import argparse
import time

from analytics.queries import has_any_response
from analytics.service import load
from bot.errors import UsageError
from bot.settings import get_settings
from bot.store.db import engine_for
from bot.synthetic import seed
from bot.terminal import progress

MAX_ROWS = 10_000_000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Write N synthetic responses over the last D days: silos, touchpoints, channels, "
        "attributions and hand-offs. Existing data is kept."
    )
    parser.add_argument("--rows", type=int, default=5000, help="responses to create (default 5000)")
    parser.add_argument("--days", type=int, default=90, help="spread them over this many days up to today (default 90)")
    parser.add_argument("--seed", type=int, default=7, help="random seed, for repeatable data (default 7)")
    parser.add_argument("--if-empty", action="store_true",
                        help="only when the store has no feedback yet (what `make run` uses for a first demo)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not 1 <= args.rows <= MAX_ROWS:
        raise UsageError(f"--rows must be between 1 and {MAX_ROWS:,}")
    if not 1 <= args.days <= 3650:
        raise UsageError("--days must be between 1 and 3650")
    settings = get_settings()
    engine = engine_for(settings.database_url)
    if args.if_empty:
        with engine.connect() as connection:
            if has_any_response(connection):
                print("The store already has feedback; not seeding.")
                return 0
    started = time.perf_counter()
    with progress("Seeding responses", args.rows) as advance:
        result = seed(engine, load(settings), args.rows, args.days, args.seed, progress=advance)
    print(f"Seeded {result.rows:,} responses (ids {result.first_response_id}–{result.last_response_id}) over "
          f"{args.days} days in {time.perf_counter() - started:.1f} s. Try: siloscope report")
    return 0
