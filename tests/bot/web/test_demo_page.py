"""The demo page and the widget's files, over HTTP from ``siloscope web`` as ``make run`` starts it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
import yaml

from bot.channels import page_context
from bot.settings import PROJECT_ROOT
from tests.support import WebService, migrated

RASA_PORT = 47123  # only rendered into the page; nothing listens there in these tests


WIDGET_SECRET = "demo-widget-secret"


def start_web(tmp_path: Path, **env: str) -> WebService:
    base = {
        "SILOSCOPE_WIDGET_SECRET": WIDGET_SECRET,
        "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'siloscope.db'}"),
        "SILOSCOPE_VAR": str(tmp_path / "var"),
        "SILOSCOPE_RASA_URL": f"http://127.0.0.1:{RASA_PORT}",
    }
    environment = {**base, **env}
    if "SILOSCOPE_SOCKET_URL" not in env:
        environment["SILOSCOPE_SOCKET_URL"] = ""
    return WebService(environment, tmp_path / "web.log")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebService]:
    server = start_web(tmp_path_factory.mktemp("demo-web"))
    yield server
    server.stop()


class SnippetFinder(HTMLParser):
    """The attributes of the page's widget <script> tag: the embed snippet."""

    def __init__(self) -> None:
        super().__init__()
        self.snippet: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and (found.get("src") or "").endswith("/widget/siloscope-widget.js"):
            self.snippet = found


def snippet(page: str) -> dict[str, str | None]:
    finder = SnippetFinder()
    finder.feed(page)
    assert finder.snippet is not None, "the page has no widget snippet"
    return finder.snippet


def test_the_page_embeds_the_widget_in_context_of_its_touchpoint(web: WebService) -> None:
    reply = requests.get(web.url("/?customer=C-1042&order=NW-77"), timeout=10)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    found = snippet(reply.text)
    # The page server vouches for who the customer is: a signed context, nothing the browser could edit.
    context = page_context.verify(WIDGET_SECRET, found["data-context"])
    assert context == page_context.PageContext(touchpoint="delivery", customer_ref="C-1042", order_id="NW-77",
                                               channel="web")
    assert not {"data-touchpoint", "data-customer-ref", "data-order-id", "data-channel"} & set(found)
    assert found["data-storage"] == "local"
    assert "Order NW-77" in reply.text


def test_without_a_customer_the_page_is_anonymous(web: WebService) -> None:
    found = snippet(requests.get(web.url("/"), timeout=10).text)
    context = page_context.verify(WIDGET_SECRET, found["data-context"])
    assert (context.customer_ref, context.touchpoint) == (None, "delivery")


def test_the_socket_url_follows_the_visitors_host_and_the_started_rasa_port(web: WebService) -> None:
    by_ip = snippet(requests.get(web.url("/"), timeout=10).text)
    by_name = snippet(requests.get(web.url("/", host="localhost"), timeout=10).text)
    assert by_ip["data-socket-url"] == f"http://127.0.0.1:{RASA_PORT}"
    assert by_name["data-socket-url"] == f"http://localhost:{RASA_PORT}"
    assert by_ip["data-socket-path"] == "/socket.io/"


@pytest.mark.parametrize("bad", ["<script>", "C 1042", "-C1", "x" * 129, 'C-1"onload="alert(1)'])
def test_a_bad_customer_reference_is_refused_with_a_clear_message(web: WebService, bad: str) -> None:
    reply = requests.get(web.url("/"), params={"customer": bad}, timeout=10)
    assert reply.status_code == 400
    assert reply.text.startswith("Bad request: customer must be 1-128 letters, digits")
    assert "<script" not in reply.text


def test_the_widget_and_its_licence_are_served_from_our_own_host(web: WebService) -> None:
    page = requests.get(web.url("/"), timeout=10).text
    loader = requests.get(web.url("/static/widget/siloscope-widget.js"), timeout=10)
    bundle = requests.get(web.url("/static/vendor/rasa-webchat/index.js"), timeout=10)
    licence = requests.get(web.url("/static/vendor/rasa-webchat/LICENSE"), timeout=10)
    assert loader.ok and "touchpoint_completed" in loader.text
    assert bundle.ok and "rw-conversation-container" in bundle.text
    assert licence.ok and "Apache License" in licence.text
    # Nothing the browser would fetch from elsewhere: no CDN script or stylesheet, no web font.
    # (The browser test also watches every request the page makes.)
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", page)
    for source in (page, loader.text, bundle.text):
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", source)
        assert "fonts.googleapis" not in source


def test_a_custom_public_socket_url_wins(tmp_path: Path) -> None:
    server = start_web(tmp_path, SILOSCOPE_SOCKET_URL="https://bot.example.com/")
    try:
        found = snippet(requests.get(server.url("/"), timeout=10).text)
    finally:
        server.stop()
    assert found["data-socket-url"] == "https://bot.example.com"


def test_a_misconfigured_widget_says_which_setting_is_wrong(tmp_path: Path) -> None:
    config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
    config["widget"] = {**config.get("widget", {}), "demo_touchpoint": "teleportation"}
    (tmp_path / "siloscope.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    server = start_web(tmp_path, SILOSCOPE_CONFIG=str(tmp_path / "siloscope.yml"))
    try:
        reply = requests.get(server.url("/"), timeout=10)
    finally:
        server.stop()
    assert reply.status_code == 500
    assert "widget.demo_touchpoint 'teleportation' is not a touchpoint" in reply.text


@pytest.mark.parametrize(
    ("widget", "message"),
    [
        ({"storage": "cookie"}, "widget.storage must be one of local, session"),
        ({"accent_color": "green"}, "widget.accent_color must be like #2f6b46"),
        ({"socket_url": "bot.example.com"}, "must start with http:// or https://"),
        ({"socket_path": "socket.io"}, "widget.socket_path must start with /"),
        ({"title": 5}, "widget.title must be text"),
        ("yes", "widget must be a mapping"),
    ],
)
def test_widget_settings_name_the_bad_key(
    widget: object, message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_mapping({"widget": widget}, silos_file=tmp_path / "silos.yml")
