"""A whole feedback conversation through the REST channel, against the real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse

pytestmark = pytest.mark.e2e


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text", "") for m in messages).lower()


def stored(stack, sender: str) -> tuple[FeedbackResponse, Conversation, Customer | None]:
    with session_factory(stack.engine)() as session:
        row = session.execute(
            select(FeedbackResponse, Conversation)
            .join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .where(Conversation.sender_id == sender)
        ).one()
        response, conversation = row
        customer = session.get(Customer, conversation.customer_id) if conversation.customer_id else None
        _ = list(response.attributions)
        return response, conversation, customer


def test_a_low_score_conversation_is_stored_scored_and_attributed(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    first = stack.start_survey(sender, "delivery", "C-E2E-1", order_id="A-17")
    assert first, "the bot said nothing after the touchpoint trigger"
    # The score question, with one button per score: a customer can answer by tapping.
    buttons = [str(b["payload"]).strip() for m in first for b in m.get("buttons", [])]
    assert buttons == ["1", "2", "3", "4", "5"], first
    assert "how satisfied" in texts(first), first

    assert "wrong" in texts(stack.say(sender, "2"))  # a low score: what went wrong?
    probe = stack.say(sender, "I was charged twice on my invoice and nobody explained why.")
    assert "differently" in texts(probe)
    effort = stack.say(sender, "Refund the double charge and send a correct invoice.")
    assert "easy" in texts(effort)
    first_time = stack.say(sender, "2")
    assert "first time" in texts(first_time)
    how_many = stack.say(sender, "no")
    assert "how many" in texts(how_many)
    thanks = stack.say(sender, "3 times")
    assert "thank" in texts(thanks)

    response, conversation, customer = stored(stack, sender)
    assert response.status == "complete"
    assert (response.score, response.effort, response.contact_count) == (2, 2, 3)
    assert response.text == "I was charged twice on my invoice and nobody explained why."
    assert response.probe_text == "Refund the double charge and send a correct invoice."
    assert response.sentiment_score is not None and response.sentiment_score < 0
    assert response.polarity is not None
    assert response.primary_silo == "finance"  # the invoice, not the delivery that sent the survey
    assert (conversation.touchpoint, conversation.order_id, customer.ref) == ("delivery", "A-17", "C-E2E-1")

    export = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "--format", "json"],
        env={**os.environ, **stack.config.env},
        capture_output=True,
        text=True,
        check=True,
    )
    records = [r for r in json.loads(export.stdout) if r["conversation"] == conversation.key]
    assert records[0]["score"] == 2 and records[0]["primary_silo"] == "finance"
    assert records[0]["silos"][0]["silo"] == "finance"


def test_a_customer_who_leaves_after_the_score_leaves_a_partial_response(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "support", "C-E2E-2", order_id="A-17")
    stack.say(sender, "five stars")
    response, _conversation, _customer = stored(stack, sender)
    assert (response.score, response.status, response.text) == (5, "partial", None)


def test_opting_out_is_remembered(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "invoice", "C-E2E-3", order_id="A-17")
    goodbye = stack.say(sender, "unsubscribe")
    assert goodbye
    with session_factory(stack.engine)() as session:
        customer = session.execute(select(Customer).where(Customer.ref == "C-E2E-3")).scalar_one()
        assert customer.opted_out is True


def test_asking_for_a_person_alerts_and_the_same_survey_goes_on(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "delivery", "C-E2E-H", order_id="A-21")
    stack.say(sender, "2")
    human = texts(stack.say(sender, "talk to a human"))
    assert "get in touch" in human and "what went wrong" in human  # told, and the open question again
    # The next line answers this survey (touchpoint and order kept), never starts a new one.
    assert "differently" in texts(stack.say(sender, "The driver threw the parcel over the fence."))
    response, conversation, customer = stored(stack, sender)
    assert conversation.human_requested is True
    assert (conversation.touchpoint, conversation.order_id, customer.ref) == ("delivery", "A-21", "C-E2E-H")
    assert (response.score, response.text) == (2, "The driver threw the parcel over the fence.")


def test_what_the_customer_adds_after_the_survey_goes_to_the_same_response(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "delivery", "C-E2E-F", order_id="A-22")
    for answer in ("4", "It came on time.", "6"):
        stack.say(sender, answer)
    assert "thank" in texts(stack.say(sender, "yes"))
    for more in ("meh", "hard", "yes", "Also: the driver was rude"):
        reply = texts(stack.say(sender, more))
        assert "added that to your feedback" in reply and "didn't understand" not in reply, (more, reply)
    response, conversation, _customer = stored(stack, sender)  # .one(): no second, orphan response
    assert response.text == "It came on time.\nmeh\nhard\nyes\nAlso: the driver was rude"
    assert (response.status, conversation.touchpoint, conversation.order_id) == ("complete", "delivery", "A-22")


def test_restart_keeps_the_touchpoint_the_page_gave(stack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(sender, "delivery", "C-E2E-R", order_id="A-23")
    stack.say(sender, "2")
    restarted = texts(stack.say(sender, "restart"))
    assert "start again" in restarted and "delivery" in restarted and "which part" not in restarted
    _response, conversation, _customer = stored(stack, sender)
    assert (conversation.touchpoint, conversation.order_id) == ("delivery", "A-23")


def test_the_same_order_and_touchpoint_is_surveyed_once_and_an_opted_out_customer_hears_why(stack) -> None:
    customer = f"C-E2E-O{uuid.uuid4().hex[:6]}"
    first = f"e2e-{uuid.uuid4().hex[:8]}"
    stack.start_survey(first, "delivery", customer, order_id="A-31")
    stack.say(first, "4")
    # The same customer opens the same order page again, in another tab: no second survey.
    again = texts(stack.start_survey(f"e2e-{uuid.uuid4().hex[:8]}", "delivery", customer, order_id="A-31"))
    assert "already told us" in again and "how satisfied" not in again
    assert "how satisfied" in texts(stack.start_survey(f"e2e-{uuid.uuid4().hex[:8]}", "delivery", customer,
                                                       order_id="A-32"))
    stack.say(first, "stop")
    opted_out = texts(stack.start_survey(f"e2e-{uuid.uuid4().hex[:8]}", "invoice", customer, order_id="A-33"))
    assert "not to send you feedback questions" in opted_out and "how satisfied" not in opted_out
