"""Survey hijack: a webhook survey's conversation is reachable only through the customer's own channel.

Attack (issue 12, "Doors"): a webhook survey used the customer's reference as the Rasa sender id, so
anyone who sent REST messages as ``C-500``, or asked socket.io for session ``C-500``, answered (and
read) C-500's survey. Driven through the signed webhook, Rasa's REST, socket.io and callback doors.
"""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse
from tests.support.visitor import Visitor

pytestmark = pytest.mark.e2e


def scores_of(stack, customer: str) -> list[int | None]:
    with session_factory(stack.engine)() as session:
        return list(session.scalars(
            select(FeedbackResponse.score).join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .join(Customer, Conversation.customer_id == Customer.id).where(Customer.ref == customer)))


def webhook_survey(stack, customer: str) -> str:
    answer = stack.send_event(event_id=f"evt-{uuid.uuid4().hex}", touchpoint="delivery", customer_ref=customer)
    assert answer.status_code == 202, answer.text
    conversation = answer.json()["conversation"]
    stack.callback.wait_for(conversation, timeout=90)  # the first question reached the customer's channel
    return conversation


def test_a_webhook_survey_cannot_be_answered_or_read_through_rest_or_socketio(stack) -> None:
    victim = f"C-500-{uuid.uuid4().hex[:6]}"
    conversation = webhook_survey(stack, victim)
    assert conversation != victim

    # REST as the customer's reference is somebody else's conversation entirely, and reads nothing of theirs.
    as_reference = stack.say(victim, "1")
    assert not any("satisfied" in (m.get("text") or "") for m in as_reference)
    # REST as the survey's own id is refused: that id belongs to the callback channel.
    as_id = stack.post_rest({"sender": conversation, "message": "1"})
    assert (as_id.status_code, as_id.json()["reason"]) == (403, "conversation_of_another_channel")

    # socket.io never hands out a session the client names, nor lets a socket speak in one.
    visitor = Visitor(stack.config.rasa_url)
    try:
        assert visitor.ask_session(victim) != victim
        assert visitor.ask_session(conversation) != conversation
        visitor.send("1", session_id=conversation, wait=False)
        time.sleep(3)
        assert visitor.replies == []
    finally:
        visitor.close()
    assert scores_of(stack, victim) == []

    # The customer, through their own gateway, answers their survey.
    seen = len(stack.callback.to(conversation))
    assert stack.answer_by_callback(conversation, "4").status_code == 200
    deadline = time.monotonic() + 60
    while len(stack.callback.to(conversation)) == seen and time.monotonic() < deadline:
        time.sleep(0.2)
    assert scores_of(stack, victim) == [4]


def test_the_callback_door_takes_only_conversations_siloscope_issued(stack) -> None:
    victim = f"C-501-{uuid.uuid4().hex[:6]}"
    conversation = webhook_survey(stack, victim)
    kind, nonce, _mac, customer = conversation.split(".", 3)
    for forged in (victim, f"{kind}.{nonce}.AAAAAAAAAAAAAAAAAAAAAA.{customer}", f"{conversation[:-1]}X"):
        answer = stack.answer_by_callback(forged, "1")
        assert (answer.status_code, answer.json()["reason"]) == (403, "unknown_conversation"), forged
    assert scores_of(stack, victim) == []
    # One survey per customer still: the next event for the same customer is throttled.
    again = stack.send_event(event_id=f"evt-{uuid.uuid4().hex}", touchpoint="delivery", customer_ref=victim)
    assert (again.status_code, again.json()["reason"]) == (429, "customer_recently_surveyed")


def test_a_socketio_session_is_one_the_server_issued_and_a_socket_speaks_only_in_its_own(stack) -> None:
    alice = Visitor(stack.config.rasa_url)
    mallory = Visitor(stack.config.rasa_url)
    try:
        session = alice.ask_session()
        kind, nonce, mac = session.split(".")
        assert kind == "ws" and len(nonce) >= 20
        asked = alice.send("/greet")
        assert asked, "the bot did not answer in the issued session"
        # Made-up or tampered ids are never confirmed: the server hands out a fresh one instead.
        for guess in ("alice", "C-500", f"ws.{nonce}.{'A' * len(mac)}", f"ws.{'B' * len(nonce)}.{mac}"):
            assert mallory.ask_session(guess) not in (guess, session)
        # A socket confirmed in its own session cannot send into another one.
        mallory.send("2", session_id=session, wait=False)
        time.sleep(3)
        assert mallory.replies == []
        assert len(alice.replies) == len(asked), "mallory's message reached alice's conversation"
    finally:
        mallory.close()
        alice.close()
    # Alice's reload (a new socket, her stored session id) resumes her own conversation.
    again = Visitor(stack.config.rasa_url)
    try:
        assert again.ask_session(session) == session
    finally:
        again.close()
