"""Reading, storing and re-asking each answer of the feedback form.

Every accepted answer is stored at once (a customer who leaves after the score still leaves a
partial response). An unreadable answer gets a re-ask that names the accepted forms; after
``conversation.max_reasks`` of them the question is skipped and the survey moves on.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.context import key_events, store, store_open_answer, touchpoint_label, touchpoint_labels
from bot.answers import (
    EMPTY,
    TOO_LONG,
    Reading,
    is_aside,
    read_contact_count,
    read_effort,
    read_first_contact,
    read_open_text,
    read_score,
    read_touchpoint,
    score_band,
    tells_a_story,
)
from bot.feedback import Answers
from bot.language import ENGLISH, detect_language
from bot.settings import get_settings

Slots = dict[str, Any]
# Intents that an open question takes as the answer unless the message is a short, sure aside.
ASIDE_INTENTS = ("chitchat", "thank", "out_of_scope")
ASIDE_CONFIDENCE = 0.9


class ValidateFeedbackForm(FormValidationAction):
    """Validation for ``feedback_form``: one ``validate_<slot>`` per question."""

    def name(self) -> str:
        return "validate_feedback_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[str]:
        """The questions that still apply: no probe for a good score, no count for a first contact."""
        settings = get_settings().conversation
        skipped = set(tracker.get_slot("skipped") or [])
        score = tracker.get_slot("score")
        low_score = isinstance(score, int) and score <= settings.probe_at_or_below
        repeat_contact = tracker.get_slot("first_contact") is False
        required = []
        for slot in domain_slots:
            if slot in skipped:
                continue
            if slot == "probe_text" and not low_score:
                continue
            if slot == "contact_count" and not repeat_contact:
                continue
            required.append(slot)
        return required

    # -- shared handling of unreadable answers -------------------------------------------
    def _reject(self, slot: str, reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        """Say why the answer was not taken; give the question up after too many tries."""
        settings = get_settings().conversation
        reasks = dict(tracker.get_slot("reasks") or {})
        reasks[slot] = reasks.get(slot, 0) + 1
        if reasks[slot] > settings.max_reasks:
            dispatcher.utter_message(response="utter_moving_on")
            skipped = [*(tracker.get_slot("skipped") or []), slot]
            return {slot: None, "reasks": reasks, "skipped": skipped}
        if reading.problem == TOO_LONG:
            dispatcher.utter_message(response="utter_text_too_long", limit=settings.max_text_length)
        elif reading.problem == EMPTY:
            dispatcher.utter_message(response="utter_empty_answer")
        else:
            dispatcher.utter_message(response=f"utter_reask_{slot}")
        return {slot: None, "reasks": reasks}

    def _structured(
        self, slot: str, value: Any, reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Slots | None:
        """For a rating or yes/no that could not be read: None when it could.

        A story told instead ("the parcel came late and ...") or an answer in another language is
        kept as the open answer, so the customer's words are never lost, and the question is
        asked again.
        """
        if reading.ok:
            return None
        text = str(value or "").strip()
        language = detect_language(text) if text else ENGLISH
        story = read_open_text(text, get_settings().conversation.max_text_length)
        keep = story.ok and not tracker.get_slot("feedback_text") and (language != ENGLISH or tells_a_story(text))
        if keep:
            store(tracker, Answers(text=story.value, language=language))
        if language == ENGLISH and not keep:
            result = self._reject(slot, reading, dispatcher, tracker)
        elif language == ENGLISH:
            dispatcher.utter_message(response="utter_story_kept")  # the question follows again
            result = self._reject_quietly(slot, tracker)
        else:
            dispatcher.utter_message(response="utter_english_only")
            result = self._reject_quietly(slot, tracker)
        if keep:
            result = {**result, "feedback_text": story.value, **key_events(tracker)}
        return result

    def _not_kept(self, slot: str, dispatcher: CollectingDispatcher) -> Slots:
        """The answer could not be saved (the service logged why): ask for it again, never move on."""
        dispatcher.utter_message(response="utter_not_saved")
        return {slot: None}

    def _reject_quietly(self, slot: str, tracker: Tracker) -> Slots:
        reasks = dict(tracker.get_slot("reasks") or {})
        reasks[slot] = reasks.get(slot, 0) + 1
        if reasks[slot] > get_settings().conversation.max_reasks:
            return {slot: None, "reasks": reasks, "skipped": [*(tracker.get_slot("skipped") or []), slot]}
        return {slot: None, "reasks": reasks}

    # -- one method per question -----------------------------------------------------------
    def validate_touchpoint(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        reading = read_touchpoint(str(value or ""), touchpoint_labels())
        if not reading.ok:
            return self._reject("touchpoint", reading, dispatcher, tracker)
        return {"touchpoint": reading.value, "touchpoint_label": touchpoint_label(reading.value)}

    def validate_score(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Slots:
        reading = read_score(str(value) if value is not None else None)
        rejected = self._structured("score", value, reading, dispatcher, tracker)
        if rejected is not None:
            return rejected
        if not store(tracker, Answers(score=reading.value)):
            return self._not_kept("score", dispatcher)
        conversation = get_settings().conversation
        band = score_band(reading.value, conversation.probe_at_or_below, conversation.praise_at_or_above)
        return {"score": reading.value, "score_band": band, **key_events(tracker)}

    def _open_text(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        intent = (tracker.latest_message or {}).get("intent") or {}
        if intent.get("name") in ASIDE_INTENTS and intent.get("confidence", 0) >= ASIDE_CONFIDENCE and is_aside(value):
            # "are you a bot?" is small talk, not what went wrong: answer it, ask again.
            dispatcher.utter_message(response=f"utter_{intent['name']}")
            return {slot: None}
        reading = read_open_text(value, get_settings().conversation.max_text_length)
        if not reading.ok:
            return self._reject(slot, reading, dispatcher, tracker)
        language = store_open_answer(tracker, slot, reading.value)
        if language is None:
            return self._not_kept(slot, dispatcher)
        if language != ENGLISH:
            dispatcher.utter_message(response="utter_english_only")
        return {slot: reading.value, **key_events(tracker)}

    def validate_feedback_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._open_text("feedback_text", value, dispatcher, tracker)

    def validate_probe_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        return self._open_text("probe_text", value, dispatcher, tracker)

    def validate_effort(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Slots:
        reading = read_effort(str(value) if value is not None else None)
        rejected = self._structured("effort", value, reading, dispatcher, tracker)
        if rejected is not None:
            return rejected
        if not store(tracker, Answers(effort=reading.value)):
            return self._not_kept("effort", dispatcher)
        return {"effort": reading.value, **key_events(tracker)}

    def validate_first_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        reading = read_first_contact(str(value) if value is not None else None)
        rejected = self._structured("first_contact", value, reading, dispatcher, tracker)
        if rejected is not None:
            return rejected
        answer = reading.value
        if answer.contact_count is not None and not store(tracker, Answers(contact_count=answer.contact_count)):
            return self._not_kept("first_contact", dispatcher)
        return {"first_contact": answer.first, "contact_count": answer.contact_count, **key_events(tracker)}

    def validate_contact_count(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> Slots:
        reading = read_contact_count(str(value) if value is not None else None, not_first=True)
        rejected = self._structured("contact_count", value, reading, dispatcher, tracker)
        if rejected is not None:
            return rejected
        if not store(tracker, Answers(contact_count=reading.value)):
            return self._not_kept("contact_count", dispatcher)
        return {"contact_count": reading.value, **key_events(tracker)}
