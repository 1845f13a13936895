"""validate_feedback_form: each answer read, stored at once, re-asked or skipped."""

from __future__ import annotations

from typing import Any

import pytest

from actions.feedback_form import ValidateFeedbackForm

KEY = "conv-form-1"
CONTEXT = {
    "conversation_id": KEY,
    "touchpoint": "delivery",
    "customer_ref": "C-7",
    "channel": "web",
    "order_id": "O-1",
}


def answer(chat, slot: str, text: str, slots: dict[str, Any] | None = None, intent: str = "inform", **kwargs: Any):
    """The tracker after the customer answered the question for ``slot`` with ``text``."""
    return chat.tracker(
        text=text,
        intent=intent,
        slots={**CONTEXT, "requested_slot": slot, **(slots or {})},
        extracted={slot: text},
        active_loop="feedback_form",
        **kwargs,
    )


def validate(chat, tracker, domain):
    return chat.run(ValidateFeedbackForm(), tracker, domain)


def test_a_score_is_stored_at_once_as_a_partial_response(chat, tmp_database: str, domain: dict) -> None:
    events, dispatcher = validate(chat, answer(chat, "score", "4 stars"), domain)
    slots = chat.slots_set(events)
    assert (slots["score"], slots["score_band"], slots["requested_slot"]) == (4, "high", "feedback_text")
    assert dispatcher.messages == []
    [row] = chat.stored_responses(tmp_database)
    assert (row.score, row.status, row.touchpoint, row.touchpoint_silo) == (4, "partial", "delivery", "delivery")
    [conversation] = chat.stored_conversations(tmp_database)
    assert (conversation.key, conversation.order_id, conversation.channel) == (KEY, "O-1", "web")


def test_an_unreadable_score_is_reasked_naming_the_accepted_forms(chat, tmp_database: str, domain: dict) -> None:
    events, dispatcher = validate(chat, answer(chat, "score", "banana"), domain)
    slots = chat.slots_set(events)
    assert slots["score"] is None
    assert slots["reasks"] == {"score": 1}
    assert slots["requested_slot"] == "score"
    assert chat.responses(dispatcher) == ["utter_reask_score"]
    reask = domain["responses"]["utter_reask_score"][0]["text"]
    for form in ('"4"', '"four"', '"4/5"', '"4 stars"', "⭐", "button"):
        assert form in reask
    assert chat.stored_responses(tmp_database) == []


def test_after_max_reasks_the_question_is_skipped(chat, tmp_database: str, domain: dict) -> None:
    events, dispatcher = validate(chat, answer(chat, "score", "banana", {"reasks": {"score": 2}}), domain)
    slots = chat.slots_set(events)
    assert slots["skipped"] == ["score"]
    assert slots["score"] is None
    assert chat.responses(dispatcher) == ["utter_moving_on"]
    # Without a score there is no probe; the open question comes next.
    assert slots["requested_slot"] == "feedback_text"


def test_the_reask_limit_comes_from_siloscope_yml(chat, tmp_database: str, domain: dict, tmp_path, monkeypatch) -> None:
    from bot.settings import get_settings

    config = tmp_path / "siloscope.yml"
    config.write_text("conversation:\n  max_reasks: 0\n", encoding="utf-8")
    monkeypatch.setenv("SILOSCOPE_CONFIG", str(config))
    get_settings.cache_clear()
    events, dispatcher = validate(chat, answer(chat, "score", "banana"), domain)
    assert chat.slots_set(events)["skipped"] == ["score"]
    assert chat.responses(dispatcher) == ["utter_moving_on"]


def test_a_low_score_gets_the_probe_after_the_open_question(chat, tmp_database: str, domain: dict) -> None:
    events, _ = validate(chat, answer(chat, "score", "2/5"), domain)
    assert chat.slots_set(events)["score_band"] == "low"
    text = "The driver left the parcel in the rain."
    events, _ = validate(chat, answer(chat, "feedback_text", text, {"score": 2}), domain)
    assert chat.slots_set(events)["requested_slot"] == "probe_text"
    events, _ = validate(
        chat,
        answer(chat, "probe_text", "Call me before leaving it outside.", {"score": 2, "feedback_text": "x"}),
        domain,
    )
    assert chat.slots_set(events)["requested_slot"] == "effort"
    [row] = chat.stored_responses(tmp_database)
    assert row.probe_text == "Call me before leaving it outside."
    assert row.text == "The driver left the parcel in the rain."


def test_a_good_score_skips_the_probe(chat, tmp_database: str, domain: dict) -> None:
    events, _ = validate(chat, answer(chat, "feedback_text", "Friendly driver, right on time.", {"score": 5}), domain)
    assert chat.slots_set(events)["requested_slot"] == "effort"


def test_open_text_is_stored_in_english_with_its_analysis(chat, tmp_database: str, domain: dict) -> None:
    text = "The courier was late and the invoice charged me twice."
    tracker = answer(chat, "feedback_text", text, {"score": 1}, intent="give_feedback")
    events, dispatcher = validate(chat, tracker, domain)
    assert chat.slots_set(events)["feedback_text"] == text
    assert dispatcher.messages == []
    [row] = chat.stored_responses(tmp_database)
    assert (row.text, row.language, row.sentiment_label) == (text, "en", "negative")
    assert row.primary_silo in {"delivery", "finance"}


def test_text_in_another_language_is_kept_marked_and_the_customer_told(chat, tmp_database: str, domain: dict) -> None:
    text = "El paquete llegó tarde y nadie me avisó"
    events, dispatcher = validate(chat, answer(chat, "feedback_text", text, {"score": 2}), domain)
    assert chat.slots_set(events)["feedback_text"] == text
    assert chat.responses(dispatcher) == ["utter_english_only"]
    assert "only" in domain["responses"]["utter_english_only"][0]["text"]
    [row] = chat.stored_responses(tmp_database)
    assert (row.text, row.language) == (text, "es")


def test_a_foreign_answer_to_a_rating_is_kept_as_the_open_answer(chat, tmp_database: str, domain: dict) -> None:
    text = "Der Kundenservice war sehr unfreundlich und hat aufgelegt"
    events, dispatcher = validate(chat, answer(chat, "score", text), domain)
    slots = chat.slots_set(events)
    assert slots["score"] is None and slots["feedback_text"] == text
    assert chat.responses(dispatcher) == ["utter_english_only"]
    [row] = chat.stored_responses(tmp_database)
    assert (row.text, row.language, row.score) == (text, "de", None)


def test_small_talk_at_an_open_question_gets_an_answer_and_the_question_again(chat, tmp_database, domain) -> None:
    tracker = answer(chat, "feedback_text", "are you a bot?", {"score": 2}, intent="chitchat")
    events, dispatcher = validate(chat, tracker, domain)
    assert chat.slots_set(events)["feedback_text"] is None
    assert "reasks" not in chat.slots_set(events)
    assert chat.responses(dispatcher) == ["utter_chitchat"]
    assert chat.stored_responses(tmp_database) == []


def test_feedback_that_sounds_out_of_scope_is_still_feedback(chat, tmp_database: str, domain: dict) -> None:
    for text, confidence in (("the parcel never came", 0.77), ("where was my parcel for two weeks, nobody knew", 0.95)):
        tracker = answer(chat, "feedback_text", text, {"score": 1}, intent="out_of_scope", confidence=confidence)
        events, dispatcher = validate(chat, tracker, domain)
        assert chat.slots_set(events)["feedback_text"] == text
        assert dispatcher.messages == []
        assert chat.stored_responses(tmp_database)[0].text == text


def test_a_story_told_instead_of_a_score_is_kept_and_the_score_asked_again(chat, tmp_database, domain) -> None:
    text = "The parcel arrived late and the driver was rude to my neighbour"
    events, dispatcher = validate(chat, answer(chat, "score", text, intent="give_feedback"), domain)
    slots = chat.slots_set(events)
    assert (slots["score"], slots["feedback_text"], slots["requested_slot"]) == (None, text, "score")
    assert chat.responses(dispatcher) == ["utter_story_kept"]
    [row] = chat.stored_responses(tmp_database)
    assert (row.text, row.language, row.score) == (text, "en", None)
    # Once the score comes, the open question is not asked again.
    tracker = answer(chat, "score", "2", {"feedback_text": text, "reasks": {"score": 1}})
    assert chat.slots_set(validate(chat, tracker, domain)[0])["requested_slot"] == "probe_text"


def test_too_long_text_is_refused_with_the_limit(chat, tmp_database: str, domain: dict) -> None:
    events, dispatcher = validate(chat, answer(chat, "feedback_text", "word " * 500, {"score": 3}), domain)
    assert chat.slots_set(events)["feedback_text"] is None
    assert chat.slots_set(events)["requested_slot"] == "feedback_text"
    [message] = dispatcher.messages
    assert (message["response"], message["limit"]) == ("utter_text_too_long", 2000)
    assert "{limit}" in domain["responses"]["utter_text_too_long"][0]["text"]
    assert chat.stored_responses(tmp_database) == []


def test_an_empty_message_is_reasked(chat, tmp_database: str, domain: dict) -> None:
    events, dispatcher = validate(chat, answer(chat, "feedback_text", "   ", {"score": 3}), domain)
    assert chat.slots_set(events)["feedback_text"] is None
    assert chat.responses(dispatcher) == ["utter_empty_answer"]


def test_effort_is_stored(chat, tmp_database: str, domain: dict) -> None:
    events, _ = validate(chat, answer(chat, "effort", "very easy", {"score": 5, "feedback_text": "x"}), domain)
    assert chat.slots_set(events)["effort"] == 7
    assert chat.slots_set(events)["requested_slot"] == "first_contact"
    assert chat.stored_responses(tmp_database)[0].effort == 7


def test_first_contact_yes_finishes_the_questions(chat, tmp_database: str, domain: dict) -> None:
    done = {"score": 5, "feedback_text": "x", "effort": 6}
    events, _ = validate(chat, answer(chat, "first_contact", "yes", done, intent="affirm"), domain)
    slots = chat.slots_set(events)
    assert (slots["first_contact"], slots["requested_slot"]) == (True, None)
    assert chat.stored_responses(tmp_database)[0].contact_count == 1


def test_no_with_a_count_needs_no_further_question(chat, tmp_database: str, domain: dict) -> None:
    done = {"score": 3, "feedback_text": "x", "effort": 3}
    events, _ = validate(chat, answer(chat, "first_contact", "no, third time", done, intent="deny"), domain)
    slots = chat.slots_set(events)
    assert (slots["first_contact"], slots["contact_count"], slots["requested_slot"]) == (False, 3, None)
    assert chat.stored_responses(tmp_database)[0].contact_count == 3


def test_a_plain_no_asks_how_many_times(chat, tmp_database: str, domain: dict) -> None:
    done = {"score": 3, "feedback_text": "x", "effort": 3}
    events, _ = validate(chat, answer(chat, "first_contact", "no", done, intent="deny"), domain)
    assert chat.slots_set(events)["requested_slot"] == "contact_count"
    events, _ = validate(chat, answer(chat, "contact_count", "twice", {**done, "first_contact": False}), domain)
    assert (chat.slots_set(events)["contact_count"], chat.slots_set(events)["requested_slot"]) == (2, None)
    assert chat.stored_responses(tmp_database)[0].contact_count == 2


def test_a_typed_touchpoint_is_read_from_its_label(chat, tmp_database: str, domain: dict) -> None:
    tracker = chat.tracker(
        text="my payment",
        slots={"conversation_id": KEY, "requested_slot": "touchpoint"},
        extracted={"touchpoint": "my payment"},
        active_loop="feedback_form",
    )
    events, _ = validate(chat, tracker, domain)
    slots = chat.slots_set(events)
    assert (slots["touchpoint"], slots["touchpoint_label"], slots["requested_slot"]) == (
        "invoice",
        "your invoice or payment",
        "score",
    )


def test_the_same_turn_twice_gives_one_row(chat, tmp_database: str, domain: dict) -> None:
    for _ in range(2):
        validate(chat, answer(chat, "score", "3"), domain)
        validate(chat, answer(chat, "feedback_text", "It was fine.", {"score": 3}), domain)
    assert len(chat.stored_responses(tmp_database)) == 1
    assert len(chat.stored_conversations(tmp_database)) == 1


def test_without_a_conversation_id_one_is_derived_once_and_kept(chat, tmp_database: str, domain: dict) -> None:
    slots = {k: v for k, v in CONTEXT.items() if k != "conversation_id"}
    # The same turn, delivered twice (same session, so the same events).
    for _ in range(2):
        tracker = answer(chat, "score", "5", {**slots, "conversation_id": None}, now=1_700_000_000.0)
        events, _ = validate(chat, tracker, domain)
    key = chat.slots_set(events)["conversation_id"]
    assert key
    [conversation] = chat.stored_conversations(tmp_database)
    assert conversation.key == key


@pytest.mark.parametrize("slot", ["score", "effort", "first_contact", "contact_count", "touchpoint"])
def test_every_question_has_a_reask(slot: str, domain: dict) -> None:
    assert f"utter_reask_{slot}" in domain["responses"]


def refuse_every_answer(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The feedback service keeps nothing (neither database nor spool), as on a full disk."""
    from bot.feedback import AnswerNotKept, FeedbackService

    def record(self, ref, answers) -> None:  # type: ignore[no-untyped-def]
        raise AnswerNotKept(f"record for {ref.key}: no space left on device")

    monkeypatch.setattr(FeedbackService, "record", record)


def test_an_answer_that_was_not_kept_is_asked_for_again_uncounted(chat, tmp_database, domain, monkeypatch) -> None:
    refuse_every_answer(monkeypatch)
    for slot, text, slots in (("score", "2", {}), ("feedback_text", "The parcel was late.", {"score": 2})):
        events, dispatcher = validate(chat, answer(chat, slot, text, slots), domain)
        assert chat.responses(dispatcher) == ["utter_not_saved"]
        assert chat.slots_set(events)[slot] is None and "reasks" not in chat.slots_set(events)
        assert chat.slots_set(events)["requested_slot"] == slot


def test_a_story_that_was_not_kept_is_not_taken_as_the_open_answer(chat, tmp_database, domain, monkeypatch) -> None:
    refuse_every_answer(monkeypatch)
    text = "The parcel arrived late and the driver was rude to my neighbour"
    events, dispatcher = validate(chat, answer(chat, "score", text, intent="give_feedback"), domain)
    assert chat.responses(dispatcher) == ["utter_not_saved"]
    assert "feedback_text" not in chat.slots_set(events), "the open question must still be asked"
    assert chat.slots_set(events)["requested_slot"] == "score"


def test_a_story_at_the_last_reask_is_kept_and_the_score_given_up_quietly(chat, tmp_database, domain) -> None:
    text = "The parcel arrived late and the driver was rude to my neighbour"
    events, dispatcher = validate(chat, answer(chat, "score", text, {"reasks": {"score": 2}}), domain)
    slots = chat.slots_set(events)
    assert (slots["skipped"], slots["feedback_text"], slots["reasks"]) == (["score"], text, {"score": 3})
    assert chat.responses(dispatcher) == ["utter_story_kept"]
    assert chat.stored_responses(tmp_database)[0].text == text
