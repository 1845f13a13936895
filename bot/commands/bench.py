"""``siloscope bench attribution``: is attribution plus sentiment fast enough, next to TextBlob?

Absolute speeds differ between machines, so the number that matters is the ratio to TextBlob's
sentiment alone, measured in the same run on the same texts. The target (issue 4) is at least
1,000 texts/s for attribution plus sentiment on one core: both rates are texts per second of this
process's CPU time (it runs on one core), so other work on a shared machine does not skew them.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Callable, Sequence
from itertools import cycle, islice
from pathlib import Path

from textblob import TextBlob

from bot.commands import bench_adapt, bench_chat, bench_report
from bot.errors import UsageError

TARGET_TEXTS_PER_S = 1000.0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Time attribution plus sentiment against TextBlob's sentiment alone on the same texts."
    parser.add_argument("what", choices=["attribution", "report", "chat", "adapt"],
                        help="what to time (attribution includes sentiment; report: see bench_report; "
                             "chat: turn latency against rasa init's moodbot, see bench_chat; "
                             "adapt: what learning a company's words gains on real sets, see bench_adapt)")
    parser.add_argument("-n", "--texts", type=int, default=3000, help="how many texts to time (default 3000)")
    parser.add_argument("--file", type=Path, help="take texts from this CSV (column 'text') instead of the examples; "
                        "adapt: this labelled attribution CSV instead of the shared sets")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    bench_report.add_arguments(parser)
    bench_chat.add_arguments(parser)
    bench_adapt.add_arguments(parser)
    parser.set_defaults(handler=handle)


def _texts_from_taxonomy() -> list[str]:
    """Realistic responses: each example sentence alone and joined with another by a connective."""
    from bot.attribution import get_attributor
    from bot.attribution.corpus import training_examples

    examples = [e for silo in get_attributor().taxonomy.silos.values() for e in training_examples(silo)]
    if not examples:
        raise UsageError("the silos have no example sentences to time; pass --file")
    shifted = examples[7:] + examples[:7]
    joined = [f"{a.rstrip('.')} but {b[0].lower()}{b[1:]}" for a, b in zip(examples, shifted, strict=True)]
    return examples + joined


def _rate(function: Callable[[str], object], texts: Sequence[str]) -> float:
    started = time.process_time()
    for text in texts:
        function(text)
    return len(texts) / max(time.process_time() - started, 1e-6)


def handle(args: argparse.Namespace) -> int:
    if args.what == "report":
        return bench_report.handle(args)
    if args.what == "chat":
        return bench_chat.handle(args)
    if args.what == "adapt":
        return bench_adapt.handle(args)
    if args.texts < 1:
        raise UsageError("--texts must be at least 1")
    from bot.attribution import get_attributor
    from bot.sentiment import analyse_sentiment

    if args.file:
        source = _csv_texts(args.file)
    else:
        source = _texts_from_taxonomy()
    texts = list(islice(cycle(source), args.texts))
    attributor = get_attributor()

    def both(text: str) -> None:
        analyse_sentiment(text)
        attributor.attribute(text)

    both(texts[0])  # build models and caches outside the timing
    textblob_rate = _rate(lambda t: TextBlob(t).sentiment, texts)
    ours_rate = _rate(both, texts)
    result = {
        "texts": len(texts),
        "textblob_texts_per_s": round(textblob_rate, 1),
        "attribution_sentiment_texts_per_s": round(ours_rate, 1),
        "ratio_to_textblob": round(ours_rate / textblob_rate, 3),
        "target_texts_per_s": TARGET_TEXTS_PER_S,
        "meets_target": ours_rate >= TARGET_TEXTS_PER_S,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"texts timed:                     {result['texts']}")
        print(f"TextBlob sentiment alone:        {textblob_rate:8.0f} texts/s")
        print(f"attribution + sentiment:         {ours_rate:8.0f} texts/s")
        print(f"ratio to TextBlob (same run):    {result['ratio_to_textblob']:8.3f}")
        print(f"target {TARGET_TEXTS_PER_S:.0f} texts/s:              {'met' if result['meets_target'] else 'NOT met'}")
    return 0


def _csv_texts(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if "text" not in (reader.fieldnames or []):
                raise UsageError(f"{path}: missing column 'text'")
            texts = [row["text"] for row in reader if (row.get("text") or "").strip()]
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc
    if not texts:
        raise UsageError(f"{path}: no texts")
    return texts
