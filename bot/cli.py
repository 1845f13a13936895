"""The ``siloscope`` console command. Each subcommand lives in its own module under ``bot.commands``.

The list below is all ``siloscope --help`` needs, so it imports no subcommand: a subcommand's
module (and with it SQLAlchemy, scikit-learn, Sanic...) is imported only when that subcommand is
named. Its module exposes ``configure(parser)``, which adds its arguments and sets ``handler`` (a
function taking the parsed arguments and returning an exit code). Errors a user can fix raise
``UsageError``: they print one line on stderr and exit 2, never a traceback, with ``--json`` too: stdout
then stays empty, so a script never parses half an answer.
An argument a subcommand does not know is reported with that subcommand's usage, not the top level's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

from bot.errors import UsageError


def _run() -> ModuleType:
    from bot.commands import run

    return run


def _export() -> ModuleType:
    from bot.commands import export

    return export


def _migrate() -> ModuleType:
    from bot.commands import migrate

    return migrate


def _eval() -> ModuleType:
    from bot.commands import eval as eval_command

    return eval_command


def _bench() -> ModuleType:
    from bot.commands import bench

    return bench


def _web() -> ModuleType:
    from bot.commands import web

    return web


def _outbox() -> ModuleType:
    from bot.commands import outbox

    return outbox


def _report() -> ModuleType:
    from bot.commands import report

    return report


def _seed() -> ModuleType:
    from bot.commands import seed

    return seed


def _customer() -> ModuleType:
    from bot.commands import customer

    return customer


def _context() -> ModuleType:
    from bot.commands import context

    return context


def _journey() -> ModuleType:
    from bot.commands import journey

    return journey


def _learn() -> ModuleType:
    from bot.commands import learn

    return learn


def _cases() -> ModuleType:
    from bot.commands import cases

    return cases


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    load: Callable[[], ModuleType]  # imports the module only when called


# Order is the order shown in --help.
COMMANDS = (
    Command("run", "start the action server, Rasa and the web service", _run),
    Command("export", "print stored feedback as CSV or JSON", _export),
    Command("migrate", "create or upgrade the database schema", _migrate),
    Command("eval", "score attribution or sentiment against labelled CSVs", _eval),
    Command("bench", "measure analysis speed (texts/s) as a ratio to TextBlob alone", _bench),
    Command("web", "serve the dashboard, webhooks and demo page", _web),
    Command("outbox", "list or retry queued survey triggers and alerts", _outbox),
    Command("report", "friction report by silo, touchpoint, channel or period (table, CSV, JSON, HTML)", _report),
    Command("seed", "fill the store with realistic synthetic feedback (for demos and benchmarks)", _seed),
    Command("customer", "export or erase one customer's data; apply the retention window", _customer),
    Command("journey", "one customer's touchpoints, answers and hand-offs in time order, by purchase cycle",
            _journey),
    Command("context", "sign a touchpoint context for the website chat or REST", _context),
    Command("learn", "teach attribution the company's labelled examples (CSV, or a helpdesk export)", _learn),
    Command("cases", "list, show, update and close the cases alerts and requests for a person open", _cases),
)


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked (``--help`` stays fast)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("siloscope")
        except PackageNotFoundError:  # run from a checkout that was never installed
            found = "unknown (not installed)"
        print(f"siloscope {found}")
        parser.exit()


def _parser(commands: Sequence[Command], *, configure: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="siloscope",
        description="Siloscope: customer feedback attributed to the department responsible.",
        epilog="Run `siloscope COMMAND --help` for a command's own options.",
    )
    parser.add_argument("--version", action=_Version)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for command in commands:
        # Without its module the subcommand's own --help and arguments are not known yet: let them through.
        sub = subparsers.add_parser(command.name, help=command.help, add_help=configure)
        if configure:
            sub.description = _sentence(command.help)  # a module may say more
            command.load().configure(sub)
            _describe_actions(sub)
    return parser


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _describe_actions(parser: argparse.ArgumentParser) -> None:
    """``outbox list --help`` opens with the line ``outbox --help`` lists it with, unless it has its own."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for listed in action._choices_actions:
                nested = action.choices[listed.dest]
                if not nested.description and listed.help:
                    nested.description = _sentence(listed.help)
                _describe_actions(nested)


def _chosen(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost parser the arguments chose (``outbox list``'s, not ``siloscope``'s)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            name = getattr(args, action.dest, None)
            if name in action.choices:
                return _chosen(action.choices[name], args)
    return parser


def build_parser(names: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser of the named subcommands (all by default), their modules imported."""
    return _parser([c for c in COMMANDS if names is None or c.name in names], configure=True)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse in two steps: find the subcommand with the cheap list, then parse again with its module."""
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen, _rest = _parser(COMMANDS, configure=False).parse_known_args(argv)
    parser = build_parser([chosen.command])
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # argparse would blame the top level and print its usage: the subcommand's helps more
        _chosen(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"siloscope {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
