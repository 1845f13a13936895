"""Restart and stop only on a clear request, through the chat door and the running Rasa (issue 14).

A complaint that contains "again" or "start" is the answer to the open question: the score given
before it stays stored. A real "restart please" and "stop" still do what they say.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import select

from bot.intent_certainty import DESTRUCTIVE_INTENTS
from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse

pytestmark = pytest.mark.e2e

NLU_TEST_DATA = Path(__file__).resolve().parents[1] / "test_nlu.yml"
COMPLAINT = "late again, start to finish a mess"


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text", "") for m in messages).lower()


def response_of(stack, sender: str) -> FeedbackResponse:
    with session_factory(stack.engine)() as session:
        return session.execute(
            select(FeedbackResponse)
            .join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .where(Conversation.sender_id == sender)
        ).scalar_one()


def test_a_complaint_with_again_and_start_is_an_answer_and_a_real_restart_still_restarts(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "delivery", "C-E2E-CERT-1", order_id="A-31")
    assert "wrong" in texts(stack.say(sender, "2"))  # a low score: what went wrong?

    reply = texts(stack.say(sender, COMPLAINT))
    assert "start again" not in reply and "differently" in reply  # the next question, not a restart
    response = response_of(stack, sender)
    assert (response.score, response.text) == (2, COMPLAINT)

    restarted = texts(stack.say(sender, "restart please"))
    assert "start again" in restarted and "satisfied" in restarted  # back to the first question
    response = response_of(stack, sender)
    assert (response.score, response.text) == (None, None)  # a real restart forgets the answers


def test_a_real_stop_still_opts_the_customer_out(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "invoice", "C-E2E-CERT-2", order_id="A-32")
    stack.say(sender, "4")
    assert "won't ask you" in texts(stack.say(sender, "stop"))
    with session_factory(stack.engine)() as session:
        customer = session.execute(select(Customer).where(Customer.ref == "C-E2E-CERT-2")).scalar_one()
        assert customer.opted_out is True
    assert response_of(stack, sender).score == 4  # the answer given before stopping is kept


def nlu_examples() -> list[tuple[str, str]]:
    """(intent, text) for every example of tests/test_nlu.yml."""
    data = yaml.safe_load(NLU_TEST_DATA.read_text(encoding="utf-8"))
    return [
        (block["intent"], line[2:].strip())
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def test_no_destructive_confusion_in_the_nlu_test_data(stack) -> None:
    """Every complaint is read as anything but restart/stop; every real request as exactly itself."""
    examples = nlu_examples()
    assert len(examples) >= 30 and {i for i, _ in examples} & DESTRUCTIVE_INTENTS == DESTRUCTIVE_INTENTS
    wrong = []
    for expected, text in examples:
        parsed = requests.post(
            f"{stack.config.rasa_url}/model/parse",
            params={"token": stack.config.rasa_token},
            json={"text": text},
            timeout=60,
        )
        parsed.raise_for_status()
        predicted = parsed.json()["intent"]["name"]
        destructive_wanted = expected in DESTRUCTIVE_INTENTS
        if (predicted == expected) if destructive_wanted else (predicted not in DESTRUCTIVE_INTENTS):
            continue
        wrong.append(f"{text!r}: {expected} read as {predicted}")
    assert not wrong, "destructive-intent confusions:\n" + "\n".join(wrong)
