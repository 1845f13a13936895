"""``siloscope report``: friction by silo, touchpoint, channel or period, as a table, CSV, JSON or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.render import FORMATS, render
from analytics.report import GROUPINGS
from analytics.service import ReportOptions, make_report
from bot.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Where customers suffer, which department owns it, and whether it is getting better."
    parser.add_argument("--since", default="30d", help="window: 7d, 12w, 6m, or a date like 2026-01-31 (default 30d)")
    parser.add_argument("--until", help="last day of the window (a date; default today)")
    parser.add_argument("--by", default="silo", help=f"group by: {', '.join(GROUPINGS)} (default silo)")
    parser.add_argument("--silo", help="only responses attributed to this silo")
    parser.add_argument("--touchpoint", help="only responses after this touchpoint")
    parser.add_argument("--channel", help="only responses from this channel")
    parser.add_argument("--tz", help="time zone for days, weeks and months (default: siloscope.yml, else UTC)")
    parser.add_argument("--format", default="table", help=f"{', '.join(FORMATS)} (default table)")
    parser.add_argument("-o", "--output", type=Path, help="write to this file instead of the terminal")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got '{args.format}')")
    if args.output is not None and args.output.is_dir():
        raise UsageError(f"-o {args.output}: is a folder, give a file name")
    if args.output is not None and not args.output.parent.exists():
        raise UsageError(f"-o {args.output}: folder {args.output.parent} does not exist")
    options = ReportOptions(since=args.since, until=args.until, by=args.by, silo=args.silo,
                            touchpoint=args.touchpoint, channel=args.channel, tz=args.tz)
    text = render(make_report(options), args.format)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"-o {args.output}: cannot write ({exc.strerror})") from None
    print(f"Report written to {args.output}", file=sys.stderr)
    return 0
