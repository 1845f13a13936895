"""Starting and finishing a survey: action_begin_feedback, action_ask_touchpoint, action_store_feedback."""

from __future__ import annotations

import uuid

import yaml

from actions.survey import ActionAskTouchpoint, ActionBeginFeedback, ActionStoreFeedback
from bot.feedback import Answers, ConversationRef, get_feedback_service
from bot.settings import PROJECT_ROOT

# A trigger as Rasa's HTTP API delivers it for a signed webhook (trigger_intent marks it external).
WEBHOOK_TRIGGER = {"text": "EXTERNAL: touchpoint_completed", "intent": "touchpoint_completed",
                   "metadata": {"is_external": True}}
TRIGGER_ENTITIES = [
    {"entity": "touchpoint", "value": "invoice"},
    {"entity": "customer_ref", "value": "C-9"},
    {"entity": "ticket_id", "value": "T-3"},
    {"entity": "channel", "value": "email"},
]


def test_a_trigger_opens_a_fresh_survey_with_its_context(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(
        **WEBHOOK_TRIGGER,
        entities=TRIGGER_ENTITIES,
        # Left over from an earlier survey in the same chat:
        slots={"score": 2, "feedback_text": "old", "order_id": "O-old", "reasks": {"score": 1}, "skipped": ["effort"]},
    )
    events, dispatcher = chat.run(ActionBeginFeedback(), tracker, domain)
    slots = chat.slots_set(events)
    assert dispatcher.messages == []
    assert slots["survey_allowed"] is True
    assert uuid.UUID(slots["conversation_id"])
    assert (slots["touchpoint"], slots["customer_ref"], slots["ticket_id"], slots["channel"]) == (
        "invoice",
        "C-9",
        "T-3",
        "email",
    )
    assert slots["touchpoint_label"] == "your invoice or payment"
    for cleared in ("score", "feedback_text", "order_id", "reasks", "skipped", "score_band", "requested_slot"):
        assert slots[cleared] is None


def test_every_survey_gets_its_own_conversation(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(**WEBHOOK_TRIGGER, entities=TRIGGER_ENTITIES)
    first = chat.slots_set(chat.run(ActionBeginFeedback(), tracker, domain)[0])["conversation_id"]
    second = chat.slots_set(chat.run(ActionBeginFeedback(), tracker, domain)[0])["conversation_id"]
    assert first != second


def test_a_trigger_for_an_opted_out_customer_starts_nothing(chat, tmp_database: str, domain: dict) -> None:
    service = get_feedback_service()
    service.opt_out(ConversationRef(key="earlier", sender_id="s", customer_ref="C-9"))
    tracker = chat.tracker(**WEBHOOK_TRIGGER, entities=TRIGGER_ENTITIES)
    events, dispatcher = chat.run(ActionBeginFeedback(), tracker, domain)
    assert chat.slots_set(events) == {"survey_allowed": False}
    assert dispatcher.messages == []


def test_a_signed_page_context_verified_by_the_channel_opens_the_survey_in_that_context(
    chat, tmp_database: str, domain: dict
) -> None:
    verified = {"touchpoint": "delivery", "customer_ref": "C-8", "order_id": "NW-1", "channel": "web"}
    tracker = chat.tracker(text="/touchpoint_completed", intent="touchpoint_completed",
                           metadata={"siloscope_verified": verified})
    slots = chat.slots_set(chat.run(ActionBeginFeedback(), tracker, domain)[0])
    assert (slots["touchpoint"], slots["customer_ref"], slots["order_id"], slots["channel"]) == (
        "delivery", "C-8", "NW-1", "web")


def test_entities_of_a_message_nobody_vouches_for_never_name_the_customer(chat, tmp_database: str, domain: dict):
    """What reaches the action as a typed trigger (no signed context, not Rasa's external trigger)."""
    get_feedback_service().opt_out(ConversationRef(key="earlier", sender_id="s", customer_ref="C-9"))
    typed = [*TRIGGER_ENTITIES, {"entity": "order_id", "value": "<img src=x onerror=alert(1)>"}]
    tracker = chat.tracker(text="/touchpoint_completed", intent="touchpoint_completed", entities=typed,
                           metadata={"is_external": True})  # a client's claim, without Rasa's external text
    slots = chat.slots_set(chat.run(ActionBeginFeedback(), tracker, domain)[0])
    assert slots["survey_allowed"] is True  # heard as a customer who came on their own, not as C-9
    assert (slots["customer_ref"], slots["order_id"], slots["ticket_id"], slots["channel"]) == (None,) * 4
    assert slots["touchpoint"] == "invoice"  # choosing what to talk about is theirs


def test_a_trusted_trigger_still_drops_references_of_the_wrong_shape(chat, tmp_database: str, domain: dict) -> None:
    entities = [{"entity": "touchpoint", "value": "invoice"}, {"entity": "customer_ref", "value": "C-9"},
                {"entity": "channel", "value": "<img src=x onerror=alert(1)>"}]
    slots = chat.slots_set(chat.run(ActionBeginFeedback(), chat.tracker(**WEBHOOK_TRIGGER, entities=entities),
                                    domain)[0])
    assert (slots["customer_ref"], slots["channel"]) == ("C-9", None)


def test_a_customer_who_comes_on_their_own_is_heard_even_after_opting_out(
    chat, tmp_database: str, domain: dict
) -> None:
    get_feedback_service().opt_out(ConversationRef(key="earlier", sender_id="s", customer_ref="C-9"))
    tracker = chat.tracker(text="hi", intent="greet", slots={"customer_ref": "C-9", "order_id": "O-1"})
    slots = chat.slots_set(chat.run(ActionBeginFeedback(), tracker, domain)[0])
    assert slots["survey_allowed"] is True
    # Who they are is kept; the old order is not what this survey is about.
    assert (slots["customer_ref"], slots["order_id"], slots["touchpoint"]) == ("C-9", None, None)
    assert slots["touchpoint_label"] == "your recent experience with us"


def test_a_customer_who_starts_with_their_story_has_answered_the_open_question(
    chat, tmp_database: str, domain: dict
) -> None:
    tracker = chat.tracker(text="The invoice charged me twice", intent="give_feedback")
    slots = chat.slots_set(chat.run(ActionBeginFeedback(), tracker, domain)[0])
    assert slots["feedback_text"] == "The invoice charged me twice"


def test_touchpoint_buttons_are_the_touchpoints_of_silos_yml(chat, tmp_database: str, domain: dict) -> None:
    silos = yaml.safe_load((PROJECT_ROOT / "silos.yml").read_text(encoding="utf-8"))
    _, dispatcher = chat.run(ActionAskTouchpoint(), chat.tracker(), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_choose_touchpoint"
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        (body["label"], name) for name, body in silos["touchpoints"].items()
    ]


def test_touchpoint_buttons_follow_an_edited_silos_yml(chat, tmp_database: str, domain: dict, tmp_path, monkeypatch):
    from bot.settings import get_settings

    silos = tmp_path / "silos.yml"
    silos.write_text(
        "touchpoints:\n  onboarding: {label: Getting started}\n"
        "silos:\n  success:\n    description: Customer success.\n    touchpoints: [onboarding]\n"
        "    phrases: [onboarding, getting started]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SILOSCOPE_SILOS", str(silos))
    get_settings.cache_clear()
    _, dispatcher = chat.run(ActionAskTouchpoint(), chat.tracker(), domain)
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "Getting started", "payload": "onboarding"}
    ]


def test_finishing_marks_the_response_complete_and_says_what_happens_next(
    chat, tmp_database: str, domain: dict
) -> None:
    ref = ConversationRef(key="conv-9", sender_id="sender-1", customer_ref="C-9", touchpoint="invoice")
    get_feedback_service().record(ref, Answers(score=2, text="Charged twice."))
    tracker = chat.tracker(
        text="yes",
        intent="affirm",
        slots={"conversation_id": "conv-9", "customer_ref": "C-9", "touchpoint": "invoice", "score_band": "low"},
    )
    events, dispatcher = chat.run(ActionStoreFeedback(), tracker, domain)
    assert chat.slots_set(events) == {"survey_ended": True}  # what the customer adds now goes to this response
    assert chat.responses(dispatcher) == ["utter_thanks"]
    [row] = chat.stored_responses(tmp_database)
    assert row.status == "complete"
    assert "What happens next" in domain["responses"]["utter_thanks"][0]["text"]


def test_domain_lists_exactly_the_actions_the_action_server_has(domain: dict) -> None:
    from rasa_sdk import Action

    import actions.feedback_form
    import actions.interruptions
    import actions.survey

    classes = [
        obj
        for module in (actions.feedback_form, actions.interruptions, actions.survey)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Action) and obj.__module__ == module.__name__
    ]
    assert sorted(cls().name() for cls in classes) == sorted(domain["actions"])


def page_trigger(chat, customer: str = "C-8", order: str = "NW-1", **slots: object):  # type: ignore[no-untyped-def]
    verified = {"touchpoint": "delivery", "customer_ref": customer, "order_id": order, "channel": "web"}
    return chat.tracker(text="/touchpoint_completed", intent="touchpoint_completed",
                        metadata={"siloscope_verified": verified}, slots=slots or None)


def test_the_widget_asks_a_customer_once_per_order_and_touchpoint(chat, tmp_database: str, domain: dict) -> None:
    first = chat.slots_set(chat.run(ActionBeginFeedback(), page_trigger(chat), domain)[0])
    ref = ConversationRef(key=first["conversation_id"], sender_id="s-1", customer_ref="C-8", touchpoint="delivery",
                          order_id="NW-1", channel="web")
    get_feedback_service().record(ref, Answers(score=4))
    # The same chat going on is no repeat: its own survey starts as before.
    same_chat = page_trigger(chat, conversation_id=first["conversation_id"])
    assert chat.slots_set(chat.run(ActionBeginFeedback(), same_chat, domain)[0])["survey_allowed"] is True
    # Another tab, minutes later, about the same order and touchpoint: a short note, no second survey.
    events, dispatcher = chat.run(ActionBeginFeedback(), page_trigger(chat), domain)
    assert chat.slots_set(events) == {"survey_allowed": False}
    assert chat.responses(dispatcher) == ["utter_already_surveyed"]
    # Another order is another survey.
    other = chat.slots_set(chat.run(ActionBeginFeedback(), page_trigger(chat, order="NW-2"), domain)[0])
    assert other["survey_allowed"] is True


def test_an_opted_out_customer_in_the_widget_is_told_why_there_are_no_questions(
    chat, tmp_database: str, domain: dict
) -> None:
    get_feedback_service().opt_out(ConversationRef(key="earlier", sender_id="s", customer_ref="C-8"))
    events, dispatcher = chat.run(ActionBeginFeedback(), page_trigger(chat), domain)
    assert chat.slots_set(events) == {"survey_allowed": False}
    assert chat.responses(dispatcher) == ["utter_opted_out_widget"]
