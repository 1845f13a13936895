"""The action server (port 5055): rasa_sdk's own app, answering only the Rasa server that holds the secret.

rasa_sdk has no authentication: anyone reaching ``/webhook`` can run any action with any
tracker, i.e. store forged feedback or opt any customer out. Rasa sends the shared secret
(``SILOSCOPE_ACTIONS_TOKEN``, else generated once into ``var/actions_token``) as
``Authorization: Bearer`` on every action call (``action_endpoint.headers`` in the endpoints file
the launcher writes); a request middleware refuses everything else before any action runs.
Only ``/health`` stays open, so supervisors can probe it. The server also replays the feedback
spool in the background (``bot.store.replayer``), so answers kept during a database outage reach
the database when it is back even if no customer writes again.

Run as ``python -m servers.action_server --host 127.0.0.1 --port 5055``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import logging
import sys
import warnings
from functools import partial

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.endpoint import create_argument_parser, create_ssl_config
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sanic.worker.loader import AppLoader

from bot.errors import UsageError
from bot.store.replayer import replay_forever, replay_interval
from bot.tokens import actions_token

OPEN_PATHS = frozenset({"/health"})
logger = logging.getLogger(__name__)

# rasa-sdk warns on every action call that its version (3.21) differs from the Rasa server's (3.6).
# The core runs on a Python Rasa 3.6 does not support, so the two differ on purpose: rasa-sdk 3.21
# speaks Rasa 3.6's webhook protocol, and the end-to-end conversations (tests/e2e) prove each answer
# stored. Only that warning, and only for a Rasa 3.6 server, is silenced; any other version still warns.
warnings.filterwarnings("ignore", message=r"Your versions of rasa and rasa_sdk might not be compatible\. "
                        r"You are currently running rasa version 3\.6\.", category=UserWarning)


def presents_secret(request: Request, secret: str) -> bool:
    """Whether the request carries ``Authorization: Bearer <secret>`` (compared in constant time)."""
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), secret.encode())


def create_app(secret: str, actions_package: str = "actions", auto_reload: bool = False) -> Sanic:
    """rasa_sdk's app with no CORS (no browser has business here) behind the shared-secret check."""
    if not secret:
        raise ValueError("the action server needs a shared secret (SILOSCOPE_ACTIONS_TOKEN)")
    interval = replay_interval()  # a bad value is refused before the server starts
    executor = ActionExecutor()
    executor.register_package(actions_package)
    app = create_sdk_app(executor, cors_origins="", auto_reload=auto_reload)

    @app.listener("after_server_start")
    async def start_spool_replay(app: Sanic) -> None:
        app.ctx.spool_replay = asyncio.get_running_loop().create_task(replay_forever(interval))

    @app.listener("before_server_stop")
    async def stop_spool_replay(app: Sanic) -> None:
        app.ctx.spool_replay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.ctx.spool_replay

    # Registered before rasa_sdk's plugins, at the highest priority: nothing runs ahead of the check.
    @app.on_request(priority=1000)
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or presents_secret(request, secret):
            return None
        return json({"error": "unauthorized: only the Rasa server may call the action server"}, status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="siloscope-actions"'})

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def build_parser() -> argparse.ArgumentParser:
    """rasa_sdk's command line (``--port``, ``--actions``, TLS, logging) plus ``--host``."""
    parser = create_argument_parser()
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args: argparse.Namespace = build_parser().parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel,
                                 args.logging_config_file)
    utils.update_sanic_log_level()
    try:
        replay_interval()  # refused here with one line, before Sanic builds the app in its workers
    except UsageError as exc:
        sys.exit(f"action server: {exc}")
    # Sanic 25 runs each worker in a process of its own and builds the app there from this factory
    # (the secret reaches the workers through Sanic's pipe, never a command line).
    loader = AppLoader(factory=partial(create_app, actions_token(), args.actions or "actions", args.auto_reload))
    app = loader.load()
    ssl = create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Action endpoint is up on %s://%s:%s", "https" if ssl else "http", args.host, args.port)
    app.prepare(host=args.host, port=args.port, ssl=ssl, workers=utils.number_of_sanic_workers(), access_log=False)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
