"""The action server's door: bound to the stack's host, and only Rasa (holding the shared secret) gets in.

Attack (issue 12): a hand-made POST to the action server's ``/webhook`` ran any action on any
tracker, so anyone who reached port 5055 could store a complete forged response for any customer
or opt any customer out. Each forged call here is refused with 401 and leaves the store as it was;
the very same call with the secret works, which shows the calls are real attacks and that only
the secret stops them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import select

from bot.settings import PROJECT_ROOT
from bot.store.db import session_factory
from bot.store.models import Conversation, Customer, FeedbackResponse
from tests.security.doors import listening_addresses

pytestmark = pytest.mark.e2e

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
FORGED_TEXT = "Forged: the finance team stole my money, fire them all."


def action_call(action: str, customer: str, sender: str, events: list[dict[str, Any]] | None = None,
                slots: dict[str, Any] | None = None) -> dict[str, Any]:
    """What Rasa posts to the action server for ``action``, with the context an attacker chooses."""
    slots = {"customer_ref": customer, "touchpoint": "delivery", "channel": "web", "conversation_id": sender,
             **(slots or {})}
    events = [{"event": "user", "text": FORGED_TEXT, "parse_data": {"intent": {"name": "inform"}}},
              *(events or [])]
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": DOMAIN,
        "tracker": {
            "sender_id": sender, "slots": slots, "events": events, "latest_message": events[0],
            "latest_event_time": None, "paused": False, "followup_action": None,
            "active_loop": {"name": "feedback_form"} if action == "validate_feedback_form" else {},
            "latest_action_name": "action_listen",
        },
    }


def forged_response(customer: str, sender: str) -> list[dict[str, Any]]:
    """Store a complete response: the open answer through the form's validation, then the survey's end."""
    answer = {"event": "slot", "name": "feedback_text", "value": FORGED_TEXT}
    return [
        action_call("validate_feedback_form", customer, sender, [answer], {"requested_slot": "feedback_text"}),
        action_call("action_store_feedback", customer, sender, slots={"feedback_text": FORGED_TEXT}),
    ]


def stored_for(stack, customer: str) -> tuple[list[FeedbackResponse], bool]:
    """The responses stored under ``customer`` and whether the customer is opted out."""
    with session_factory(stack.engine)() as session:
        row = session.execute(select(Customer).where(Customer.ref == customer)).scalar_one_or_none()
        if row is None:
            return [], False
        responses = session.execute(
            select(FeedbackResponse).join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .where(Conversation.customer_id == row.id)).scalars().all()
        return list(responses), bool(row.opted_out)


WRONG_CREDENTIALS: dict[str, dict[str, Any]] = {
    "no secret": {},
    "wrong bearer": {"headers": {"Authorization": "Bearer not-the-secret"}},
    "empty bearer": {"headers": {"Authorization": "Bearer "}},
    "other scheme": {"headers": {"Authorization": "Basic cmFzYTpyYXNh"}},
    "token as query": {"params": {"token": "not-the-secret"}},
}


@pytest.mark.parametrize("how", list(WRONG_CREDENTIALS))
def test_forged_action_calls_are_refused_and_change_nothing(stack, how: str) -> None:
    victim = f"C-VICTIM-{uuid.uuid4().hex[:6]}"
    sender = f"forged-{uuid.uuid4().hex[:8]}"
    url = f"{stack.config.actions_url}/webhook"
    for call in [*forged_response(victim, sender), action_call("action_opt_out", victim, sender)]:
        answer = requests.post(url, json=call, timeout=30, **WRONG_CREDENTIALS[how])
        assert answer.status_code == 401, (call["next_action"], answer.status_code, answer.text[:300])
        assert "events" not in answer.text and "responses" not in answer.text
    listing = requests.get(f"{stack.config.actions_url}/actions", timeout=30, **WRONG_CREDENTIALS[how])
    assert listing.status_code == 401 and "action_opt_out" not in listing.text
    assert stored_for(stack, victim) == ([], False)


def test_the_same_calls_with_the_secret_work_so_only_the_secret_stops_them(stack) -> None:
    customer = f"C-CONTROL-{uuid.uuid4().hex[:6]}"
    sender = f"control-{uuid.uuid4().hex[:8]}"
    auth = {"Authorization": f"Bearer {stack.config.actions_token}"}
    url = f"{stack.config.actions_url}/webhook"
    for call in forged_response(customer, sender):
        answer = requests.post(url, json=call, headers=auth, timeout=30)
        assert answer.status_code == 200, answer.text[:500]
    responses, opted_out = stored_for(stack, customer)
    assert [(r.text, r.status) for r in responses] == [(FORGED_TEXT, "complete")]
    assert requests.post(url, json=action_call("action_opt_out", customer, sender), headers=auth, timeout=30).ok
    assert stored_for(stack, customer)[1] is True and opted_out is False


def test_health_stays_open_for_supervisors(stack) -> None:
    answer = requests.get(f"{stack.config.actions_url}/health", timeout=10)
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_every_server_listens_on_the_stack_host_only(stack) -> None:
    config = stack.config
    for name, port in (("actions", config.actions_port), ("rasa", config.rasa_port), ("web", config.web_port)):
        assert listening_addresses(port) == {config.host}, f"{name} server listens on {listening_addresses(port)}"


def test_a_real_conversation_still_completes_through_the_locked_action_server(stack) -> None:
    """Rasa presents the secret: the form's validation and the final store run and the answer is kept."""
    sender = f"doors-{uuid.uuid4().hex[:8]}"
    said = " ".join(m.get("text", "") for m in stack.say(sender, "hi")).lower()
    for answer in ("delivery", "2", "The parcel arrived crushed and the courier left it in the rain.",
                   "Pack it properly.", "3", "yes"):
        if "thank" in said:
            break
        said = " ".join(m.get("text", "") for m in stack.say(sender, answer)).lower()
    assert "thank" in said, said
    with session_factory(stack.engine)() as session:
        response = session.execute(
            select(FeedbackResponse).join(Conversation, FeedbackResponse.conversation_id == Conversation.id)
            .where(Conversation.sender_id == sender)).scalar_one()
        assert response.status == "complete" and response.score == 2
        assert response.text == "The parcel arrived crushed and the courier left it in the rain."
