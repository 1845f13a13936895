"""The real product, started once per test session on free ports with a scratch database (a pytest plugin).

What starts here is what ``make run`` starts (``bot.launcher``), with the trained model from
``models/`` (``make setup`` trains it). Every room that talks to a running product (tests/e2e,
tests/security) takes the one session-wide ``stack``: starting Rasa is the slowest thing a test
does. Tests must therefore leave it running and tell their data apart by their own sender and
customer ids. A test that kills a server starts a stack of its own (tests/faults/restarts.py).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy.engine import Engine

from bot.channels import page_context
from bot.channels.signing import siloscope_signature
from bot.launcher import Stack, StackConfig
from bot.settings import PROJECT_ROOT
from bot.store.db import engine_for
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.database import migrated
from tests.support.processes import free_port

# The callback channel of credentials.yml (Siloscope's guarded one), pointed at the sink under test.
CALLBACK_CHANNEL = "rasa_server.callback.GuardedCallbackInput"


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

    def to(self, recipient: str) -> list[dict]:
        """Messages for a conversation id (``recipient_id``) or a customer (``customer_ref``)."""
        return [m for m in self.messages if recipient in (m.get("recipient_id"), m.get("customer_ref"))]

    def wait_for(self, recipient: str, timeout: float = 60) -> list[dict]:
        """The messages the bot sent to ``recipient``, once there is at least one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(recipient)
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

    def post_rest(self, body: object, channel: str = "rest") -> requests.Response:
        """One raw POST to a Rasa channel's webhook (``rest`` or ``callback``)."""
        return requests.post(f"{self.config.rasa_url}/webhooks/{channel}/webhook", json=body, timeout=60)

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Send one message through the REST channel, as a customer's client would."""
        body: dict = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        reply = self.post_rest(body)
        reply.raise_for_status()
        return reply.json()

    def signed_context(self, touchpoint: str, customer: str | None = None, **fields: str) -> str:
        """A page context signed as the company's page server signs it (``siloscope context``)."""
        context = page_context.PageContext(touchpoint=touchpoint, customer_ref=customer, **fields)
        return page_context.sign(self.config.env["SILOSCOPE_WIDGET_SECRET"], context, ttl_seconds=600)

    def start_survey(self, sender: str, touchpoint: str, customer: str | None = None, **fields: str) -> list[dict]:
        """Open a survey in context through REST, the trusted way: the trigger with a signed context."""
        token = self.signed_context(touchpoint, customer, **fields)
        return self.say(sender, "/touchpoint_completed", {"siloscope_context": token})

    def send_event(self, **event: object) -> requests.Response:
        """A touchpoint event to the web service, signed like a real tool signs it."""
        body = json.dumps({"occurred_at": datetime.now(timezone.utc).isoformat(), "channel": "email", **event}).encode()
        signature = siloscope_signature(self.config.env["SILOSCOPE_WEBHOOK_SECRET"], body)
        return requests.post(f"{self.config.web_url}/webhooks/touchpoint", data=body, timeout=30,
                             headers={"Content-Type": "application/json", "X-Siloscope-Signature": signature})

    def answer_by_callback(self, conversation: str, text: str) -> requests.Response:
        """The customer's answer as their messaging gateway posts it back to Rasa's callback channel."""
        return self.post_rest({"sender": conversation, "message": text}, channel="callback")


def scratch_stack_config(var: Path, sink: CallbackSink, **env: str) -> StackConfig:
    """The product's configuration on free ports, with a scratch database and var/ under ``var``."""
    if not any((PROJECT_ROOT / "models").glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make setup` first (make test does)")
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    credentials[CALLBACK_CHANNEL] = {"url": sink.url}
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
            "SILOSCOPE_WIDGET_SECRET": "e2e-widget-secret",
            **env,
        },
        log_to_files=True,
    )


def start_timeout() -> float:
    """Seconds a stack may take to come up: generous, as CI's two cores are shared."""
    return float(os.environ.get("SILOSCOPE_E2E_START_TIMEOUT", "600"))


@contextmanager
def started(var: Path, **env: str) -> Iterator[tuple[Stack, CallbackSink]]:
    """A stack of the product's servers under ``var`` (``env`` added to its configuration), stopped after."""
    sink = CallbackSink()
    try:
        running = Stack(scratch_stack_config(var, sink, **env))
        try:
            running.start(timeout=start_timeout())
            yield running, sink
        finally:
            running.stop()
    finally:
        sink.server.shutdown()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The one running product of the test session, shared by every room that does not kill a server."""
    var = tmp_path_factory.mktemp("stack-var")
    with started(var) as (running, sink):
        yield RunningStack(running.config, running.config.env["DATABASE_URL"], var, sink)


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
