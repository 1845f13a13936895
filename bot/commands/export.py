"""``siloscope export``: the stored feedback, one record per response, for spreadsheets and scripts."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any, TextIO

from bot.period_syntax import parse_since
from bot.privacy.spreadsheet import safe_cell
from bot.settings import get_settings
from bot.store.db import engine_for, session_factory
from bot.store.repository import count_exported, export_records
from bot.terminal import tracked

CSV_COLUMNS = [
    "response_id", "created_at", "updated_at", "status", "customer_ref", "touchpoint", "channel", "order_id",
    "ticket_id", "score", "effort", "contact_count", "text", "probe_text", "language", "polarity", "subjectivity",
    "sentiment", "sentiment_score", "primary_silo", "confidence", "silos", "handoffs", "human_requested",
    "conversation_status", "nps",
]  # fmt: skip


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default csv)")
    parser.add_argument("--since", help="only responses updated in this window: 12h, 7d, 2w, 6m (months) or a date")
    parser.set_defaults(handler=run)


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """CSV has no lists: silos become 'finance:0.82;sales:0.41', hand-offs 'sales>finance'.

    Every text cell is made formula-safe: customers' words and webhook fields are in it.
    """
    flat = {
        **record,
        "silos": ";".join(f"{s['silo']}:{s['confidence']}" for s in record["silos"]),
        "handoffs": ";".join(f"{h['from']}>{h['to']}" for h in record["handoffs"]),
    }
    return {key: safe_cell(value) for key, value in flat.items()}


def write_csv(records: Any, out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for n, record in enumerate(records, start=1):  # noqa: B007 - n is the count
        writer.writerow(_flat(record))
    return n


def write_json(records: Any, out: TextIO) -> int:
    """A JSON array, written record by record so a large store does not sit in memory."""
    n = 0
    out.write("[")
    for n, record in enumerate(records, start=1):
        out.write(("\n  " if n == 1 else ",\n  ") + json.dumps(record, ensure_ascii=False))
    out.write("\n]\n" if n else "]\n")
    return n


def run(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    with session_factory(engine_for(get_settings().database_url))() as session:
        records = export_records(session, since=since)
        if not sys.stdout.isatty():  # into a file or a pipe: show how far it is (on a terminal the rows show it)
            records = tracked(records, "Exporting responses", count_exported(session, since=since))
        writer = write_csv if args.format == "csv" else write_json
        writer(records, sys.stdout)
    return 0
