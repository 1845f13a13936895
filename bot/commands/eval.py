"""``siloscope eval attribution|sentiment FILE.csv [--json]``: how good are we on labelled data?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.commands.eval_adapt import add_adaptation_arguments, handle_adaptation
from bot.errors import UsageError
from bot.evaluation import (
    ATTRIBUTION_MODELS,
    SENTIMENT_MODELS,
    DatasetError,
    evaluate_attribution,
    evaluate_sentiment,
    render_text,
)
from bot.taxonomy import TaxonomyError

EVALUATORS = {"attribution": evaluate_attribution, "sentiment": evaluate_sentiment}
MODELS = {"attribution": ATTRIBUTION_MODELS, "sentiment": SENTIMENT_MODELS}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score attribution or sentiment against a labelled CSV",
        description="Score silo attribution (text,silo) or sentiment (text,sentiment) against a labelled "
        "UTF-8 CSV; prints n, accuracy, macro-F1, per-class precision/recall/F1, a confusion matrix and texts/s.",
    )
    parser.add_argument("what", choices=sorted(EVALUATORS), help="which analysis to score")
    parser.add_argument("file", type=Path, help="CSV with a header: text,silo or text,sentiment")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument(
        "--model",
        default="siloscope",
        help="score a baseline instead: 'keywords' (attribution), 'textblob' or 'vader' (sentiment)",
    )
    add_adaptation_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.adapt_labelled is not None:
        return handle_adaptation(args)
    if args.model not in MODELS[args.what]:
        choices = ', '.join(MODELS[args.what])
        raise UsageError(f"unknown --model '{args.model}' for {args.what} (choose from: {choices})")
    try:
        report = EVALUATORS[args.what](args.file, args.model)
    except (DatasetError, TaxonomyError) as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps(report.as_dict()) if args.json else render_text(report, str(args.file)))
    return 0
