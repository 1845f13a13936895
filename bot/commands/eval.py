"""``siloscope eval attribution|sentiment FILE.csv [--json]``: how good are we on labelled data?
``siloscope eval all [DIR|FILE ...]``: every shared set and every CSV given, with the baselines, in one table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.commands.eval_adapt import add_adaptation_arguments, handle_adaptation
from bot.errors import UsageError
from bot.evaluation import (
    ATTRIBUTION_MODELS,
    COLUMNS,
    SENTIMENT_MODELS,
    DatasetError,
    evaluate_rows,
    read_set,
    render_text,
)
from bot.evaluation_suite import evaluate_all, render_table, sample_rows, shared_datasets_dir
from bot.taxonomy import TaxonomyError

MODELS = {"attribution": ATTRIBUTION_MODELS, "sentiment": SENTIMENT_MODELS}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Score silo attribution (text,silo) or sentiment (text,sentiment) against a labelled "
        "UTF-8 CSV; prints n, accuracy, macro-F1, coverage and calibration error (attribution), per-class "
        "precision/recall/F1, a confusion matrix and texts/s. 'all' scores every CSV in the shared datasets "
        "folder and in the folders or files given, with the baselines, in one table."
    )
    analyses = parser.add_subparsers(dest="what", metavar="{all,attribution,sentiment}")
    analyses.required = True
    for what in sorted(MODELS):
        one = analyses.add_parser(what, help=f"score {what} against one CSV (text,{COLUMNS[what]})")
        one.add_argument("paths", nargs=1, type=Path, metavar="FILE", help=f"CSV with a header text,{COLUMNS[what]}")
        one.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
        one.add_argument(
            "--model",
            default="siloscope",
            help="score a baseline instead: 'keywords' (attribution), 'textblob' or 'vader' (sentiment)",
        )
        one.add_argument("--predictions", action="store_true", help="with --json: each row's label and confidence")
        one.add_argument("--sample", type=int, metavar="N", help="score N rows (a seeded draw), not all")
        if what == "attribution":
            add_adaptation_arguments(one)
        one.set_defaults(handler=handle)
    every = analyses.add_parser(
        "all", help="every shared set and every CSV given, with the baselines, in one table (make eval)"
    )
    every.add_argument("paths", nargs="*", type=Path, metavar="DIR_OR_FILE", help="more folders of CSVs, or CSVs")
    every.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    every.add_argument("--sample", type=int, metavar="N", help="score N rows per set (a seeded draw), not all")
    every.add_argument("--no-shared", action="store_true", help="leave out the shared datasets folder")
    every.set_defaults(handler=handle, model="siloscope")


def _sample(args: argparse.Namespace) -> int | None:
    if args.sample is not None and args.sample < 1:
        raise UsageError(f"--sample must be a positive number of rows (got {args.sample})")
    return args.sample


def handle(args: argparse.Namespace) -> int:
    if args.what == "all":
        return _handle_all(args)
    if getattr(args, "adapt_labelled", None) is not None:
        return handle_adaptation(args)
    path = args.paths[0]
    if args.model not in MODELS[args.what]:
        choices = ', '.join(MODELS[args.what])
        raise UsageError(f"unknown --model '{args.model}' for {args.what} (choose from: {choices})")
    try:
        rows = sample_rows(read_set(args.what, path), _sample(args))
        report = evaluate_rows(args.what, rows, args.model, path.stem)
    except (DatasetError, TaxonomyError) as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps(report.as_dict(args.predictions)) if args.json else render_text(report, str(path)))
    return 0


def _handle_all(args: argparse.Namespace) -> int:
    paths = list(args.paths)
    shared = None if args.no_shared else shared_datasets_dir()
    if shared is not None:
        paths.insert(0, shared)
    if not paths:
        raise UsageError("no shared/datasets folder beside the checkout, and no folder or file given")
    try:
        results = evaluate_all(paths, _sample(args))
    except (DatasetError, TaxonomyError) as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps({"shared": str(shared) if shared else None, "sets": [r.as_dict() for r in results]}))
    else:
        print(f"shared datasets: {shared}" if shared else "shared datasets: not found beside the checkout")
        print(render_table(results))
    bad = [r for r in results if r.error]
    if bad:
        print(f"siloscope eval: {len(bad)} set(s) could not be read; fix them and run again", file=sys.stderr)
        return 2
    return 0
