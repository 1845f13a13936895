"""What the customer can say at any time: stop, a person please, start again, something unclear."""

from __future__ import annotations

from functools import partial

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import (
    CONTEXT_SLOTS,
    conversation_key,
    key_events,
    opt_out,
    request_human,
    restart,
    store,
    touchpoint_label,
)
from actions.outcomes import say, slots
from bot import survey_policy
from bot.settings import get_settings

SURVEY_STARTS = ("touchpoint_completed", "greet", "choose_touchpoint", "give_feedback")


def keep_story(tracker: Tracker) -> None:
    """An interruption that also answers the open question is stored as that answer.

    "I want to stop paying for this, the app never works" ends the survey, and its words
    still reach the team responsible (the rule: ``bot.survey_policy.keep_story``).
    """
    if tracker.active_loop.get("name"):
        text = (tracker.latest_message or {}).get("text")
        survey_policy.keep_story(
            tracker.get_slot("requested_slot"), text, partial(store, tracker), get_settings().conversation
        )


def _end_survey(tracker: Tracker) -> list[EventType]:
    """Events that close an open form, so nothing is asked after the customer left."""
    if not tracker.active_loop.get("name"):
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionOptOut(Action):
    """ "stop", "not now", "unsubscribe": never survey this customer again, end politely."""

    def name(self) -> str:
        return "action_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        keep_story(tracker)
        opt_out(tracker)
        dispatcher.utter_message(response="utter_opted_out")
        return _end_survey(tracker)


class ActionRequestHuman(Action):
    """ "talk to a human": record the hand-off request on the conversation and say so."""

    def name(self) -> str:
        return "action_request_human"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        keep_story(tracker)
        request_human(tracker)
        dispatcher.utter_message(response="utter_human_requested")
        return [*_end_survey(tracker), *(SlotSet(k, v) for k, v in key_events(tracker).items())]


def _started_by_trigger(tracker: Tracker) -> bool:
    """Whether the current survey came from a touchpoint trigger (its context is then kept).

    Only a message that started a survey counts: a trigger always does, a greeting, a touchpoint or
    a story only when no survey was open. An answer that reads as a story ("the parcel was late",
    give_feedback) is not a new start, so restarting after it keeps the trigger's touchpoint.
    """
    origin, survey_open = None, False
    for event in tracker.events:
        if event.get("event") == "active_loop":
            survey_open = bool(event.get("name"))
        elif event.get("event") == "restart":
            survey_open = False  # the same survey is asked again: its origin stays
        elif event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
            if intent == "touchpoint_completed" or (intent in SURVEY_STARTS and not survey_open):
                origin = intent
    return origin == "touchpoint_completed"


class ActionRestart(Action):
    """ "start over": the same survey again from its first question, same conversation.

    Overrides Rasa's default ``action_restart``, which would also forget who the customer is
    and what the survey is about. Answers given again replace the stored ones.
    """

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        keep = [name for name in CONTEXT_SLOTS if name != "touchpoint" or _started_by_trigger(tracker)]
        touchpoint = tracker.get_slot("touchpoint") if "touchpoint" in keep else None
        restart(tracker)
        dispatcher.utter_message(response="utter_restart")
        return [
            Restarted(),
            *(SlotSet(name, tracker.get_slot(name)) for name in keep),
            SlotSet("touchpoint_label", touchpoint_label(touchpoint)),
            SlotSet("conversation_id", conversation_key(tracker)),
            SlotSet("survey_allowed", True),
            FollowupAction("feedback_form"),
        ]


class ActionUnclear(Action):
    """A message outside a survey that the bot cannot place.

    In another language it is kept as feedback (marked with its language) and the customer is
    told that only English is supported for now; otherwise the bot says what it is for.
    """

    def name(self) -> str:
        return "action_unclear"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text")
        outcome = survey_policy.stray(text, partial(store, tracker), get_settings().conversation)
        say(outcome, dispatcher)
        return [SlotSet(k, v) for k, v in slots(outcome, tracker).items()]
