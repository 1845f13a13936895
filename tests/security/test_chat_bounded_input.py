"""Bounded input at Rasa's doors (issue 14): size limits before NLU, 400 for bad shapes, no shared sender.

Today one 1 MB REST message blocks Rasa for everyone for 25 s, a JSON array or a numeric sender is a
500, and a message without a sender joins one shared ``default`` conversation. Driven through the
real REST, callback and socket.io doors.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
import yaml

from bot.settings import PROJECT_ROOT
from tests.support.visitor import Visitor

pytestmark = pytest.mark.e2e
LIMITS = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))["chat"]


def user_texts(stack, sender: str) -> list[str]:
    """What Rasa's tracker holds from the customer in ``sender`` (through the token-protected HTTP API)."""
    answer = requests.get(f"{stack.config.rasa_url}/conversations/{sender}/tracker",
                          params={"token": stack.config.rasa_token}, timeout=30)
    answer.raise_for_status()
    return [e.get("text") for e in answer.json().get("events", []) if e.get("event") == "user"]


def test_an_oversized_message_is_refused_before_the_nlu_with_a_clear_message(stack) -> None:
    sender = f"big-{uuid.uuid4().hex[:8]}"
    for size in (LIMITS["max_message_bytes"] + 1, 1_000_000):
        answer = stack.post_rest({"sender": sender, "message": "x" * size})
        assert answer.status_code == 413, answer.text[:200]
        assert answer.json()["reason"] in ("message_too_large", "body_too_large")
        limit = LIMITS["max_message_bytes"] if size < LIMITS["max_body_bytes"] else LIMITS["max_body_bytes"]
        assert f"at most {limit} bytes" in answer.json()["message"]
    assert user_texts(stack, sender) == []
    # At the limit it is a message like any other (and then the conversation's own length rule speaks).
    body = json.dumps({"sender": sender, "message": "é" * (LIMITS["max_message_bytes"] // 2)}, ensure_ascii=False)
    at_limit = requests.post(f"{stack.config.rasa_url}/webhooks/rest/webhook", data=body.encode("utf-8"),
                             headers={"Content-Type": "application/json"}, timeout=120)
    assert at_limit.status_code == 200
    assert len(user_texts(stack, sender)) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        (b"[1, 2]", "invalid_body"),
        (b'"hello"', "invalid_body"),
        (b'{"sender": 5, "message": "hi"}', "invalid_sender"),
        (b'{"sender": {"id": 1}, "message": "hi"}', "invalid_sender"),
        (b'{"sender": "a b", "message": "hi"}', "invalid_sender"),
        (b'{"sender": "ok-sender"}', "invalid_message"),
        (b'{"sender": "ok-sender", "message": ["hi"]}', "invalid_message"),
        (b'{"sender": "ok-sender", "message": "hi", "metadata": "x"}', "invalid_metadata"),
        (b'{"message": "hi"}', "missing_sender"),
        (b'{"sender": "", "message": "hi"}', "missing_sender"),
        (b'{"sender": null, "message": "hi"}', "missing_sender"),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400_never_a_500(stack, body: bytes, reason: str) -> None:
    for channel in ("rest", "callback"):
        answer = requests.post(f"{stack.config.rasa_url}/webhooks/{channel}/webhook", data=body,
                               headers={"Content-Type": "application/json"}, timeout=30)
        assert (answer.status_code, answer.json()["reason"]) == (400, reason), (channel, answer.text)


def test_a_message_without_a_sender_never_joins_a_shared_default_conversation(stack) -> None:
    for _ in range(2):
        assert stack.post_rest({"message": "hi"}).status_code == 400
    assert user_texts(stack, "default") == []


def test_an_oversized_socketio_message_is_refused_with_a_message_the_visitor_can_read(stack) -> None:
    visitor = Visitor(stack.config.rasa_url)
    try:
        session = visitor.ask_session()
        replies = visitor.send("x" * (LIMITS["max_message_bytes"] + 1))
        assert "too long" in " ".join(r.get("text", "") for r in replies)
        assert visitor.send("/greet"), "the connection should still work after a refusal"
    finally:
        visitor.close()
    # Rasa saves the tracker when the turn ends, after the replies that were already emitted.
    deadline = time.monotonic() + 90
    while not user_texts(stack, session) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert user_texts(stack, session) == ["/greet"]
