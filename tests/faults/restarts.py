"""The real stack for the restart and crash tests: kill -9 one server, start it again, check the store.

The kill -9 tests share one stack of their own (``fault_stack``) on free ports with a scratch
database, exactly as ``bot.launcher`` starts the product, so killing a server there harms no
test of the session's shared ``stack``; each test finds every server up.
The checks read the feedback database the way a report does.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import or_, select

from bot.channels.signing import siloscope_signature
from bot.launcher import Stack
from bot.settings import PROJECT_ROOT
from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse, OutboxMessage
from tests.support.database import db_session
from tests.support.stack import CallbackSink, RunningStack, start_timeout, started

# Short, so that "the action server stays away" is seen within a test; the product's default is 45 s.
ACTION_RETRY_SECONDS = "6"


class FaultStack(RunningStack):
    """A running stack whose servers the test may kill and start again."""

    def __init__(self, stack: Stack, var: Path, sink: CallbackSink) -> None:
        super().__init__(stack.config, stack.config.env["DATABASE_URL"], var, sink)
        self.stack = stack

    def survey(self, touchpoint: str, order_id: str) -> tuple[str, str, list[dict]]:
        """A signed touchpoint event starts a survey: (customer, conversation id, first bot messages)."""
        customer, conversation = self.touchpoint(touchpoint, order_id)
        return customer, conversation, self.callback.wait_for(conversation, timeout=120)

    def touchpoint(self, touchpoint: str, order_id: str) -> tuple[str, str]:
        """A signed touchpoint event, accepted by the web service: (customer, issued conversation id)."""
        customer = f"C-FLT-{uuid.uuid4().hex[:8]}"
        event = {
            "event_id": f"fault-{uuid.uuid4().hex}", "touchpoint": touchpoint, "customer_ref": customer,
            "occurred_at": datetime.now(timezone.utc).isoformat(), "channel": "email", "order_id": order_id,
        }
        body = json.dumps(event).encode()
        signature = siloscope_signature(self.config.env["SILOSCOPE_WEBHOOK_SECRET"], body)
        answer = requests.post(
            f"{self.config.web_url}/webhooks/touchpoint", data=body, timeout=30,
            headers={"Content-Type": "application/json", "X-Siloscope-Signature": signature},
        )
        assert answer.status_code == 202, answer.text
        return customer, answer.json()["conversation"]

    def trigger(self, conversation: str) -> OutboxMessage:
        """The outbox message that starts the survey of ``conversation`` (how its delivery went)."""
        with session_factory(self.engine)() as session:
            triggers = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "trigger"))
            return next(m for m in triggers if m.payload.get("sender") == conversation)

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """The customer's answer on the channel their survey came by, and the bot's replies to it.

        A webhook survey's conversation (an issued callback id) is answered through the callback
        channel, as the messaging gateway does; the replies reach the gateway (the sink), not the
        HTTP answer. Any other conversation speaks REST.
        """
        if not sender.startswith("cb."):
            return super().say(sender, text, metadata)
        before = len(self.callback.to(sender))
        answer = self.answer_by_callback(sender, text)
        answer.raise_for_status()
        deadline = time.monotonic() + 30
        while len(self.callback.to(sender)) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.callback.to(sender)[before:]

    def kill_and_time_restart(self, name: str) -> float:
        """kill -9 one server, start it again; seconds until it answers again."""
        code = self.stack.kill(name)
        assert code == -9, f"{name} exited with {code}, not by SIGKILL"
        began = time.monotonic()
        self.stack.restart(name, timeout=600)  # a model load takes minutes on the shared 2-core machine
        return time.monotonic() - began


# Outbox retries within a test: the shipped backoff starts at 30 s and doubles.
FAST_OUTBOX = {"backoff_seconds": 2, "backoff_max_seconds": 4, "poll_seconds": 0.5}


@contextmanager
def running_fault_stack(var: Path, **env: str) -> Iterator[FaultStack]:
    """The product on free ports with a scratch database under ``var`` (``env`` overrides), fast outbox retries."""
    config = yaml.safe_load((PROJECT_ROOT / "siloscope.yml").read_text(encoding="utf-8"))
    config["outbox"] = {**(config.get("outbox") or {}), **FAST_OUTBOX}
    (var / "siloscope.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with started(var, SILOSCOPE_ACTION_RETRY_SECONDS=ACTION_RETRY_SECONDS,
                 SILOSCOPE_CONFIG=str(var / "siloscope.yml"), **env) as (stack, sink):
        yield FaultStack(stack, var, sink)


@pytest.fixture(scope="session")
def fault_stack_running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    """One stack for every kill -9 test, apart from the session's shared ``stack`` that they would harm."""
    with running_fault_stack(tmp_path_factory.mktemp("fault-var")) as stack:
        yield stack


@pytest.fixture
def fault_stack(fault_stack_running: FaultStack) -> FaultStack:
    """The fault stack with every server up: a server an earlier test left killed is started again first."""
    for server in fault_stack_running.stack.servers:
        if server.process is None or server.process.poll() is not None:
            fault_stack_running.stack.restart(server.name, timeout=start_timeout())
    return fault_stack_running


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages).lower()


def survey_survives_a_rasa_kill(stack: FaultStack) -> float:
    """Half a survey, kill -9 Rasa, start it again, finish: one complete response. Seconds until Rasa is back."""
    customer, sender, first = stack.survey("delivery", order_id="A-4711")
    assert "1" in texts(first) or any(m.get("buttons") for m in first), first
    assert "wrong" in texts(stack.say(sender, "2"))
    assert "differently" in texts(stack.say(sender, "The parcel came a week late and the box was crushed."))
    assert "easy" in texts(stack.say(sender, "Tell me the real delivery date and pack it properly."))
    assert "first time" in texts(stack.say(sender, "2"))
    assert "how many" in texts(stack.say(sender, "no"))

    recovery = stack.kill_and_time_restart("rasa")

    thanks = stack.say(sender, "4")
    assert "thank" in texts(thanks), f"after the restart the survey did not go on: {thanks}"
    assert_stored_once(
        stack.database_url, customer, sender,
        {"score": 2, "effort": 2, "contact_count": 4,
         "text": "The parcel came a week late and the box was crushed.",
         "probe_text": "Tell me the real delivery date and pack it properly."},
        touchpoint="delivery", order_id="A-4711",
    )
    return recovery


@dataclass(frozen=True)
class Stored:
    """What the store holds for one customer, to count answers stored, lost and duplicated."""

    responses: list[FeedbackResponse]
    conversations: list[Conversation]


def stored_for(database_url: str, customer_ref: str | None, sender: str) -> Stored:
    """The customer's conversations, and any started under their conversation id without them."""
    with db_session(database_url) as session:
        customer_id = session.scalar(select(Customer.id).where(Customer.ref == customer_ref)) if customer_ref else None
        conversations = list(session.scalars(
            select(Conversation).where(or_(Conversation.customer_id == customer_id, Conversation.sender_id == sender))
        ))
        responses = list(session.scalars(
            select(FeedbackResponse).where(FeedbackResponse.conversation_id.in_([c.id for c in conversations]))
        ))
        return Stored(responses, conversations)


def assert_stored_once(
    database_url: str, customer_ref: str | None, sender: str, expected: dict, touchpoint: str, order_id: str | None
) -> None:
    """Every accepted answer stored exactly once, in one complete response with its context."""
    stored = stored_for(database_url, customer_ref, sender)
    assert len(stored.conversations) == 1, f"{len(stored.conversations)} conversations for one survey"
    assert len(stored.responses) == 1, f"{len(stored.responses)} responses for one survey"
    response, conversation = stored.responses[0], stored.conversations[0]
    got = {key: getattr(response, key) for key in expected}
    assert got == expected, f"stored {got}, answered {expected}"
    assert response.status == "complete"
    assert (conversation.touchpoint, conversation.order_id) == (touchpoint, order_id)
