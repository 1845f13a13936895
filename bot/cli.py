"""The ``siloscope`` console command. Each subcommand lives in its own module under ``bot.commands``.

A module there exposes ``register(subparsers)``, which adds its parser and sets ``handler``
(a function taking the parsed arguments and returning an exit code). Errors a user can fix
raise ``UsageError``: they print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.errors import UsageError

# Order is the order shown in --help.
COMMAND_MODULES = [
    "bot.commands.run",
    "bot.commands.export",
    "bot.commands.migrate",
    "bot.commands.eval",
    "bot.commands.bench",
    "bot.commands.web",
    "bot.commands.outbox",
    "bot.commands.report",
    "bot.commands.seed",
    "bot.commands.customer",
    "bot.commands.context",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="siloscope",
        description="Siloscope: customer feedback attributed to the department responsible.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"siloscope {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
