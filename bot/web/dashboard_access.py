"""Who may see the dashboard, and what every dashboard page module shares: the token, the thread, the origin.

Every blueprint under ``/dashboard`` registers ``require_token`` as its first request hook, so a page
added in a module of its own is locked like the others (``tests/security/test_doors_web.py`` lists them).
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from sanic.request import Request
from sanic.response import HTTPResponse, redirect, text

from bot.tokens import get_or_create_token
from bot.web.headers import is_https

COOKIE = "siloscope_dashboard"


def dashboard_token() -> str:
    """The token managers use; ``make run`` prints the dashboard address with it."""
    return get_or_create_token("SILOSCOPE_DASHBOARD_TOKEN", "dashboard_token")


def _presented_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token") or request.cookies.get(COOKIE) or ""


def _authorised(request: Request) -> bool:
    presented = _presented_token(request)
    return bool(presented) and hmac.compare_digest(presented.encode(), dashboard_token().encode())


async def require_token(request: Request) -> HTTPResponse | None:
    """No token, no data: 401 with a hint where to find the token, and nothing else."""
    if not _authorised(request):
        return text("401 Unauthorized: the dashboard needs its token (printed by `make run`, or set "
                    "SILOSCOPE_DASHBOARD_TOKEN); open /dashboard?token=...", status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="siloscope-dashboard"'})
    if "token" in request.args:  # keep the token out of the address bar, history and shared links
        rest = urlencode([(k, v) for k, v in request.query_args if k != "token"])
        response = redirect(request.path + (f"?{rest}" if rest else ""))
        # HTTP-only, same-site only, and Secure only where the browser can send it back (behind HTTPS)
        response.add_cookie(COOKIE, request.args.get("token") or "", httponly=True, samesite="Strict",
                            path="/dashboard", secure=is_https(request))
        response.headers["Cache-Control"] = "no-store"
        return response
    return None


async def in_thread(function: Callable[[], Any]) -> Any:
    """Database work off the event loop, so webhooks keep flowing while a report is built."""
    return await asyncio.get_running_loop().run_in_executor(None, function)


def same_origin(request: Request) -> bool:
    """A browser's form post from another site is refused (the cookie is SameSite=Strict too).

    The page's ``Referrer-Policy: no-referrer`` makes Chromium send ``Origin: null`` even for the
    dashboard's own forms, so the browser's ``Sec-Fetch-Site`` decides when it is sent.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True  # not a browser's cross-site post: curl, or a script with the Bearer token
    return urlsplit(origin).netloc == request.host
