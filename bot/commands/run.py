"""``siloscope run`` (what ``make run`` calls): the whole product, supervised, until Ctrl-C.

A server that exits is started again (``Stack.wait``: backoff, a limit, every exit logged), so
one crash never takes the other servers and their conversations down.
"""

from __future__ import annotations

import argparse
import signal
from types import FrameType

from bot.errors import UsageError
from bot.launcher import Stack, StackConfig, StackError, rasa_workers
from bot.settings import PROJECT_ROOT, get_settings
from bot.tokens import actions_token, rasa_token
from bot.web.dashboard_access import dashboard_token


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Start the action server, Rasa (its workers behind one front) and the web service, with the ports "
        "of siloscope.yml (Rasa 5005, actions 5055, web 8000), and keep them running: a server that stops "
        "is restarted. Ctrl-C stops everything. Needs a trained model in models/ (make setup)."
    )
    parser.add_argument("--host", default=None, help="interface to bind (default: $SILOSCOPE_BIND, else 127.0.0.1)")
    parser.set_defaults(handler=run)


STICKY = " (behind one sticky front on the Rasa port: a conversation stays on its worker)"


def banner(config: StackConfig, database_url: str) -> str:
    web = f"http://localhost:{config.web_port}"
    rest = f"http://localhost:{config.rasa_port}/webhooks/rest/webhook"
    return f"""
Siloscope is running.
  Chat (REST):    curl -s {rest} -H 'Content-Type: application/json' \\
                    -d '{{"sender": "me", "message": "hi"}}'
  Chat (website): {web}/   (socket.io on port {config.rasa_port})
  Dashboard:      {web}/dashboard?token={dashboard_token()}
  Reports:        .venv/bin/siloscope report   (--format html -o report.html for the offline report)
  Webhooks in:    {web}/webhooks/touchpoint
  Rasa HTTP API:  http://localhost:{config.rasa_port}  (token in $RASA_TOKEN or var/rasa_token)
  Database:       {database_url}
  Rasa workers:   {config.rasa_workers}{STICKY if config.rasa_workers > 1 else ""}
A server that stops is restarted. Press Ctrl-C to stop everything.
"""


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    config = StackConfig(
        rasa_port=settings.ports.rasa,
        actions_port=settings.ports.actions,
        web_port=settings.ports.web,
        host=args.host or settings.bind,
        rasa_token=rasa_token(),
        actions_token=actions_token(),
        env={"DATABASE_URL": settings.database_url},
        rasa_workers=rasa_workers(settings.rasa.workers),
    )
    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        raise UsageError("no trained model in models/: run `make setup` (or `make run`) first")
    stack = Stack(config)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and a supervisor's SIGTERM both stop everything; SIGINT is set explicitly because a
    # shell that started us in the background may have left it ignored.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        print("Starting the action server, Rasa (loading the model takes a while) and the web service...")
        # Rasa workers load their models side by side: on a busy two-core machine that took over 240 s.
        stack.start(timeout=600.0)
        print(banner(config, settings.database_url), flush=True)
        return stack.wait()
    except StackError as exc:
        raise UsageError(str(exc)) from None
    except KeyboardInterrupt:
        print("\nStopping...")
        stack.stop()
        return 0
