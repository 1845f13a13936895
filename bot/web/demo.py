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
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, text
from sanic.response import html as html_response

from bot.channels.page_context import PageContext, sign_for
from bot.channels.references import REFERENCE, REFERENCE_RULE
from bot.settings import Settings
from bot.settings.sections import WidgetSettings
from bot.taxonomy import TaxonomyError, load_taxonomy

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_TEMPLATE = Path(__file__).resolve().parent / "demo_page.html"


blueprint = Blueprint("demo")
blueprint.static("/static", str(STATIC_DIR), name="static")


class WidgetConfigError(ValueError):
    """The widget's settings do not fit ``silos.yml`` (its demo touchpoint is not one); the message says why."""


class BadReference(ValueError):
    """A customer or order reference in the page's query string that we will not pass on."""


def rasa_port(settings: Settings) -> int:
    """The Rasa port: the one the launcher started Rasa on (``SILOSCOPE_RASA_URL``), else ``ports.rasa``."""
    started = urlsplit(settings.rasa_url).port if settings.rasa_url else None
    return started or settings.ports.rasa


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
    widget = settings.widget
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
