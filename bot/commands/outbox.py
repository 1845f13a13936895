"""``siloscope outbox list|retry``: see what is waiting for a peer, and push it out now.

``retry`` delivers every due message (like the web service's background loop), plus the
messages named with ``--id`` and, with ``--dead``, the dead letters, each with a fresh attempt
budget. It exits 1 when something still failed, so a script can tell.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.channels.outbox import STATUSES, deliver_now, list_messages, requeue
from bot.errors import UsageError
from bot.settings import get_settings
from bot.store.db import engine_for, session_factory
from bot.store.models import OutboxMessage
from bot.terminal import render, table


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="show queued, delivered and dead messages, newest first")
    listing.add_argument("--status", choices=STATUSES, help="only messages in this state")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=run_list)
    retry = actions.add_parser("retry", help="deliver due messages now; --dead/--id revive failed ones")
    retry.add_argument("--id", type=int, action="append", dest="ids", help="also retry this message (repeatable)")
    retry.add_argument("--dead", action="store_true", help="also retry every dead-lettered message")
    retry.set_defaults(handler=run_retry)


def _factory():  # type: ignore[no-untyped-def]
    return session_factory(engine_for(get_settings().database_url))


def _row(message: OutboxMessage) -> dict[str, object]:
    return {
        "id": message.id, "status": message.status, "kind": message.kind, "destination": message.destination,
        "attempts": message.attempts, "next_attempt_at": message.next_attempt_at.isoformat() + "Z",
        "delivered_at": message.delivered_at.isoformat() + "Z" if message.delivered_at else None,
        "dedupe_key": message.dedupe_key, "last_error": message.last_error,
    }


def _short(error: str, limit: int = 160) -> str:
    """A peer's error can be a whole HTML page: two lines of it say what failed, --json has it all."""
    return error if len(error) <= limit else error[: limit - 1] + "…"


def run_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    rows = [_row(m) for m in list_messages(_factory(), status=args.status, limit=args.limit)]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print("outbox is empty" if not args.status else f"no {args.status} messages")
        return 0
    body = [[str(row["id"]), str(row["status"]), str(row["kind"]), str(row["destination"]), str(row["attempts"]),
             "-" if row["status"] in ("delivered", "dead") else str(row["next_attempt_at"])[:19],
             _short(str(row["last_error"] or ""))] for row in rows]
    headers = ["ID", "Status", "Kind", "Destination", "Tries", "Next attempt (UTC)", "Last error"]
    sys.stdout.write(render(table(headers, body, numeric=(0, 4))))
    return 0


def run_retry(args: argparse.Namespace) -> int:
    settings = get_settings()
    factory = _factory()
    if args.ids:
        with factory() as session:
            known = {i for i in args.ids if session.get(OutboxMessage, i) is not None}
        missing = sorted(set(args.ids) - known)
        if missing:
            raise UsageError(f"no outbox message with id {', '.join(map(str, missing))}")
    revived = requeue(factory, ids=args.ids, dead=args.dead)
    report = deliver_now(settings)
    if revived:
        print(f"revived {revived} message(s)")
    print(f"outbox: {report.summary()}")
    return 1 if report.failed or report.dead or report.deferred else 0
