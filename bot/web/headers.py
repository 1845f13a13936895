"""Security headers on every response of the web service, and which requests came over HTTPS.

The pages run only our own files: scripts from ``/static`` (no inline script, no eval), styles
from ``/static`` or inline (the report's ``<style>`` and the widget's injected styles), images from
``/static`` or ``data:``. The only other place a page may talk to is the Rasa socket.io channel the
demo page's widget uses (another port, so not ``'self'``). No page may be framed (clickjacking),
no address leaks in a Referer, and no file is sniffed into another type.

Behind a TLS-terminating proxy, set ``SILOSCOPE_TRUSTED_PROXIES`` to the number of proxies in
front of the service: their ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are then believed (and only
then), so the dashboard cookie is marked ``Secure`` and HSTS is sent when the visitor used HTTPS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sanic import Sanic
from sanic.request import Request
from sanic.response import BaseHTTPResponse

from bot.settings import Settings
from bot.taxonomy import TaxonomyError
from bot.web.demo import WidgetConfigError, socket_url_for

FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"


def is_https(request: Request) -> bool:
    """HTTPS as the visitor saw it: TLS here, or a trusted proxy's ``X-Forwarded-Proto``."""
    return request.scheme in ("https", "wss")


def socket_origins(request: Request, settings: Settings) -> list[str]:
    """The origin of the Rasa socket.io channel, for polling (http/https) and the websocket (ws/wss)."""
    try:
        parts = urlsplit(socket_url_for(request, settings.widget, settings))
    except (WidgetConfigError, TaxonomyError):
        return []  # the page itself answers 500 and says why; no origin is allowed meanwhile
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    secure = parts.scheme == "https"
    return [f"{parts.scheme}://{parts.netloc}", f"{'wss' if secure else 'ws'}://{parts.netloc}"]


def content_security_policy(connect: list[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self' data:",
        "connect-src": " ".join(["'self'", *connect]),
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install(app: Sanic) -> None:
    """Trust the configured proxies and add the headers to every response, errors and redirects included."""
    app.config.PROXIES_COUNT = app.ctx.settings.trusted_proxies or None  # SILOSCOPE_TRUSTED_PROXIES

    @app.on_response
    async def security_headers(request: Request, response: BaseHTTPResponse) -> None:
        settings: Settings = request.app.ctx.settings
        for name, value in FIXED_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy",
                                    content_security_policy(socket_origins(request, settings)))
        if is_https(request):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
