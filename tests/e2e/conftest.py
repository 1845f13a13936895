"""The real product, started once per test session on free ports with a scratch database.

What starts here is what ``make run`` starts (``bot.launcher``), with the trained model from
``models/`` (``make setup`` trains it).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy.engine import Engine

from bot.launcher import Stack, StackConfig
from bot.settings import PROJECT_ROOT
from bot.store.db import engine_for
from tests.support import CHROMIUM, CHROMIUM_ARGS, free_port, migrated


class CallbackSink:
    """A customer's messaging channel played by a local server: Rasa's callback channel posts here."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.messages.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, recipient: str, timeout: float = 60) -> list[dict]:
        """The messages the bot sent to ``recipient``, once there is at least one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if m.get("recipient_id") == recipient]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no message reached {recipient} within {timeout}s")


class RunningStack:
    """URLs of the running servers, their database and a REST chat helper."""

    def __init__(self, config: StackConfig, database_url: str, var: Path, sink: CallbackSink) -> None:
        self.config = config
        self.database_url = database_url
        self.var = var
        self.callback = sink

    @property
    def engine(self) -> Engine:
        return engine_for(self.database_url)

    def say(self, sender: str, text: str) -> list[dict]:
        """Send one message through the REST channel, as a customer's client would."""
        reply = requests.post(
            f"{self.config.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        reply.raise_for_status()
        return reply.json()


def scratch_stack_config(var: Path, sink: CallbackSink, **env: str) -> StackConfig:
    """The product's configuration on free ports, with a scratch database and var/ under ``var``."""
    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make setup` first (make test does)")
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    credentials["callback"] = {"url": sink.url}
    (var / "credentials.yml").write_text(yaml.safe_dump(credentials), encoding="utf-8")
    return StackConfig(
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        run_dir=var / "run",
        credentials=var / "credentials.yml",
        rasa_token="e2e-" + os.urandom(8).hex(),
        env={
            "DATABASE_URL": migrated(f"sqlite:///{var / 'siloscope.db'}"),  # servers never create one
            "SILOSCOPE_VAR": str(var),
            "SILOSCOPE_WEBHOOK_SECRET": "e2e-webhook-secret",
            "ZENDESK_WEBHOOK_SECRET": "e2e-zendesk-secret",
            "SILOSCOPE_DASHBOARD_TOKEN": "e2e-dashboard-token",
            **env,
        },
        log_to_files=True,
    )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    var = tmp_path_factory.mktemp("stack-var")
    sink = CallbackSink()
    config = scratch_stack_config(var, sink)
    running = Stack(config)
    running.start()
    try:
        yield RunningStack(config, config.env["DATABASE_URL"], var, sink)
    finally:
        running.stop()
        sink.server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a browser Playwright downloads)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (make test does it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
