"""The web service's doors over real HTTP (``siloscope web`` as ``make run`` starts it).

Attacks (issue 12, web service hygiene): pages could be framed (clickjacking), ran under no
content policy, leaked addresses in the Referer, could be MIME-sniffed; the dashboard cookie had
no ``Secure`` flag behind HTTPS, and the ``?token=`` redirect dropped the drill-down's own query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import WebService, migrated

pytestmark = pytest.mark.e2e

TOKEN = "doors-dashboard-token-7c2e"
RASA_PORT = 47321  # only rendered into the demo page's policy; nothing listens there


def start(folder: Path, **env: str) -> WebService:
    base = {
        "DATABASE_URL": migrated(f"sqlite:///{folder / 'siloscope.db'}"),  # servers never create one
        "SILOSCOPE_VAR": str(folder / "var"),
        "SILOSCOPE_DASHBOARD_TOKEN": TOKEN, "SILOSCOPE_WEBHOOK_SECRET": "doors-webhook-secret",
        "SILOSCOPE_RASA_URL": f"http://127.0.0.1:{RASA_PORT}", "SILOSCOPE_SOCKET_URL": "",
    }
    return WebService({**base, **env}, folder / "web.log", drop=["SILOSCOPE_TRUSTED_PROXIES"])


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebService]:
    server = start(tmp_path_factory.mktemp("doors-web"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebService]:
    """The service behind one TLS-terminating proxy, which it is told to trust."""
    server = start(tmp_path_factory.mktemp("doors-proxied"), SILOSCOPE_TRUSTED_PROXIES="1")
    yield server
    server.stop()


def policy(response: requests.Response) -> dict[str, str]:
    found = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in found.split(";") if part.strip()}


RESPONSES = {
    "demo page": ("GET", "/?customer=C-1&order=NW-1"),
    "widget script": ("GET", "/static/widget/siloscope-widget.js"),
    "health": ("GET", "/health"),
    "dashboard without token": ("GET", "/dashboard"),
    "dashboard token redirect": ("GET", f"/dashboard?token={TOKEN}"),
    "dashboard": ("GET", "/dashboard?since=7d"),
    "export": ("GET", "/dashboard/export/json"),
    "customer page": ("GET", "/dashboard/customers/C-1"),
    "customer page without token": ("GET", "/dashboard/customers/C-1"),
    "journeys page": ("GET", "/dashboard/journeys"),
    "case queue": ("GET", "/dashboard/cases"),
    "unknown case": ("GET", "/dashboard/cases/424242"),
    "unknown page": ("GET", "/no-such-page"),
    "webhook without signature": ("POST", "/webhooks/touchpoint"),
    "bad demo reference": ("GET", "/?customer=%3Cscript%3E"),
}


@pytest.mark.parametrize("what", list(RESPONSES))
def test_every_response_carries_the_security_headers(web: WebService, what: str) -> None:
    method, path = RESPONSES[what]
    auth = {"Authorization": f"Bearer {TOKEN}"} if what in ("dashboard", "export", "customer page", "journeys page",
                                                                     "case queue", "unknown case") else {}
    answer = requests.request(method, web.url(path), headers=auth, data=b"{}", timeout=30, allow_redirects=False)
    assert answer.status_code < 500, answer.text[:300]
    assert answer.headers.get("X-Frame-Options") == "DENY"
    assert answer.headers.get("X-Content-Type-Options") == "nosniff"
    assert answer.headers.get("Referrer-Policy") == "no-referrer"
    directives = policy(answer)
    assert directives.get("frame-ancestors") == "'none'"
    assert directives.get("script-src") == "'self'"  # no inline script, no eval, no other host
    assert directives.get("object-src") == "'none'" and directives.get("base-uri") == "'none'"
    assert "Strict-Transport-Security" not in answer.headers  # plain HTTP: HSTS would be ignored anyway


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/customers/C-1", "/dashboard/customers/C-1?token=wrong",
                                  "/dashboard/journeys"])
def test_the_dashboard_pages_answer_401_without_the_token(web: WebService, path: str) -> None:
    answer = requests.get(web.url(path), timeout=30, allow_redirects=False)
    assert answer.status_code == 401 and "dashboard needs its token" in answer.text


def test_the_demo_page_may_reach_the_rasa_socket_and_nothing_else(web: WebService) -> None:
    answer = requests.get(web.url("/?customer=C-1"), timeout=30)
    connect = policy(answer)["connect-src"].split()
    assert connect == ["'self'", f"http://127.0.0.1:{RASA_PORT}", f"ws://127.0.0.1:{RASA_PORT}"]
    assert answer.headers["Content-Type"].startswith("text/html")
    script = requests.get(web.url("/static/widget/siloscope-widget.js"), timeout=30)
    assert "javascript" in script.headers["Content-Type"]  # nosniff: a script must say it is one


def test_the_token_leaves_the_address_bar_and_the_drill_down_keeps_its_query(web: WebService) -> None:
    session = requests.Session()
    answer = session.get(web.url(f"/dashboard/quotes?key=delivery&token={TOKEN}&since=7d"), timeout=30,
                         allow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/dashboard/quotes?key=delivery&since=7d"
    assert TOKEN not in answer.headers["Location"]
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"siloscope_dashboard={TOKEN};")
    assert re.search(r"(?i);\s*HttpOnly", cookie) and re.search(r"(?i);\s*SameSite=Strict", cookie)
    assert re.search(r"(?i);\s*Path=/dashboard", cookie)
    assert not re.search(r"(?i)secure", cookie)  # plain HTTP: a Secure cookie would never come back
    assert answer.headers.get("Cache-Control") == "no-store"
    followed = session.get(web.url(answer.headers["Location"]), timeout=30)
    assert followed.status_code == 200 and "What customers said" in followed.text
    assert TOKEN not in followed.url and TOKEN not in followed.text


def test_behind_a_trusted_https_proxy_the_cookie_is_secure(proxied: WebService) -> None:
    https = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    answer = requests.get(proxied.url(f"/dashboard?token={TOKEN}"), headers=https, timeout=30,
                          allow_redirects=False)
    assert answer.status_code == 302
    assert re.search(r"(?i);\s*Secure(;|$)", answer.headers["Set-Cookie"])
    assert "Secure=" not in answer.headers["Set-Cookie"]
    assert answer.headers.get("Strict-Transport-Security", "").startswith("max-age=")
    page = requests.get(proxied.url("/?customer=C-1"), headers={**https, "X-Forwarded-Host": "shop.example"},
                        timeout=30)
    assert policy(page)["connect-src"].split()[1:] == [f"https://shop.example:{RASA_PORT}",
                                                       f"wss://shop.example:{RASA_PORT}"]


def test_a_forwarded_proto_from_an_untrusted_client_is_not_believed(web: WebService) -> None:
    answer = requests.get(web.url(f"/dashboard?token={TOKEN}"), timeout=30, allow_redirects=False,
                          headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert answer.status_code == 302
    assert not re.search(r"(?i)secure", answer.headers["Set-Cookie"])
    assert "Strict-Transport-Security" not in answer.headers


def test_a_bad_proxy_setting_stops_the_service_with_a_message(tmp_path: Path) -> None:
    try:
        server = start(tmp_path, SILOSCOPE_TRUSTED_PROXIES="yes")
    except AssertionError as refused:  # WebService says so when the service exits instead of answering
        assert "SILOSCOPE_TRUSTED_PROXIES must be a whole number" in str(refused)
        return
    server.stop()
    pytest.fail("the service started with SILOSCOPE_TRUSTED_PROXIES=yes")
