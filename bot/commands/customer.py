"""``siloscope customer export|erase|purge-expired|audit``: a customer's rights, on request.

``export REF`` prints everything stored about one customer as JSON (the right of access).
``erase REF`` removes or anonymises it everywhere, spool and callback inbox included (the
right to erasure): it shows what it will touch and asks on a terminal, and refuses without
``--yes`` when nobody is there to ask. ``purge-expired`` applies ``privacy.retention_days``
now (the web service also does it every ``privacy.sweep_minutes``). ``audit`` lists who erased
what and when. What is kept after an erasure, and why: ``bot/privacy/rights.py``.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.commands.actor import actor
from bot.errors import UsageError
from bot.privacy.rights import audit_rows, count_customer, erase_customer, export_customer, purge_expired
from bot.settings import get_settings
from bot.store.db import engine_for, session_factory


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="customer_command", metavar="ACTION")
    actions.required = True
    export = actions.add_parser("export", help="print everything stored about one customer as JSON")
    export.add_argument("ref", help="the customer reference the company uses (as in webhooks)")
    export.set_defaults(handler=run_export)
    erase = actions.add_parser("erase", help="erase one customer's data everywhere (scores stay, anonymous)")
    erase.add_argument("ref", help="the customer reference the company uses (as in webhooks)")
    erase.add_argument("--yes", action="store_true", help="do not ask (required when stdin is not a terminal)")
    erase.add_argument("--by", default=None, help="who asks, for the audit log (default: the login name)")
    erase.set_defaults(handler=run_erase)
    purge = actions.add_parser("purge-expired", help="erase free text older than privacy.retention_days now")
    purge.add_argument("--days", type=int, help="this window instead of privacy.retention_days")
    purge.add_argument("--by", default=None, help="who runs it, for the audit log (default: the login name)")
    purge.set_defaults(handler=run_purge)
    audit = actions.add_parser("audit", help="list erasures and retention sweeps, newest first")
    audit.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    audit.set_defaults(handler=run_audit)


def _factory():  # type: ignore[no-untyped-def]
    return session_factory(engine_for(get_settings().database_url))


def _ref(value: str) -> str:
    ref = value.strip()
    if not ref:
        raise UsageError("give the customer reference, e.g. C-42")
    return ref


def run_export(args: argparse.Namespace) -> int:
    document = export_customer(_factory(), _ref(args.ref))
    if document is None:
        raise UsageError(f"nothing is stored about customer {args.ref!r}")
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False, default=str)
    print()
    return 0


def _confirm(ref: str, counts: dict[str, int]) -> bool:
    what = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    print(f"This erases everything stored about {ref!r} ({what}); scores and silos stay, anonymous.",
          file=sys.stderr)
    try:
        return input("Type the customer reference again to confirm: ").strip() == ref
    except EOFError:
        return False


def run_erase(args: argparse.Namespace) -> int:
    ref = _ref(args.ref)
    if not args.yes and not sys.stdin.isatty():
        raise UsageError("stdin is not a terminal, so nobody can confirm: add --yes to erase without asking")
    factory = _factory()
    counts = count_customer(factory, ref)
    if not any(counts.values()):
        raise UsageError(f"nothing is stored about customer {ref!r}")
    if not args.yes and not _confirm(ref, counts):
        print("not confirmed; nothing was erased", file=sys.stderr)
        return 1
    done = erase_customer(factory, ref, actor(args.by))
    print(f"erased customer {ref!r}: " + ", ".join(f"{kind} {n}" for kind, n in done.items()))
    return 0


def run_purge(args: argparse.Namespace) -> int:
    days = args.days if args.days is not None else get_settings().privacy.retention_days
    if days is None:
        raise UsageError("no retention window: set privacy.retention_days in siloscope.yml or pass --days")
    if days < 1:
        raise UsageError("--days must be at least 1")
    counts = purge_expired(_factory(), days, actor=actor(args.by))
    print(f"free text older than {days} days erased: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))
    return 0


def run_audit(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    rows = [{"at": r.at.isoformat(timespec="seconds") + "Z", "actor": r.actor, "action": r.action,
             "subject": r.subject, "counts": r.counts} for r in audit_rows(_factory(), args.limit)]
    json.dump(rows, sys.stdout, indent=2)
    print()
    return 0
