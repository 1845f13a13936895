"""What the customer can say at any time: stop, a person please, start over, something unclear."""

from __future__ import annotations

from actions.context import conversation_ref, touchpoint_label
from actions.interruptions import ActionOptOut, ActionRequestHuman, ActionRestart, ActionUnclear
from actions.survey import ActionBeginFeedback
from bot.feedback import AnswerNotKept, Answers, FeedbackService, get_feedback_service

IN_SURVEY = {
    "conversation_id": "conv-i",
    "customer_ref": "C-5",
    "touchpoint": "support",
    "ticket_id": "T-5",
    "requested_slot": "feedback_text",
    "score": 3,
}


def test_stop_remembers_the_opt_out_and_ends_the_survey(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(text="stop", intent="stop", slots=IN_SURVEY, active_loop="feedback_form")
    events, dispatcher = chat.run(ActionOptOut(), tracker, domain)
    assert chat.responses(dispatcher) == ["utter_opted_out"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert chat.slots_set(events) == {"requested_slot": None}
    assert chat.stored_customer(tmp_database, "C-5").opted_out
    [conversation] = chat.stored_conversations(tmp_database)
    assert conversation.status == "opted_out"


def test_a_stop_that_also_tells_what_went_wrong_keeps_the_words(chat, tmp_database: str, domain: dict) -> None:
    text = "I want to stop paying for this service, the app never works"
    tracker = chat.tracker(text=text, intent="stop", slots=IN_SURVEY, active_loop="feedback_form")
    chat.run(ActionOptOut(), tracker, domain)
    [row] = chat.stored_responses(tmp_database)
    assert (row.text, row.language, row.sentiment_label) == (text, "en", "negative")
    assert chat.stored_customer(tmp_database, "C-5").opted_out


def test_a_short_stop_stores_no_text(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(text="stop", intent="stop", slots=IN_SURVEY, active_loop="feedback_form")
    chat.run(ActionOptOut(), tracker, domain)
    assert [row.text for row in chat.stored_responses(tmp_database)] in ([], [None])


def test_after_opting_out_the_next_trigger_is_silent(chat, tmp_database: str, domain: dict) -> None:
    chat.run(ActionOptOut(), chat.tracker(text="unsubscribe", intent="stop", slots=IN_SURVEY), domain)
    trigger = chat.tracker(  # the next survey a signed webhook asks for, as Rasa's trigger_intent delivers it
        text="EXTERNAL: touchpoint_completed",
        intent="touchpoint_completed",
        entities=[{"entity": "customer_ref", "value": "C-5"}, {"entity": "touchpoint", "value": "delivery"}],
        metadata={"is_external": True},
    )
    events, dispatcher = chat.run(ActionBeginFeedback(), trigger, domain)
    assert chat.slots_set(events) == {"survey_allowed": False}
    assert dispatcher.messages == []


def test_stop_outside_a_survey_changes_no_loop(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(text="not now", intent="stop", slots={"customer_ref": "C-6"})
    events, dispatcher = chat.run(ActionOptOut(), tracker, domain)
    assert events == []
    assert chat.responses(dispatcher) == ["utter_opted_out"]
    assert chat.stored_customer(tmp_database, "C-6").opted_out


def test_asking_for_a_person_alerts_and_the_same_survey_goes_on(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(text="talk to a human", intent="request_human", slots=IN_SURVEY, active_loop="feedback_form")
    events, dispatcher = chat.run(ActionRequestHuman(), tracker, domain)
    # A person will get in touch; the survey stays open (its rule asks the open question again).
    assert chat.responses(dispatcher) == ["utter_human_requested", "utter_human_requested_survey_goes_on"]
    assert not [event for event in events if event["event"] in ("active_loop", "restart")]
    assert "requested_slot" not in chat.slots_set(events)
    [conversation] = chat.stored_conversations(tmp_database)
    assert (conversation.key, conversation.human_requested, conversation.ticket_id) == ("conv-i", True, "T-5")
    assert (conversation.customer_id is not None, conversation.touchpoint) == (True, "support")


def test_asking_for_a_person_after_the_survey_only_says_a_person_will_call(
    chat, tmp_database: str, domain: dict
) -> None:
    slots = {**IN_SURVEY, "requested_slot": None, "survey_ended": True}
    _events, dispatcher = chat.run(ActionRequestHuman(), chat.tracker(text="a human please", intent="request_human",
                                                                     slots=slots), domain)
    assert chat.responses(dispatcher) == ["utter_human_requested"]
    assert chat.stored_conversations(tmp_database)[0].human_requested


def test_restart_asks_the_same_survey_again_in_the_same_conversation(chat, tmp_database: str, domain: dict) -> None:
    trigger = {
        "event": "user",
        "timestamp": 1.0,
        "text": "/touchpoint_completed",
        "parse_data": {"intent": {"name": "touchpoint_completed"}, "entities": []},
    }
    tracker = chat.tracker(
        text="start over", intent="restart", slots={**IN_SURVEY, "touchpoint_from_trigger": True},
        active_loop="feedback_form", events_before=[trigger],
    )
    events, dispatcher = chat.run(ActionRestart(), tracker, domain)
    assert chat.responses(dispatcher) == ["utter_restart"]
    assert events[0]["event"] == "restart"
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "feedback_form"}
    slots = chat.slots_set(events)
    assert (slots["conversation_id"], slots["customer_ref"], slots["touchpoint"], slots["ticket_id"]) == (
        "conv-i",
        "C-5",
        "support",
        "T-5",
    )
    assert "score" not in slots  # answers are asked again


def test_restart_forgets_the_stored_answers(chat, tmp_database: str, domain: dict) -> None:
    from bot.feedback import Answers, get_feedback_service

    tracker = chat.tracker(text="start over", intent="restart", slots=IN_SURVEY, active_loop="feedback_form")
    get_feedback_service().record(conversation_ref(tracker), Answers(score=1, probe_text="Call me back."))
    chat.run(ActionRestart(), tracker, domain)
    [response] = chat.stored_responses(tmp_database)
    assert (response.score, response.probe_text, response.status) == (None, None, "partial")


def test_restart_of_a_chosen_touchpoint_lets_the_customer_choose_again(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(text="restart", intent="restart", slots={**IN_SURVEY, "touchpoint_from_trigger": False})
    slots = chat.slots_set(chat.run(ActionRestart(), tracker, domain)[0])
    assert "touchpoint" not in slots
    assert slots["touchpoint_label"] == "your recent experience with us"


def test_restart_keeps_the_touchpoint_a_trigger_gave_even_when_the_trigger_is_in_an_older_session(
    chat, tmp_database: str, domain: dict
) -> None:
    # Rasa hands actions only the latest session's events: after a session expired, the trigger that
    # started the survey is no longer among them, but the slot the survey began with still is.
    session_start = {"event": "session_started", "timestamp": 5.0}
    tracker = chat.tracker(text="start over", intent="restart", slots={**IN_SURVEY, "touchpoint_from_trigger": True},
                           active_loop="feedback_form", events_before=[session_start])
    slots = chat.slots_set(chat.run(ActionRestart(), tracker, domain)[0])
    assert (slots["touchpoint"], slots["touchpoint_from_trigger"], slots["survey_ended"]) == ("support", True, False)
    assert slots["touchpoint_label"] == touchpoint_label("support")


def test_after_the_survey_more_words_are_added_to_the_same_response(chat, tmp_database: str, domain: dict) -> None:
    ended = {**IN_SURVEY, "requested_slot": None, "survey_ended": True}
    get_feedback_service().record(conversation_ref(chat.tracker(slots=ended)), Answers(text="The line was busy."))
    for text, intent in [("meh", "inform"), ("yes", "affirm"), ("Also: the driver was rude", "give_feedback")]:
        _events, dispatcher = chat.run(ActionUnclear(), chat.tracker(text=text, intent=intent, slots=ended), domain)
        assert chat.responses(dispatcher) == ["utter_follow_up_added"]
    # The same turn again (a retry) adds nothing twice.
    chat.run(ActionUnclear(), chat.tracker(text="yes", intent="affirm", slots=ended), domain)
    [row] = chat.stored_responses(tmp_database)
    assert row.text == "The line was busy.\nmeh\nyes\nAlso: the driver was rude"
    assert row.sentiment_label == "negative"  # analysed again with the rude driver in it
    [conversation] = chat.stored_conversations(tmp_database)
    assert (conversation.key, conversation.touchpoint, conversation.ticket_id) == ("conv-i", "support", "T-5")


def test_a_follow_up_that_cannot_be_kept_is_asked_again(chat, tmp_database: str, domain: dict, monkeypatch) -> None:
    def refuse(*_args: object) -> None:
        raise AnswerNotKept("disk full")

    monkeypatch.setattr(FeedbackService, "add_follow_up", refuse)
    ended = {**IN_SURVEY, "requested_slot": None, "survey_ended": True}
    _events, dispatcher = chat.run(ActionUnclear(), chat.tracker(text="meh", intent="inform", slots=ended), domain)
    assert chat.responses(dispatcher) == ["utter_not_saved"]


def test_a_message_in_another_language_is_kept_and_answered_in_english(chat, tmp_database: str, domain: dict) -> None:
    text = "Bonjour, mon colis est arrivé en retard encore une fois"
    events, dispatcher = chat.run(ActionUnclear(), chat.tracker(text=text, intent="nlu_fallback"), domain)
    assert chat.responses(dispatcher) == ["utter_english_only"]
    [row] = chat.stored_responses(tmp_database)
    assert (row.text, row.language, row.sentiment_label) == (text, "fr", None)
    assert chat.slots_set(events)["conversation_id"] == chat.stored_conversations(tmp_database)[0].key


def test_an_unclear_english_message_gets_an_explanation_and_stores_nothing(
    chat, tmp_database: str, domain: dict
) -> None:
    events, dispatcher = chat.run(ActionUnclear(), chat.tracker(text="asdf qwerty", intent="nlu_fallback"), domain)
    assert (events, chat.responses(dispatcher)) == ([], ["utter_default"])
    assert chat.stored_responses(tmp_database) == []
