"""Local peers for the channel tests: fake Slack, Teams, helpdesk and Rasa on 127.0.0.1, and the web service."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from bot.settings import PROJECT_ROOT, get_settings
from bot.store.db import engine_for, session_factory
from tests.support import WebService, free_port, migrated

SECRETS = {
    "SILOSCOPE_WEBHOOK_SECRET": "test-siloscope-secret",
    "ZENDESK_WEBHOOK_SECRET": "test-zendesk-secret",
    "SHOPIFY_WEBHOOK_SECRET": "test-shopify-secret",
    "STRIPE_WEBHOOK_SECRET": "whsec_test-stripe-secret",
    "SILOSCOPE_ALERT_WEBHOOK_SECRET": "test-helpdesk-secret",
    "RASA_TOKEN": "test-rasa-token",
    "SILOSCOPE_WIDGET_SECRET": "test-widget-secret",
}

# What Rasa's trigger_intent answers once the action server started the survey: the tracker, with
# action_begin_feedback's slot set after the trigger (bot.channels.rasa_trigger counts only that).
RASA_SURVEY_STARTED = json.dumps({"tracker": {"events": [
    {"event": "user", "text": "EXTERNAL: touchpoint_completed"},
    {"event": "action", "name": "action_begin_feedback"},
    {"event": "slot", "name": "survey_allowed", "value": True},
]}}).encode()


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakePeer:
    """A peer (Slack, Teams, helpdesk, Rasa) on 127.0.0.1 that records every POST.

    ``status`` sets the answer (only 2xx requests count as received), ``delay`` slows it;
    ``stop()`` closes the port (a peer that is down) and ``start()`` brings it back on the same port.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        self.received: list[Received] = []
        self.status = 200
        self.delay = 0.0
        self.answer: bytes | None = None  # body of a 2xx answer; default {"ok": true}
        self.server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(peer.delay)
                split = urlsplit(self.path)
                if peer.status < 300:
                    peer.received.append(Received(split.path, parse_qs(split.query), dict(self.headers), body))
                answer = (peer.answer or b'{"ok": true}') if peer.status < 300 else b'{"error": "unavailable"}'
                self.send_response(peer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{self.name} got {len(self.received)} requests, expected {count}"
        return self.received


@pytest.fixture
def peers() -> Iterator[dict[str, FakePeer]]:
    made = {name: FakePeer(name) for name in ("rasa", "slack", "teams", "helpdesk")}
    made["rasa"].answer = RASA_SURVEY_STARTED
    yield made
    for peer in made.values():
        peer.stop()


def write_config(path: Path, peers: dict[str, FakePeer], **outbox: Any) -> Path:
    """siloscope.yml as shipped, with the peers' URLs and fast retries for tests."""
    config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
    config["webhooks"]["rasa"]["url"] = peers["rasa"].url
    config["outbox"].update({"backoff_seconds": 0.1, "backoff_max_seconds": 0.4, "poll_seconds": 0.2,
                             "timeout_seconds": 3, "max_attempts": 4, **outbox})
    config["alerts"]["destinations"] = {
        "slack": {"type": "slack", "url": peers["slack"].url + "/services/T0/B0/x"},
        "teams": {"type": "teams", "url": peers["teams"].url + "/workflows/1"},
        "helpdesk": {"type": "webhook", "url": peers["helpdesk"].url + "/hooks/siloscope",
                     "secret_env": "SILOSCOPE_ALERT_WEBHOOK_SECRET"},
    }
    config["alerts"]["routes"] = {"default": ["slack", "helpdesk"], "finance": ["teams", "helpdesk"]}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture
def channel_env(
    tmp_path: Path, peers: dict[str, FakePeer], monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Environment for this process and any server it starts: scratch database, test config, secrets."""
    env = {
        "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'siloscope.db'}"),
        "SILOSCOPE_VAR": str(tmp_path / "var"),
        "SILOSCOPE_CONFIG": str(write_config(tmp_path / "siloscope.yml", peers)),
        **SECRETS,
    }
    monkeypatch.delenv("SILOSCOPE_RASA_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


@pytest.fixture
def sessions(channel_env: dict[str, str]):  # type: ignore[no-untyped-def]
    return session_factory(engine_for(channel_env["DATABASE_URL"]))


@pytest.fixture
def web(channel_env: dict[str, str], tmp_path: Path) -> Iterator[WebService]:
    service = WebService(channel_env, tmp_path / "web.log", drop=SECRETS)
    yield service
    service.stop()
