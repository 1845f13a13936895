"""``siloscope cases list|show|update|close``: work the cases alerts and requests for a person open.

``list`` is a department's queue (overdue first, then the nearest due time; by default every case
still to work), ``show`` one case with the customer's words and its history, ``update`` changes its
status or owner or adds a note, ``close`` records the outcome. Each change keeps who made it
(``--by``, else the login name). A change that cannot be made prints one line, exits 2 and changes
nothing. What a case is and when one opens: ``bot/cases.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from bot.case_queries import CaseDetail, CaseRow, case_detail, check_filters, list_cases
from bot.cases import STATUSES, NoSuchCase, close, update
from bot.channels.alerts import dashboard_link
from bot.commands.actor import actor
from bot.errors import UsageError
from bot.settings import get_settings
from bot.store.db import engine_for, session_factory
from bot.taxonomy import load_taxonomy
from bot.terminal import render, table


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="cases_command", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="the queue: overdue first, then the nearest due time")
    listing.add_argument("--silo", help="only cases this department owns")
    listing.add_argument("--status", help=f"only cases in this state ({', '.join(STATUSES)}; default: not closed)")
    listing.add_argument("--overdue", action="store_true", help="only cases past their due time")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="one case: the customer's words, due time and history")
    show.add_argument("id", help="the case number (as in the alert's link)")
    show.add_argument("--json", action="store_true", help="print JSON instead of text")
    show.set_defaults(handler=run_show)
    change = actions.add_parser("update", help="change a case's status or owner, or add a note")
    change.add_argument("id", help="the case number")
    change.add_argument("--status", help="open or in_progress (closing needs an outcome: use close)")
    change.add_argument("--owner", help="hand the case to this department (a silo from silos.yml)")
    change.add_argument("--note", help="a note for the history, e.g. what the customer was told")
    change.add_argument("--by", default=None, help="who makes the change (default: the login name)")
    change.set_defaults(handler=run_update)
    shut = actions.add_parser("close", help="close a case with its outcome")
    shut.add_argument("id", help="the case number")
    shut.add_argument("--outcome", required=True, help="what was done, e.g. 'refund issued, customer called back'")
    shut.add_argument("--by", default=None, help="who closes it (default: the login name)")
    shut.set_defaults(handler=run_close)


def _factory():  # type: ignore[no-untyped-def]
    return session_factory(engine_for(get_settings().database_url))


def _case_id(value: str) -> int:
    if not value.strip().lstrip("#").isdigit():
        raise UsageError(f"a case number is a whole number, like 12, not {value!r}")
    return int(value.strip().lstrip("#"))


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "–"


def _due(row: CaseRow) -> str:
    return f"{_when(row.due_at)} OVERDUE" if row.overdue else _when(row.due_at)


def run_list(args: argparse.Namespace) -> int:
    silo, status = (args.silo or "").strip() or None, (args.status or "").strip() or None
    check_filters(load_taxonomy(), silo, status)
    with _factory()() as session:
        rows = list_cases(session, silo=silo, status=status, overdue=args.overdue)
    if args.json:
        json.dump([r.as_json() for r in rows], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if not rows:
        print("no cases" + "".join(f" {k} {v}" for k, v in (("owned by", silo), ("with status", status)) if v)
              + (" past their due time" if args.overdue else ""))
        return 0
    cells = [[str(r.id), r.owner, r.status, _due(r), r.reason, r.quote or ""] for r in rows]
    sys.stdout.write(render(table(["ID", "OWNER", "STATUS", "DUE (UTC)", "WHY", "WORDS"], cells, numeric=[0])))
    return 0


def _detail(case_id: int) -> CaseDetail:
    with _factory()() as session:
        found = case_detail(session, case_id)
    if found is None:
        raise NoSuchCase(f"no case #{case_id}")
    return found


def run_show(args: argparse.Namespace) -> int:
    found = _detail(_case_id(args.id))
    if args.json:
        json.dump(found.as_json(), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    case = found.case
    link = dashboard_link(get_settings().alerts, case.response_id)
    lines = [
        f"Case #{case.id}: {case.status}, owned by {case.owner}",
        f"Why: {case.reason}",
        f"Opened {_when(case.opened_at)} UTC, due {_due(case)} UTC"
        + (f", closed {_when(case.closed_at)} UTC" if case.closed_at else ""),
        f"Customer: {found.customer_ref or '–'} · touchpoint {case.touchpoint or '–'} · "
        f"score {'–' if case.score is None else case.score}",
        f"Response #{case.response_id}: {link}",
        f"Words: {found.text or '(none given)'}",
    ] + ([f"Outcome: {case.outcome}"] if case.outcome else [])
    history = [[_when(e.at), e.by, e.kind, " → ".join(v for v in (e.from_value, e.to_value) if v)
                + (f" {e.note}" if e.note else "")] for e in found.history]
    sys.stdout.write(render("\n".join(lines), table(["WHEN (UTC)", "BY", "WHAT", "DETAIL"], history, title="History")))
    return 0


def run_update(args: argparse.Namespace) -> int:
    case_id = _case_id(args.id)
    status = None if args.status is None else args.status.strip()
    owner = None if args.owner is None else args.owner.strip()
    update(get_settings().database_url, case_id, actor(args.by), status=status, owner=owner, note=args.note)
    case = _detail(case_id).case
    print(f"case #{case_id}: {case.status}, owned by {case.owner}")
    return 0


def run_close(args: argparse.Namespace) -> int:
    case_id = _case_id(args.id)
    close(get_settings().database_url, case_id, args.outcome, actor(args.by))
    print(f"case #{case_id} closed: {args.outcome.strip()}")
    return 0
