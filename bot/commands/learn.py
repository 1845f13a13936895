"""``siloscope learn FILE.csv [--mapping MAP.yml]``: teach attribution the company's own words.

The file is the company's labelled history (``text,silo``, or a helpdesk export whose routing column a
mapping file turns into silos: ``bot/attribution/company_file.py``). Its rows are checked whole, stored
in the database (not in git), and the model is retrained at once; running servers pick the new model up
at their next answer. ``--show`` lists what was learnt, ``--forget SOURCE`` takes a file back. ``--from-answers`` learns
from the company's stored answers without labels: the ones the model is sure about become examples of
source ``answers``, replacing the previous run's (run it after a few hundred new answers, e.g. weekly).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bot.commands.actor import actor
from bot.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", type=Path, help="CSV of labelled examples: text,silo (or see --mapping)")
    parser.add_argument("--mapping", type=Path, help="YAML naming the text and label columns and each label's silo")
    parser.add_argument("--source", help="name to remember the file by (default: the file's name)")
    parser.add_argument("--by", help="who adds them, kept with each example (default: the login name)")
    parser.add_argument("--dry-run", action="store_true", help="check the file and say what would be learnt")
    parser.add_argument("--show", action="store_true", help="list the learnt examples per silo and source")
    parser.add_argument("--forget", metavar="SOURCE", help="delete the examples learnt from SOURCE and retrain")
    parser.add_argument("--from-answers", action="store_true",
                        help="self-training: the stored answers the model is sure about become examples "
                        "(source 'answers', replacing the last run's) and the model is retrained")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bot.attribution.company import (
        ANSWERS_SOURCE,
        add_examples,
        company_attributor,
        describe,
        examples_per_silo,
        examples_per_source,
        forget_source,
        learn_from_answers,
    )
    from bot.attribution.company_file import read_company_file, read_mapping
    from bot.corrections import CORRECTION_SOURCE
    from bot.evaluation import DatasetError
    from bot.settings import get_settings, var_dir
    from bot.store.db import engine_for, session_factory
    from bot.taxonomy import load_taxonomy
    from bot.terminal import progress

    chosen = [bool(args.file), args.show, args.forget is not None, args.from_answers]
    if sum(chosen) != 1:
        raise UsageError("give a FILE to learn, or --show, or --forget SOURCE, or --from-answers (one of them)")
    sessions = session_factory(engine_for(get_settings().database_url))
    if args.show:
        with sessions.begin() as session:
            shown = {"per_silo": examples_per_silo(session), "per_source": examples_per_source(session)}
        if args.json:
            print(json.dumps(shown))
        else:
            print(f"learnt examples per silo: {describe(shown['per_silo'])}")
            for source, n in shown["per_source"].items():
                print(f"  {n:6d}  {source}")
        return 0

    silos = list(load_taxonomy().silos)
    started = time.perf_counter()
    if args.forget is not None:
        with sessions.begin() as session:
            removed = forget_source(session, args.forget)
            if not removed:
                raise UsageError(f"nothing was learnt from '{args.forget}' (see: siloscope learn --show)")
            with progress("Retraining attribution", None):
                company_attributor(session)  # retrain now, not at a customer's answer
            per_silo = examples_per_silo(session)
        result: dict[str, object] = {"forgotten": removed, "source": args.forget, "per_silo": per_silo}
        summary = f"forgot {removed} examples from {args.forget}; the company now has {describe(per_silo)}"
    elif args.from_answers:
        with sessions.begin() as session:
            with progress("Learning from the stored answers", None):
                taught = learn_from_answers(session, actor(args.by), var_dir() / "cache")
                if not taught.answers:
                    raise UsageError("there are no stored answers with words to learn from yet; nothing was changed")
                company_attributor(session)  # retrain now, and leave the model on disk for the servers
            per_silo = examples_per_silo(session)
        result = {"source": ANSWERS_SOURCE, "answers": taught.answers, "added": taught.added,
                  "added_per_silo": taught.per_silo, "total": sum(per_silo.values()), "per_silo": per_silo}
        summary = (f"learnt {taught.added} of {taught.answers} stored answers, the ones the model is sure about "
                   f"({describe(taught.per_silo)}); the company now has {describe(per_silo)}")
    else:
        try:
            mapping = read_mapping(args.mapping, silos) if args.mapping else None
            pairs = read_company_file(args.file, silos, mapping)
        except DatasetError as exc:
            raise UsageError(f"{exc}; nothing was learnt") from exc
        source = args.source or args.file.name
        if source in (ANSWERS_SOURCE, CORRECTION_SOURCE):
            raise UsageError(f"the source name '{source}' is kept for examples siloscope makes itself; "
                             "give the file another --source")
        with sessions() as session:
            outcome = add_examples(session, pairs, source, actor(args.by), get_settings().privacy.redact)
            if args.dry_run:
                session.rollback()
            else:
                session.commit()
                if outcome.added:
                    with progress("Retraining attribution", None):
                        company_attributor(session)  # retrain now, and leave the model on disk for the servers
        result = {
            "source": source, "rows": len(pairs), "added": outcome.added, "already_known": outcome.already_known,
            "total": outcome.total, "per_silo": outcome.per_silo, "dry_run": bool(args.dry_run),
        }
        verb = "would learn" if args.dry_run else "learnt"
        summary = (
            f"{verb} {outcome.added} new examples from {source} ({outcome.already_known} already known); "
            f"the company {'would have' if args.dry_run else 'now has'} {outcome.total}: {describe(outcome.per_silo)}"
        )
    result["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(result) if args.json else summary)
    return 0
