"""Inside Rasa: an action server that is away is retried, and a customer it stays away for is told."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.settings import PROJECT_ROOT
from rasa_server import durability
from tests.support import free_port

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(durability.RETRY_SECONDS_VARIABLE, "2")
    durability.install()


def tracker(text: str, message_id: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("customer-1", [UserUttered(text, message_id=message_id)])


def run(action: RemoteAction, channel: CollectingOutputChannel, state: DialogueStateTracker) -> list:
    return asyncio.run(action.run(channel, NLG, state, DOMAIN))


def test_a_customer_the_action_server_stays_away_for_is_asked_to_send_again_once() -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    channel = CollectingOutputChannel()
    state = tracker("4", "m-away")
    began = time.monotonic()
    with pytest.raises(RasaException):
        run(RemoteAction("validate_feedback_form", endpoint), channel, state)
    assert 2 <= time.monotonic() - began < 10, "retried for the configured window, then gave up"
    assert [m["text"] for m in channel.messages] == [DOMAIN.responses["utter_send_again"][0]["text"]]

    began = time.monotonic()  # a later action of the same turn: at once, and no second message
    with pytest.raises(RasaException):
        run(RemoteAction("action_store_feedback", endpoint), channel, state)
    assert time.monotonic() - began < 1.5 and len(channel.messages) == 1


def test_a_survey_trigger_is_not_answered_with_send_again_nor_with_the_fallback() -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    channel = CollectingOutputChannel()
    trigger = DialogueStateTracker.from_events(
        "customer-2", [UserUttered.create_external("touchpoint_completed", [])]
    )
    with pytest.raises(RasaException):
        run(RemoteAction("action_begin_feedback", endpoint), channel, trigger)
    # What the policy says next in that turn (the fallback) does not reach a customer who wrote nothing.
    asyncio.run(channel.send_response("customer-2", {"text": "Sorry, I didn't understand that."}))
    assert channel.messages == []


def test_an_action_server_that_comes_back_within_the_window_takes_the_answer() -> None:
    port = free_port()

    class Actions(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"events": [{"event": "slot", "name": "score", "value": 4}], "responses": []})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *_args: object) -> None:
            pass

    servers: list[ThreadingHTTPServer] = []

    def come_back() -> None:
        servers.append(ThreadingHTTPServer(("127.0.0.1", port), Actions))
        servers[0].serve_forever()

    threading.Timer(0.7, come_back).start()
    channel = CollectingOutputChannel()
    try:
        events = run(RemoteAction("validate_feedback_form", EndpointConfig(f"http://127.0.0.1:{port}/webhook")),
                     channel, tracker("4", "m-back"))
    finally:
        while not servers:
            time.sleep(0.1)
        servers[0].shutdown()
    assert events == [SlotSet("score", 4)]
    assert channel.messages == []


def test_an_action_that_fails_is_not_retried() -> None:
    class Broken(BaseHTTPRequestHandler):
        calls = 0

        def do_POST(self) -> None:
            Broken.calls += 1
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    channel = CollectingOutputChannel()
    try:
        with pytest.raises(RasaException):
            run(RemoteAction("validate_feedback_form",
                             EndpointConfig(f"http://127.0.0.1:{server.server_address[1]}/webhook")),
                channel, tracker("4", "m-broken"))
    finally:
        server.shutdown()
    assert Broken.calls == 1 and channel.messages == []
