"""``siloscope bench report --rows N``: is the whole department report about as cheap as one GROUP BY?

N synthetic responses are seeded into a scratch SQLite database. A fresh Python process then
times, on that same table and in the same run, (a) one hand-written ``GROUP BY`` of count and
mean score per silo and (b) the whole department report (every metric, changes, hand-offs,
mentions, quotes, themes, rendered to JSON) over all the seeded days. Each is timed three
times, alternating, and the best run counts, so a busy neighbour on the machine hurts both alike.
The measuring process reports its own peak memory, which must stay flat as N grows.
Targets (issue 5) at 1,000,000 rows: ratio ≤ 1.5, report < 3 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.errors import UsageError

GROUP_BY_SQL = "SELECT primary_silo, COUNT(*), AVG(score) FROM feedback_responses GROUP BY primary_silo"
DAYS = 90
TARGET_RATIO = 1.5
TARGET_REPORT_S = 3.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="report: responses to seed (default 100000)")


def _best(function, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def measure(url: str) -> dict[str, float]:
    """Runs in a fresh process: times the GROUP BY and the report, returns them and the peak RSS."""
    from analytics.render import render_json
    from analytics.service import ReportOptions, make_report
    from bot.settings import get_settings
    from bot.store.db import make_engine

    engine = make_engine(url)
    settings = get_settings()
    options = ReportOptions(since=f"{DAYS}d")

    def group_by() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql(GROUP_BY_SQL).fetchall()

    def report() -> None:
        render_json(make_report(options, settings=settings, engine=engine))

    report()  # imports and first connection outside the timing
    times = {"groupby_s": float("inf"), "report_s": float("inf")}
    for _ in range(3):
        times["groupby_s"] = min(times["groupby_s"], _best(group_by, 1))
        times["report_s"] = min(times["report_s"], _best(report, 1))
    times["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def handle(args: argparse.Namespace) -> int:
    if not 1_000 <= args.rows <= 10_000_000:
        raise UsageError("--rows must be between 1,000 and 10,000,000")
    from analytics.service import load
    from bot.settings import get_settings
    from bot.store.db import make_engine, migrate
    from bot.synthetic import seed
    from bot.terminal import progress

    with tempfile.TemporaryDirectory(prefix="siloscope-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        started = time.perf_counter()
        with progress("Seeding the benchmark store", args.rows) as advance:
            seed(engine, load(get_settings()), args.rows, DAYS, progress=advance)
        seed_s = time.perf_counter() - started
        engine.dispose()
        child = subprocess.run(
            [sys.executable, "-c", f"import json; from bot.commands.bench_report import measure; "
                                   f"print(json.dumps(measure({url!r})))"],
            capture_output=True, text=True, check=False,
        )
        if child.returncode != 0:
            raise UsageError(f"measuring failed: {child.stderr.strip().splitlines()[-1:]}")
        times = json.loads(child.stdout.strip().splitlines()[-1])
    result = {
        "rows": args.rows,
        "report_s": round(times["report_s"], 4),
        "groupby_s": round(times["groupby_s"], 4),
        "ratio": round(times["report_s"] / times["groupby_s"], 3),
        "peak_rss_mb": round(times["peak_rss_mb"], 1),
        "seed_s": round(seed_s, 1),
        "target_ratio": TARGET_RATIO,
        "target_report_s": TARGET_REPORT_S,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"rows:                               {result['rows']:,}")
        print(f"whole department report:            {result['report_s']:.3f} s")
        print(f"one GROUP BY (count, mean score):   {result['groupby_s']:.3f} s")
        print(f"ratio (same run, target ≤ {TARGET_RATIO}):      {result['ratio']:.3f}")
        print(f"peak memory of the measuring run:   {result['peak_rss_mb']:.0f} MB")
        print(f"(seeding took {result['seed_s']:.0f} s, not counted)")
    return 0
