"""The demo shop page at ``/`` and the widget's static files under ``/static/``.

The page is what a company's own site would be: an order-status page of a fictitious shop that
embeds the feedback widget with the same one-line snippet the README tells companies to copy.
The server renders the widget's settings into that snippet, because only the server knows where
browsers reach the Rasa socket.io channel (a deployment setting, and a random port under test).
It also plays the company's page server in the one way that matters for trust: it signs the page's
touchpoint context (who the customer is, which order) with the widget secret, and the widget only
passes that token on, so a visitor cannot make themselves someone else.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text
from sanic.response import html as html_response

from bot.channels.page_context import PageContext, sign_for
from bot.channels.references import REFERENCE, REFERENCE_RULE
from bot.settings import Settings
from bot.taxonomy import TaxonomyError, load_taxonomy

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_TEMPLATE = Path(__file__).resolve().parent / "demo_page.html"

SOCKET_URL_ENV = "SILOSCOPE_SOCKET_URL"
RASA_URL_ENV = "SILOSCOPE_RASA_URL"  # set by bot.launcher for every server it starts
STORAGES = ("local", "session")

blueprint = Blueprint("demo")
blueprint.static("/static", str(STATIC_DIR), name="static")


class WidgetConfigError(ValueError):
    """The ``widget`` section of siloscope.yml cannot be used; the message says which key and why."""


class BadReference(ValueError):
    """A customer or order reference in the page's query string that we will not pass on."""


@dataclass(frozen=True)
class WidgetSettings:
    """How the embedded widget reaches the bot and what it shows (``widget:`` in siloscope.yml)."""

    socket_url: str  # empty: the page's own host on the Rasa port
    socket_path: str
    title: str
    subtitle: str
    input_hint: str
    storage: str
    accent_color: str
    channel: str
    demo_touchpoint: str


def widget_settings(settings: Settings) -> WidgetSettings:
    """Read and check the widget section; ``SILOSCOPE_SOCKET_URL`` overrides the socket URL."""
    raw: dict[str, Any] = settings.raw.get("widget") or {}
    if not isinstance(raw, dict):
        raise WidgetConfigError("siloscope.yml: widget must be a mapping of settings")

    def value(key: str, default: str) -> str:
        found = raw.get(key, default)
        if found is None:
            return default
        if not isinstance(found, str):
            raise WidgetConfigError(f"siloscope.yml: widget.{key} must be text, not {found!r}")
        return found.strip()

    result = WidgetSettings(
        socket_url=os.environ.get(SOCKET_URL_ENV, "").strip() or value("socket_url", ""),
        socket_path=value("socket_path", "/socket.io/"),
        title=value("title", "How did we do?"),
        subtitle=value("subtitle", ""),
        input_hint=value("input_hint", "Type your answer…"),
        storage=value("storage", "local"),
        accent_color=value("accent_color", ""),
        channel=value("channel", "web"),
        demo_touchpoint=value("demo_touchpoint", "delivery"),
    )
    if result.storage not in STORAGES:
        raise WidgetConfigError(f"siloscope.yml: widget.storage must be one of {', '.join(STORAGES)}")
    if result.socket_url and not re.match(r"https?://[^/\s]+", result.socket_url):
        raise WidgetConfigError(f"widget socket URL must start with http:// or https://, not {result.socket_url!r}")
    if result.accent_color and not re.fullmatch(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?", result.accent_color):
        raise WidgetConfigError(f"siloscope.yml: widget.accent_color must be like #2f6b46, not {result.accent_color!r}")
    if not result.socket_path.startswith("/"):
        raise WidgetConfigError("siloscope.yml: widget.socket_path must start with /")
    return result


def rasa_port(settings: Settings) -> int:
    """The Rasa port: the one the launcher started Rasa on (``SILOSCOPE_RASA_URL``), else ``ports.rasa``."""
    started = urlsplit(os.environ.get(RASA_URL_ENV, "")).port if os.environ.get(RASA_URL_ENV) else None
    return started or settings.ports["rasa"]


def socket_url_for(request: Request, widget: WidgetSettings, settings: Settings) -> str:
    """Where this visitor's browser reaches Rasa: the configured URL, else this page's host on the Rasa port.

    Using the page's own host name means the page works whether it is opened as localhost, 127.0.0.1
    or the machine's name, without configuration.
    """
    if widget.socket_url:
        return widget.socket_url.rstrip("/")
    host = request.server_name or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # a bare IPv6 address
    return f"{request.scheme}://{host}:{rasa_port(settings)}"


def _reference(request: Request, name: str) -> str:
    found = (request.args.get(name) or "").strip()
    if found and not REFERENCE.fullmatch(found):
        raise BadReference(f"{name} must be {REFERENCE_RULE}")
    return found


def render_page(request: Request, settings: Settings) -> str:
    """The demo page with the embed snippet filled in for this visitor."""
    widget = widget_settings(settings)
    touchpoints = load_taxonomy(settings.silos_file).touchpoints
    if widget.demo_touchpoint not in touchpoints:
        raise WidgetConfigError(
            f"siloscope.yml: widget.demo_touchpoint {widget.demo_touchpoint!r} is not a touchpoint in "
            f"{settings.silos_file.name} (known: {', '.join(sorted(touchpoints))})"
        )
    customer = _reference(request, "customer")
    order = _reference(request, "order") or "NW-10482"
    context = PageContext(touchpoint=widget.demo_touchpoint, customer_ref=customer or None, order_id=order,
                          channel=widget.channel or None)
    attributes = {
        "data-socket-url": socket_url_for(request, widget, settings),
        "data-socket-path": widget.socket_path,
        "data-context": sign_for(settings, context),
        "data-title": widget.title,
        "data-subtitle": widget.subtitle,
        "data-input-hint": widget.input_hint,
        "data-storage": widget.storage,
        "data-accent-color": widget.accent_color,
    }
    snippet = " ".join(f'{name}="{html.escape(val, quote=True)}"' for name, val in attributes.items() if val)
    return Template(PAGE_TEMPLATE.read_text(encoding="utf-8")).substitute(
        widget_attributes=snippet,
        order_id=html.escape(order),
        customer=html.escape(customer or "guest"),
        touchpoint_label=html.escape(touchpoints[widget.demo_touchpoint].label),
    )


@blueprint.get("/")
async def demo_page(request: Request) -> HTTPResponse:
    settings: Settings = request.app.ctx.settings
    try:
        return html_response(render_page(request, settings))
    except BadReference as error:
        return text(f"Bad request: {error}\n", status=400)
    except (WidgetConfigError, TaxonomyError) as error:
        return text(f"The chat widget is misconfigured: {error}\n", status=500)
