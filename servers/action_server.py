"""The action server (port 5055): rasa_sdk's own app, answering only the Rasa server that holds the secret.

rasa_sdk 3.6 has no authentication: anyone reaching ``/webhook`` can run any action with any
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

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.endpoint import create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.errors import UsageError
from bot.store.replayer import replay_forever, replay_interval
from bot.tokens import actions_token

OPEN_PATHS = frozenset({"/health"})
logger = logging.getLogger(__name__)


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
    app = create_sdk_app(actions_package, cors_origins="", auto_reload=auto_reload)

    @app.listener("after_server_start")
    async def start_spool_replay(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        app.ctx.spool_replay = asyncio.get_running_loop().create_task(replay_forever(interval))

    @app.listener("before_server_stop")
    async def stop_spool_replay(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        app.ctx.spool_replay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app.ctx.spool_replay

    @app.on_request
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or presents_secret(request, secret):
            return None
        return json({"error": "unauthorized: only the Rasa server may call the action server"}, status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="siloscope-actions"'})

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
        app = create_app(actions_token(), args.actions or "actions", auto_reload=args.auto_reload)
    except UsageError as exc:
        sys.exit(f"action server: {exc}")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Action endpoint is up on %s://%s:%s", "https" if ssl_context else "http", args.host, args.port)
    app.run(args.host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
