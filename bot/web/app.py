"""The Sanic application behind port 8000.

Sanic is already in the virtualenv (Rasa runs on it), so the web service adds no framework.
Each feature contributes the ``blueprint`` (a ``sanic.Blueprint``) of its own module, listed in
``BLUEPRINTS``; importing them here, not by name, lets the linter and the type checker see them.
"""

from __future__ import annotations

import itertools

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.settings import Settings, get_settings
from bot.web import (
    case_pages,
    customer_messages,
    customer_page,
    dashboard,
    dashboard_exports,
    demo,
    headers,
    journeys_page,
    response_pages,
    retention,
    webhooks,
)

BLUEPRINTS = (demo.blueprint, webhooks.blueprint, dashboard.blueprint, customer_messages.blueprint,
              retention.blueprint, response_pages.blueprint, dashboard_exports.blueprint, customer_page.blueprint,
              journeys_page.blueprint, case_pages.blueprint)

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

    for blueprint in BLUEPRINTS:
        app.blueprint(blueprint)
    return app
