"""``siloscope eval attribution FILE.csv --adapt-labelled K [--seeds N] [--adapt-unlabeled]``: does adapting help?"""

from __future__ import annotations

import argparse
import json

from bot.errors import UsageError
from bot.evaluation import DatasetError
from bot.taxonomy import TaxonomyError


def add_adaptation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--adapt-labelled", type=int, metavar="K",
                        help="attribution: train on K labelled rows per class from the file, score the rest, "
                        "beside a plain TF-IDF logistic regression on the same rows and the zero-shot model")
    parser.add_argument("--seeds", type=int, default=5, help="with --adapt-labelled: draws to average (default 5)")
    parser.add_argument("--adapt-unlabeled", action="store_true",
                        help="with --adapt-labelled: also use the held-out texts, unlabelled, as the company's "
                        "traffic (one round of self-training, as siloscope learn --from-answers)")


def handle_adaptation(args: argparse.Namespace) -> int:
    from bot.attribution.adaptation_eval import evaluate_adaptation

    if args.seeds < 1 or args.adapt_labelled < (0 if args.adapt_unlabeled else 1):
        raise UsageError("--adapt-labelled K and --seeds need a number of at least 1 "
                         "(K may be 0 with --adapt-unlabeled: a company that labelled nothing)")
    try:
        summary = evaluate_adaptation(args.paths[0], args.adapt_labelled, args.seeds, args.adapt_unlabeled)
    except (DatasetError, TaxonomyError) as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps(summary))
    else:
        print("\n".join(f"{name}: {value}" for name, value in summary.items()))
    return 0
