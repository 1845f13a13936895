"""Saying an outcome of the survey's policy (:mod:`bot.survey_policy`) in the chat's words and slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.context import key_events
from bot.answers import EMPTY, TOO_LONG
from bot.settings import get_settings
from bot.survey_policy import ASIDE, FOLLOW_UP, FOREIGN, MOVING_ON, NOT_SAVED, STORY_KEPT, Kind, Outcome

Slots = dict[str, Any]
# The response (domain.yml) that says each note of an outcome; any other reading problem re-asks the question.
RESPONSES = {
    EMPTY: "utter_empty_answer",
    TOO_LONG: "utter_text_too_long",
    STORY_KEPT: "utter_story_kept",
    FOREIGN: "utter_english_only",
    MOVING_ON: "utter_moving_on",
    NOT_SAVED: "utter_not_saved",
    FOLLOW_UP: "utter_follow_up_added",
}


def say(outcome: Outcome, dispatcher: CollectingDispatcher) -> None:
    """Tell the customer what became of their message."""
    for note in outcome.say:
        if note == ASIDE:  # small talk gets its own answer; a stray message hears what the bot is for
            dispatcher.utter_message(response=f"utter_{outcome.aside}" if outcome.aside else "utter_default")
        elif note == TOO_LONG:
            dispatcher.utter_message(response=RESPONSES[note], limit=get_settings().conversation.max_text_length)
        else:
            dispatcher.utter_message(response=RESPONSES.get(note, f"utter_reask_{outcome.question}"))


def slots(outcome: Outcome, tracker: Tracker) -> Slots:
    """The form's slots after the outcome: the values, the re-ask count, the questions given up, the key."""
    result: Slots = dict(outcome.values)
    question = outcome.question
    if outcome.counted and question:
        result["reasks"] = {**(tracker.get_slot("reasks") or {}), question: outcome.reasks}
    if outcome.kind is Kind.SKIPPED:
        result["skipped"] = [*(tracker.get_slot("skipped") or []), question]
    if outcome.stored:
        result.update(key_events(tracker))  # later turns reuse the derived conversation key
    return result
