"""The Sanic application behind port 8000.

Sanic is already in the virtualenv (Rasa runs on it), so the web service adds no framework.
Each feature contributes a blueprint module listed in ``BLUEPRINT_MODULES``; a module exposes
``blueprint`` (a ``sanic.Blueprint``).
"""

from __future__ import annotations

import importlib
import itertools

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.settings import Settings, get_settings
from bot.web import headers

BLUEPRINT_MODULES: list[str] = [
    "bot.web.demo",
    "bot.web.webhooks",
    "bot.web.dashboard",
    "bot.web.customer_messages",
    "bot.web.retention",
]

_app_counter = itertools.count()


def create_app(settings: Settings | None = None) -> Sanic:
    """Build a fresh application (a unique name each time, as Sanic keeps a registry of apps)."""
    app = Sanic(f"siloscope_web_{next(_app_counter)}")
    app.ctx.settings = settings or get_settings()
    app.config.REQUEST_MAX_SIZE = 1_000_000
    headers.install(app)

    @app.get("/health")
    async def health(_request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    for name in BLUEPRINT_MODULES:
        app.blueprint(importlib.import_module(name).blueprint)
    return app
