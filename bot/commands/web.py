"""``siloscope web``: the web service alone (dashboard, webhooks, demo page) on port 8000."""

from __future__ import annotations

import argparse

from bot.settings import get_settings
from bot.web.app import create_app


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Serve the dashboard, the touchpoint webhooks and the demo page alone, without Rasa "
        "(siloscope run starts everything)."
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default 127.0.0.1; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=None, help="default: ports.web in siloscope.yml (8000)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()  # every section is checked here: a bad one stops us with one line
    # One process, as before Sanic 22: its worker manager would rebuild the app in a child process, from
    # nothing but a name, and the settings read above would not be there.
    create_app(settings).run(host=args.host, port=args.port or settings.ports.web, access_log=False,
                             single_process=True)
    return 0
